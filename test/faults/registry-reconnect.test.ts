// The default reconnect path end to end: a `sim://…&id=` port whose USB disappears mid-write is
// reopened through openTransport (the sim registry plays USB re-enumeration: `port/not-found`
// while gone), re-synced, the stub re-uploaded, and the write resumed at the first bad sector.

import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import type { FlashEvent } from '../../src/events.js';
import { openSimUrl, resetSimRegistry } from '../../src/sim/sim-registry.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { faultBuild } from './support/fault-run.js';

afterEach(() => {
  resetSimRegistry();
});

describe('reconnect through the sim:// registry', () => {
  it('reopens the vanished port with backoff and finishes verified', async () => {
    const { plan, regions } = await faultBuild('esp32', 256 * 1024);
    const clock = new VirtualClock();
    const port = 'sim://esp32?id=registry-reconnect&timing=1&fault=disconnect-at:@4,disconnect-ms:1500';
    const events: FlashEvent[] = [];
    const device = await openDevice({ port, clock, baud: 921600, onEvent: (e) => events.push(e) });
    let summary: Awaited<ReturnType<typeof device.flash>>;
    try {
      summary = await device.flash(plan);
    } finally {
      await device.close();
    }
    expect(summary.regions.every((r) => r.verified)).toBe(true);
    expect(summary.reconnects).toBe(1);
    expect(events.some((e) => e.type === 'retry' && e.operation === 'reconnect')).toBe(true);
    // The resumed write did not start over: its first progress is past the blocks written before.
    const at = events.findIndex((e) => e.type === 'retry' && e.operation === 'reconnect');
    const before = events.slice(0, at).filter((e) => e.type === 'region-progress' && e.index === 2);
    const after = events.slice(at).find((e) => e.type === 'region-progress' && e.index === 2);
    expect(before.length).toBeGreaterThan(0);
    expect((after as { written: number }).written).toBeGreaterThan(
      (before[0] as { written: number }).written,
    );
    const check = openSimUrl(port, { clock });
    try {
      for (const r of regions)
        expect(bytesEqual(check.device.flash.read(r.offset, r.bytes.length), r.bytes)).toBe(true);
    } finally {
      await check.close();
    }
  });
});
