// The in-memory transport pair honours the Transport contract: chunking, timeouts on the injected
// clock, abort, close on either end, flushInput and the DTR/RTS log.

import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/session/clock.js';
import { createMemoryTransportPair } from '../../src/core/session/memory-transport.js';
import { EspflashError } from '../../src/errors.js';

/** A clock that only moves when told to. */
function manualClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  const sleepers: Array<{ until: number; resolve: () => void }> = [];
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        const entry = { until: now + ms, resolve };
        sleepers.push(entry);
        signal?.addEventListener('abort', () => {
          sleepers.splice(sleepers.indexOf(entry), 1);
          reject(signal.reason);
        });
      });
    },
    advance(ms) {
      now += ms;
      for (const s of [...sleepers]) {
        if (s.until <= now) {
          sleepers.splice(sleepers.indexOf(s), 1);
          s.resolve();
        }
      }
    },
    pending: () => sleepers.length,
  };
}

const bytes = (...values: number[]) => new Uint8Array(values);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('createMemoryTransportPair', () => {
  it('delivers bytes both ways, buffering what arrives before anyone reads', async () => {
    const { host, device } = createMemoryTransportPair();
    await host.write(bytes(1, 2, 3));
    await host.write(bytes(4));
    expect(await device.read({ timeoutMs: 100 })).toEqual(bytes(1, 2, 3, 4));
    const pending = host.read({ timeoutMs: 1000 });
    await device.write(bytes(0xc0, 0xdb));
    expect(await pending).toEqual(bytes(0xc0, 0xdb));
  });

  it('splits delivery into reads of at most maxChunk bytes without losing any', async () => {
    const { host, device } = createMemoryTransportPair({ maxChunk: 3 });
    const sent = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    await host.write(sent);
    const reads: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) reads.push(await device.read({ timeoutMs: 100 }));
    expect(reads.map((r) => r.length)).toEqual([3, 3, 3, 1]);
    expect(Uint8Array.from(reads.flatMap((r) => [...r]))).toEqual(sent);
    expect(await device.read({ timeoutMs: 0 })).toHaveLength(0);
  });

  it('serves several waiting readers in order when a large write arrives', async () => {
    const { host, device } = createMemoryTransportPair({ maxChunk: 2 });
    const first = device.read({ timeoutMs: 1000 });
    const second = device.read({ timeoutMs: 1000 });
    await host.write(bytes(9, 8, 7));
    expect(await first).toEqual(bytes(9, 8));
    expect(await second).toEqual(bytes(7));
  });

  it('resolves an empty array when the timeout elapses on the injected clock', async () => {
    const clock = manualClock();
    const { host } = createMemoryTransportPair({ clock });
    let settled: Uint8Array | null = null;
    const read = host.read({ timeoutMs: 50 }).then((r) => {
      settled = r;
      return r;
    });
    clock.advance(49);
    await Promise.resolve();
    expect(settled).toBeNull();
    clock.advance(1);
    expect(await read).toHaveLength(0);
  });

  it('cancels the timeout timer once data arrives', async () => {
    const clock = manualClock();
    const { host, device } = createMemoryTransportPair({ clock });
    const read = host.read({ timeoutMs: 50 });
    expect(clock.pending()).toBe(1);
    await device.write(bytes(5));
    expect(await read).toEqual(bytes(5));
    expect(clock.pending()).toBe(0);
  });

  it('rejects with the abort reason, and keeps later data for the next read', async () => {
    const { host, device } = createMemoryTransportPair();
    const controller = new AbortController();
    const read = rejection(host.read({ timeoutMs: 10_000, signal: controller.signal }));
    controller.abort(new Error('user pressed ctrl-c'));
    expect(((await read) as Error).message).toBe('user pressed ctrl-c');
    await device.write(bytes(1));
    expect(await host.read({ timeoutMs: 100 })).toEqual(bytes(1));
    const already = AbortSignal.abort(new Error('early'));
    expect(((await rejection(host.read({ timeoutMs: 100, signal: already }))) as Error).message).toBe(
      'early',
    );
  });

  it('close rejects pending reads with transport/closed, is idempotent, and closes the peer', async () => {
    const { host, device } = createMemoryTransportPair();
    const pending = rejection(host.read({ timeoutMs: 10_000 }));
    await host.close();
    await host.close();
    const err = await pending;
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('transport/closed');
    expect(((await rejection(host.read({ timeoutMs: 0 }))) as EspflashError).code).toBe('transport/closed');
    expect((await rejection(host.write(bytes(1)))) as EspflashError).toMatchObject({
      code: 'transport/closed',
    });
    expect((await rejection(device.write(bytes(1)))) as EspflashError).toMatchObject({
      code: 'transport/closed',
    });
    expect((await rejection(device.read({ timeoutMs: 10 }))) as EspflashError).toMatchObject({
      code: 'transport/closed',
    });
  });

  it('lets the peer drain bytes sent before the close, then reject', async () => {
    const { host, device } = createMemoryTransportPair();
    await device.write(bytes(0xaa, 0xbb));
    await device.close();
    expect(await host.read({ timeoutMs: 100 })).toEqual(bytes(0xaa, 0xbb));
    expect((await rejection(host.read({ timeoutMs: 100 }))) as EspflashError).toMatchObject({
      code: 'transport/closed',
    });
  });

  it('flushInput discards only what was received so far', async () => {
    const { host, device } = createMemoryTransportPair();
    await device.write(bytes(1, 2, 3));
    await host.flushInput();
    expect(await host.read({ timeoutMs: 0 })).toHaveLength(0);
    await device.write(bytes(4));
    expect(await host.read({ timeoutMs: 100 })).toEqual(bytes(4));
  });

  it('logs every host DTR/RTS change with the clock time and exposes the current lines', async () => {
    const clock = manualClock();
    const seen: boolean[] = [];
    const { host, device } = createMemoryTransportPair({ clock, onSignals: (e) => seen.push(e.rts) });
    expect(device.signals).toEqual({ dtr: false, rts: false });
    await host.setSignals({ dtr: false, rts: true });
    clock.advance(100);
    await host.setSignals({ dtr: true, rts: false });
    clock.advance(50);
    await host.setSignals({ dtr: false, rts: false });
    expect(device.signalsLog).toEqual([
      { dtr: false, rts: true, at: 0 },
      { dtr: true, rts: false, at: 100 },
      { dtr: false, rts: false, at: 150 },
    ]);
    expect(seen).toEqual([true, false, false]);
    await device.setSignals({ dtr: true, rts: true });
    expect(device.signalsLog).toHaveLength(3);
    expect(host.capabilities).toEqual({ modemLines: true, baudRate: true, rawStream: false });
  });

  it('tracks the nominal baud rate per end', async () => {
    const { host, device } = createMemoryTransportPair({ baudRate: 115200 });
    await host.setBaudRate(921600);
    expect(host.baudRate).toBe(921600);
    expect(device.baudRate).toBe(115200);
  });
});
