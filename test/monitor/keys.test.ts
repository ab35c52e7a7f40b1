import { describe, expect, it } from 'vitest';
import { createKeyHandler } from '../../src/monitor/keys.js';

const bytes = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

describe('createKeyHandler', () => {
  it('forwards ordinary keys (including a plain r) to the device', () => {
    const k = createKeyHandler();
    expect(k.feed(bytes('reboot'))).toEqual([{ type: 'send', bytes: bytes('reboot') }]);
  });

  it('sends Enter as CRLF by default, or as configured', () => {
    expect(createKeyHandler().feed(bytes('ls\r'))).toEqual([{ type: 'send', bytes: bytes('ls\r\n') }]);
    expect(createKeyHandler({ enter: 'LF' }).feed(bytes('ls\r'))).toEqual([
      { type: 'send', bytes: bytes('ls\n') },
    ]);
    expect(createKeyHandler({ enter: 'CR' }).feed(bytes('\r'))).toEqual([
      { type: 'send', bytes: bytes('\r') },
    ]);
  });

  it('exits on Ctrl+] and ignores what follows in the chunk', () => {
    expect(createKeyHandler().feed(bytes('ab\x1dcd'))).toEqual([
      { type: 'send', bytes: bytes('ab') },
      { type: 'exit' },
    ]);
  });

  it('resets on Ctrl+T then R (either case, or Ctrl+R), also across chunks', () => {
    const k = createKeyHandler();
    expect(k.feed(bytes('x\x14'))).toEqual([{ type: 'send', bytes: bytes('x') }]);
    expect(k.feed(bytes('ry'))).toEqual([{ type: 'reset' }, { type: 'send', bytes: bytes('y') }]);
    expect(k.feed(bytes('\x14R'))).toEqual([{ type: 'reset' }]);
    expect(k.feed(bytes('\x14\x12'))).toEqual([{ type: 'reset' }]);
  });

  it('has menu keys for help, exit and a literal Ctrl+T', () => {
    const k = createKeyHandler();
    expect(k.feed(bytes('\x14h'))).toEqual([{ type: 'help' }]);
    expect(k.feed(bytes('\x14x'))).toEqual([{ type: 'exit' }]);
    expect(k.feed(bytes('a\x14\x14b'))).toEqual([{ type: 'send', bytes: bytes('a\x14b') }]);
    expect(k.feed(bytes('\x14z'))).toEqual([{ type: 'unknown-menu-key', key: 0x7a }]);
  });

  it('forwards Ctrl+C to the device', () => {
    expect(createKeyHandler().feed(Uint8Array.of(0x03))).toEqual([
      { type: 'send', bytes: Uint8Array.of(0x03) },
    ]);
  });
});
