import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/context.js';
import { createReporter, eventToJson } from '../../src/cli/reporter/reporter.js';
import { renderBar } from '../../src/cli/reporter/tty-reporter.js';
import type { FlashEvent } from '../../src/events.js';
import { captureIo } from '../support/capture-io.js';

function ctxFor(options: { isTTY: boolean; json: boolean }) {
  const { io, out } = captureIo({ stdoutTTY: options.isTTY, stderrTTY: options.isTTY });
  return { ctx: createContext(io, { json: options.json, verbose: false, color: false }), out };
}

const events: FlashEvent[] = [
  { type: 'connected', chip: 'esp32', baud: 115200, stub: true },
  { type: 'region-start', index: 0, offset: 0x10000, size: 4000, label: 'factory', role: 'app' },
  { type: 'region-progress', index: 0, offset: 0x10000, written: 1000, total: 4000 },
  { type: 'region-progress', index: 0, offset: 0x10000, written: 2100, total: 4000 },
  { type: 'region-progress', index: 0, offset: 0x10000, written: 4000, total: 4000 },
  { type: 'region-verified', index: 0, offset: 0x10000, md5: 'ab'.repeat(16), bytesWritten: 4000 },
  { type: 'region-start', index: 1, offset: 0x8000, size: 3072, label: null, role: 'partition-table' },
  { type: 'region-skipped', index: 1, offset: 0x8000, reason: 'md5-match' },
];

describe('reporters', () => {
  it('--json: one NDJSON object per event on stdout, `type` kept and `event` as its alias', () => {
    const { ctx, out } = ctxFor({ isTTY: false, json: true });
    const r = createReporter(ctx);
    for (const e of events) r.onEvent(e);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(events.length);
    expect(lines[2]).toEqual({
      type: 'region-progress',
      event: 'region-progress',
      index: 0,
      offset: 0x10000,
      written: 1000,
      total: 4000,
    });
    expect(eventToJson(events[0]!)).toEqual({
      type: 'connected',
      event: 'connected',
      chip: 'esp32',
      baud: 115200,
      stub: true,
    });
    expect(out.stderr).toBe('');
  });

  it('plain (not a TTY): lines with no escape codes, progress in 25 % steps', () => {
    const { ctx, out } = ctxFor({ isTTY: false, json: false });
    const r = createReporter(ctx);
    for (const e of events) r.onEvent(e);
    expect(out.stderr).not.toContain('\x1b');
    const lines = out.stderr.trim().split('\n');
    expect(lines).toContain('Writing factory @ 0x10000 (3.9 KiB)');
    expect(lines).toContain('  factory @ 0x10000: 25%');
    expect(lines).toContain('  factory @ 0x10000: 50%');
    expect(lines.filter((l) => l.includes('%'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('written and verified'))).toBe(true);
    expect(lines.some((l) => l.includes('partition-table @ 0x8000: unchanged'))).toBe(true);
    expect(out.stdout).toBe('');
  });

  it('plain: one line per read, quarter updates only for reads of 1 MiB or more', () => {
    const { ctx, out } = ctxFor({ isTTY: false, json: false });
    const r = createReporter(ctx);
    for (const read of [1024, 2048, 3072])
      r.onEvent({ type: 'read-progress', offset: 0x8000, read, total: 3072 });
    const mb = 1 << 20;
    for (let read = mb / 8; read <= mb; read += mb / 8)
      r.onEvent({ type: 'read-progress', offset: 0, read, total: mb });
    const lines = out.stderr.trim().split('\n');
    expect(lines).toEqual([
      'Reading 3.0 KiB at 0x8000',
      'Reading 1.0 MiB at 0x0',
      '  read 0x0: 25%',
      '  read 0x0: 50%',
      '  read 0x0: 75%',
    ]);
  });

  it('TTY: redraws the bar block in place (cursor up over the drawn lines)', () => {
    const { ctx, out } = ctxFor({ isTTY: true, json: false });
    const r = createReporter(ctx);
    for (const e of events.slice(0, 4)) r.onEvent(e);
    expect(out.stderr).toContain('\x1b[1A');
    expect(out.stderr).toContain('52%');
    r.onEvent(events[6]!);
    expect(out.stderr).toContain('\x1b[1A'); // redraw of a two-bar block starts one bar up, then grows
    r.onEvent(events[7]!);
    expect(out.stderr).toContain('\x1b[2A');
  });

  it('renders bars proportionally', () => {
    const half = renderBar({ name: 'app', done: 50, total: 100, state: 'writing' }, 120);
    expect((half.match(/#/g) ?? []).length).toBe(15);
    expect(half).toContain('50%');
    expect(renderBar({ name: 'app', done: 0, total: 100, state: 'skipped' })).toContain('skipped');
  });
});
