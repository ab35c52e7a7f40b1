// The serial transport against a real OS pseudo-terminal pair (socat): open by path, bytes both
// ways, baud update, the no-modem-lines degradation, flushInput, busy/not-found/disconnected errors.

import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../src/core/session/transport.js';
import { EspflashError, UsageError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { openSerialTransport } from '../../src/node/serial-transport.js';
import { HAVE_SOCAT, type PtyPair, SOCAT_SKIP_NOTE, startPtyPair } from './support/socat.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

function recordingLogger(): Logger & { warnings: string[]; debugs: string[] } {
  const warnings: string[] = [];
  const debugs: string[] = [];
  return { debug: (m) => debugs.push(m), info() {}, warn: (m) => warnings.push(m), warnings, debugs };
}

/** Read until `length` bytes came in (or a read times out). */
async function readBytes(t: Transport, length: number, timeoutMs = 3000): Promise<Uint8Array> {
  const parts: number[] = [];
  while (parts.length < length) {
    const chunk = await t.read({ timeoutMs });
    if (chunk.length === 0) break;
    parts.push(...chunk);
  }
  return Uint8Array.from(parts);
}

async function rejection(promise: Promise<unknown>): Promise<EspflashError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EspflashError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(!HAVE_SOCAT)(`serial transport on a socat pty pair${SOCAT_SKIP_NOTE}`, () => {
  let pty: PtyPair;
  const opened: Transport[] = [];
  const open = async (path: string, logger?: Logger) => {
    const t = await openSerialTransport({ path, ...(logger ? { logger } : {}) });
    opened.push(t);
    return t;
  };

  beforeEach(async () => {
    pty = await startPtyPair();
  });
  afterEach(async () => {
    for (const t of opened.splice(0)) await t.close();
    await pty.cleanup();
  });

  it('opens by path and moves bytes both ways, including 0x00 and 0xFF', async () => {
    const a = await open(pty.a);
    const b = await open(pty.b);
    expect(a.description).toBe(pty.a);
    expect(a.baudRate).toBe(115200);
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    await a.write(binary);
    expect(await readBytes(b, 256)).toEqual(binary);
    await b.write(text('OHAI'));
    expect(decode(await readBytes(a, 4))).toBe('OHAI');
  });

  it('times out with an empty read when nothing arrives', async () => {
    const a = await open(pty.a);
    expect(await a.read({ timeoutMs: 30 })).toHaveLength(0);
  });

  it('degrades to modemLines=false with one debug line and no warning when the pty cannot set DTR/RTS', async () => {
    // The warning belongs to whoever wanted a reset (connect without --before no-reset, --after,
    // monitor): opening a pty with --before no_reset must not warn, least of all about spelling.
    const logger = recordingLogger();
    const a = await open(pty.a, logger);
    // Still a serial port, not a raw stream: a reset that cannot happen here is worth a warning.
    expect(a.capabilities).toEqual({ modemLines: false, baudRate: true, rawStream: false });
    await a.setSignals({ dtr: true, rts: false });
    await a.setSignals({ dtr: false, rts: true });
    expect(logger.warnings).toEqual([]);
    const notes = logger.debugs.filter((m) => m.includes('DTR/RTS'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(pty.a);
    expect(notes[0]).not.toMatch(/--before/);
  });

  it('changes the host baud rate through the OS', async () => {
    const a = await open(pty.a);
    await a.setBaudRate(921600);
    expect(a.baudRate).toBe(921600);
    const speed = execFileSync('stty', ['-F', pty.a, 'speed'], { encoding: 'utf8', timeout: 5000 });
    expect(speed.trim()).toBe('921600');
  });

  it('flushInput discards what arrived, later bytes still come through', async () => {
    const a = await open(pty.a);
    const b = await open(pty.b);
    await b.write(text('stale boot log'));
    // Let the bytes reach a's queue (the stale bytes would show up below if the flush missed them).
    await new Promise((r) => setTimeout(r, 300));
    await a.flushInput();
    await b.write(text('fresh'));
    expect(decode(await readBytes(a, 5))).toBe('fresh');
    expect(await a.read({ timeoutMs: 50 })).toHaveLength(0);
  });

  it('reports port/not-found as a usage error for a path that does not exist', async () => {
    const err = await rejection(openSerialTransport({ path: `${pty.dir}/missing` }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('port/not-found');
    expect(err.message).toContain(`${pty.dir}/missing`);
    expect(err.hint).toContain('list-ports');
    expect(Array.isArray(err.details.available)).toBe(true);
  });

  it('reports port/busy naming this process when the port is already open', async () => {
    await open(pty.a);
    const err = await rejection(openSerialTransport({ path: pty.a }));
    expect(err.code).toBe('port/busy');
    expect(err.details.holders).toEqual(
      expect.arrayContaining([expect.objectContaining({ pid: process.pid })]),
    );
    expect(err.message).toContain(`pid ${process.pid}`);
  });

  it('rejects pending reads and writes with port/disconnected when the device vanishes', async () => {
    const a = await open(pty.a);
    const pending = rejection(a.read({ timeoutMs: 10_000 }));
    await pty.cleanup();
    const err = await pending;
    expect(err.code).toBe('port/disconnected');
    expect(err.message).toContain(pty.a);
    expect((await rejection(a.write(text('x')))).code).toBe('port/disconnected');
  });

  it('close is idempotent and rejects pending reads with transport/closed', async () => {
    const a = await open(pty.a);
    const pending = rejection(a.read({ timeoutMs: 10_000 }));
    await Promise.all([a.close(), a.close()]);
    expect((await pending).code).toBe('transport/closed');
    expect((await rejection(a.write(text('x')))).code).toBe('transport/closed');
    // The port is free again.
    const again = await open(pty.a);
    expect(again.description).toBe(pty.a);
  });
});
