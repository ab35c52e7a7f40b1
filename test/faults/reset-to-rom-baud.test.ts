// Issue 9.4: an RTC watchdog reset into the ROM mid-write at the default baud (460800). The chip is
// back at 115200, so the host hears garble and the resync fails; the port itself is fine. The
// reconnect must reset and sync over the open port at 115200 (closing an unpinned sim:// port takes
// the chip with it, as reopening after a close never brings back a running chip's state), then
// resume verified. Before the fix every resumed block timed out and the write failed after 64 s.

import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import type { FlashEvent } from '../../src/events.js';
import { resetSimRegistry } from '../../src/sim/sim-registry.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { faultBuild } from './support/fault-run.js';

afterEach(() => {
  resetSimRegistry();
});

describe('reset into the ROM mid-write at the default baud', () => {
  for (const fault of ['reset-at:30000', 'reset-at:@3']) {
    it(`sim://esp32?fault=${fault}: reconnects at 115200 over the open port and lands verified`, async () => {
      const { plan, regions } = await faultBuild('esp32', 256 * 1024);
      const clock = new VirtualClock();
      const port = `sim://esp32?timing=1&fault=${fault}`;
      const events: FlashEvent[] = [];
      // No baud given: the default (460800) is what the issue saw fail.
      const device = await openDevice({ port, clock, baudMemory: false, onEvent: (e) => events.push(e) });
      try {
        expect(device.loader.baud).toBeGreaterThan(115200);
        const summary = await device.flash(plan);
        expect(summary.regions.every((r) => r.verified)).toBe(true);
        expect(summary.reconnects).toBeGreaterThanOrEqual(1);
        // The chip kept what was written before the reset (same chip, not a fresh one).
        for (const region of regions) {
          const back = await device.readFlash(region.offset, region.bytes.length);
          expect(bytesEqual(back, region.bytes), region.label).toBe(true);
        }
      } finally {
        await device.close();
      }
      const reconnect = events.find((e) => e.type === 'retry' && e.operation === 'reconnect');
      expect(reconnect).toBeDefined();
      // One reconnect does it: no storm of failing attempts.
      expect(events.filter((e) => e.type === 'retry' && e.operation === 'reconnect').length).toBe(1);
    });
  }
});
