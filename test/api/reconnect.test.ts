// createReconnector: the baud ladder, polling for a port that comes back with a bounded backoff on
// the injected clock, and giving up with the last error.

import { describe, expect, it } from 'vitest';
import { BAUD_LADDER, createReconnector, lowerBaud } from '../../src/api/reconnect.js';
import type { Connection } from '../../src/core/connect/connect.js';
import { EspflashError } from '../../src/errors.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const lost = new EspflashError('port/disconnected', 'gone');
/** A loader whose port is gone: only close() is used. */
const deadLoader = {
  baud: 921600,
  transport: { baudRate: 921600 },
  close: async () => {},
} as unknown as Connection;

describe('lowerBaud', () => {
  it('steps 921600 → 460800 → 230400 → 115200 and stops at the bottom', () => {
    expect(BAUD_LADDER).toEqual([921600, 460800, 230400, 115200]);
    expect(lowerBaud(921600)).toBe(460800);
    expect(lowerBaud(500000)).toBe(460800);
    expect(lowerBaud(230400)).toBe(115200);
    expect(lowerBaud(115200)).toBeNull();
  });
});

describe('createReconnector', () => {
  it('polls the port with a doubling pause until it is back, then connects at the requested baud', async () => {
    const clock = new VirtualClock();
    const pauses: number[] = [];
    let opens = 0;
    const reconnect = createReconnector({
      connect: { clock, chip: 'esp32', stub: false },
      baud: 460800,
      sizeBytes: undefined,
      policy: { initialDelayMs: 100, maxDelayMs: 1000 },
      reopen: async () => {
        pauses.push(clock.now());
        opens++;
        if (opens < 3) throw new EspflashError('port/not-found', 'not yet');
        return createSimTransport({ chip: 'esp32', clock });
      },
    });
    const r = await reconnect(deadLoader, { reason: 'gone', error: lost, lowerBaud: false });
    try {
      expect(opens).toBe(3);
      expect(pauses[1]! - pauses[0]!).toBeGreaterThanOrEqual(200);
      expect(pauses[2]! - pauses[1]!).toBeGreaterThanOrEqual(400);
      expect(r.loader.baud).toBe(460800);
      expect(r.flash.sizeBytes).toBe(4 << 20);
    } finally {
      await r.loader.close();
    }
  });

  it('gives up after the attempts with the last error, and a step down asks for the next rung', async () => {
    const clock = new VirtualClock();
    let opens = 0;
    const events: unknown[] = [];
    const reconnect = createReconnector({
      connect: { clock, onEvent: (e) => events.push(e) },
      baud: 921600,
      sizeBytes: undefined,
      policy: { attempts: 4, initialDelayMs: 50 },
      reopen: async () => {
        opens++;
        throw new EspflashError('port/not-found', `attempt ${opens}`);
      },
    });
    const err = await reconnect(deadLoader, { reason: 'gone', error: lost, lowerBaud: true }).catch((e) => e);
    expect(err.code).toBe('port/not-found');
    expect(err.message).toBe('attempt 4');
    expect(events).toContainEqual(
      expect.objectContaining({ code: 'flash/baud-lowered', message: expect.stringContaining('460800') }),
    );
  });

  it('without a way to reopen, a lost port is final at once', async () => {
    const reconnect = createReconnector({ connect: {}, baud: undefined, sizeBytes: undefined, reopen: null });
    await expect(reconnect(deadLoader, { reason: 'gone', error: lost, lowerBaud: false })).rejects.toBe(lost);
  });
});
