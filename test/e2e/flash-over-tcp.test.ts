import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { flashProject } from '../../src/api/flash-project.js';
import { openDevice } from '../../src/api/open-device.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import type { FlashEvent } from '../../src/events.js';
import { startSimServer } from '../../src/sim/tcp-server.js';
import { expectedRegions, plannedBuild } from './support/planned.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('flashing the virtual chip over TCP (socket://)', () => {
  for (const chip of ['esp32', 'esp32c3', 'esp32s3'] as const) {
    it(`${chip}: flashProject writes the build and every region reads back as planned`, async () => {
      const server = await startSimServer({ chip, port: 0 });
      const { dir, buildDir } = await plannedBuild(chip);
      dirs.push(dir);
      const port = `socket://127.0.0.1:${server.port}`;
      try {
        const events: FlashEvent[] = [];
        const { plan, summary } = await flashProject({ buildDir, port, onEvent: (e) => events.push(e) });
        expect(summary.regions.every((r) => r.verified && r.status === 'written')).toBe(true);
        expect(events.filter((e) => e.type === 'region-verified')).toHaveLength(plan.regions.length);
        expect(events.some((e) => e.type === 'connected')).toBe(true);

        const expected = await expectedRegions(plan, '4MB');
        for (const region of expected) {
          expect(bytesEqual(server.device.flash.read(region.offset, region.bytes.length), region.bytes)).toBe(
            true,
          );
        }
        if (chip === 'esp32') {
          // No modem lines and no watchdog reset on the ESP32: the stub is left running, so a new
          // session re-uses it and can read everything back over the wire.
          const device = await openDevice({ port });
          try {
            for (const region of expected) {
              expect(
                bytesEqual(await device.readFlash(region.offset, region.bytes.length), region.bytes),
              ).toBe(true);
            }
          } finally {
            await device.close();
          }
        }
      } finally {
        await server.close();
      }
    });
  }
});
