import { describe, expect, it } from 'vitest';
import { formatTimestamp, LineDecoder } from '../../src/monitor/line-decoder.js';

const enc = (s: string) => new TextEncoder().encode(s);
const texts = (lines: Array<{ text: string }>) => lines.map((l) => l.text);

describe('LineDecoder', () => {
  it('decodes a multi-byte character split across two chunks', () => {
    const d = new LineDecoder();
    const bytes = enc('temp: 21 °C — ok ✓\n');
    const cut = bytes.indexOf(0xb0); // second byte of "°"
    expect(d.push(bytes.subarray(0, cut))).toEqual([]);
    expect(texts(d.push(bytes.subarray(cut)))).toEqual(['temp: 21 °C — ok ✓']);
  });

  it('decodes a 4-byte character fed one byte at a time', () => {
    const d = new LineDecoder();
    const out = [...enc('🔥\n')].flatMap((b) => d.push(Uint8Array.of(b)));
    expect(texts(out)).toEqual(['🔥']);
  });

  it('splits on \\n, \\r\\n and lone \\r, including \\r\\n split between chunks', () => {
    const d = new LineDecoder();
    const out = [...d.push(enc('a\nb\r\nc\rd\r')), ...d.push(enc('\ne\n'))];
    expect(texts(out)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps empty lines', () => {
    const d = new LineDecoder();
    expect(texts(d.push(enc('x\n\n\r\n\ry\n')))).toEqual(['x', '', '', '', 'y']);
  });

  it('marks complete lines and keeps a partial line buffered', () => {
    const d = new LineDecoder();
    const out = d.push(enc('I (12) boot: ok\nprompt> '));
    expect(out).toEqual([
      {
        text: 'I (12) boot: ok',
        line: 'I (12) boot: ok',
        complete: true,
        continuation: false,
        timestamp: '',
      },
    ]);
    expect(d.hasPartial).toBe(true);
  });

  it('flushes a partial line only after the idle time, then continues it', () => {
    let now = 1000;
    const d = new LineDecoder({ now: () => now, idleFlushMs: 100 });
    d.push(enc('esp32> '));
    now = 1050;
    expect(d.flushIdle()).toBeNull();
    now = 1100;
    expect(d.flushIdle()).toEqual({
      text: 'esp32> ',
      line: 'esp32> ',
      complete: false,
      continuation: false,
      timestamp: '',
    });
    expect(d.flushIdle()).toBeNull();
    expect(d.push(enc('help\n'))).toEqual([
      { text: 'help', line: 'esp32> help', complete: true, continuation: true, timestamp: '' },
    ]);
    expect(d.hasPartial).toBe(false);
  });

  it('stamps each line with the time its first byte arrived (fake clock)', () => {
    let now = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const d = new LineDecoder({ timestamps: true, now: () => now, utc: true, idleFlushMs: 50 });
    d.push(enc('first'));
    now += 1500;
    const out = d.push(enc(' line\nsecond\n'));
    expect(out.map((l) => `${l.timestamp}${l.text}`)).toEqual([
      '[03:04:05.006] first line',
      '[03:04:06.506] second',
    ]);
    d.push(enc('> '));
    now += 100;
    const partial = d.flushIdle()!;
    expect(partial.timestamp).toBe('[03:04:06.506] ');
    now += 1000;
    expect(d.push(enc('x\n'))[0]!.timestamp).toBe('');
  });

  it('returns the rest at the end, including an incomplete UTF-8 sequence as U+FFFD', () => {
    const d = new LineDecoder();
    d.push(Uint8Array.of(0x61, 0xe2, 0x82));
    expect(d.end()).toMatchObject({ text: 'a\ufffd', complete: false });
    expect(d.end()).toBeNull();
  });
});

describe('formatTimestamp', () => {
  it('pads hours, minutes, seconds and milliseconds', () => {
    expect(formatTimestamp(Date.UTC(2026, 10, 23, 9, 5, 7, 42), { utc: true })).toBe('[09:05:07.042] ');
  });
});
