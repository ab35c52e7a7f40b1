import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import { CHIP_NAMES } from '../../src/chips/chips.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { expectedRegions, plannedBuild } from './support/planned.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.each(CHIP_NAMES)('flash a generated %s build to the virtual chip', (chip) => {
  for (const stub of [true, false]) {
    it(`${stub ? 'with the stub' : 'through the ROM (--no-stub)'}: every region reads back as planned`, async () => {
      const { dir, plan } = await plannedBuild(chip);
      dirs.push(dir);
      // Virtual time: resets and timeouts cost nothing (openDevice connects on the port's clock).
      const transport = createSimTransport({ chip, clock: new VirtualClock() });
      const device = await openDevice({ port: transport.description, transport, chip, stub });
      try {
        expect(device.loader.isStub).toBe(stub);
        const summary = await device.flash(plan);
        const romCannotVerify = chip === 'esp8266' && !stub;
        expect(summary.regions.map((r) => r.status)).toEqual(plan.regions.map(() => 'written'));
        expect(summary.regions.every((r) => r.verified)).toBe(!romCannotVerify);

        const expected = await expectedRegions(plan, device.flashInfo.id?.sizeName ?? null);
        for (const region of expected) {
          const onChip = transport.device.flash.read(region.offset, region.bytes.length);
          expect(bytesEqual(onChip, region.bytes), `${region.label} on the chip`).toBe(true);
          if (!romCannotVerify) {
            const back = await device.readFlash(region.offset, region.bytes.length);
            expect(bytesEqual(back, region.bytes), `${region.label} read back`).toBe(true);
          }
        }
        // A second flash finds everything in place (MD5 skip) where the loader can checksum.
        if (!romCannotVerify) {
          const again = await device.flash(plan);
          expect(again.regions.every((r) => r.status === 'skipped')).toBe(true);
        }
      } finally {
        await device.close();
      }
    });
  }
});
