// Resume on the real stub: flashing a generated ESP-IDF build into the genuine ESP32 ROM under QEMU
// through the flasher stub, over a link that flips bits at 1e-4 per byte both ways and drops the TCP
// connection once mid-write. QEMU keeps running (no reset line), so the chip is still in the stub,
// which may hold half a frame and be one SLIP END out of step; espflash must reach it again and
// resume from the first unverified sector. The judge is the QEMU flash file, read after QEMU stops.

import { readFile, rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { flashProject } from '../../src/api/flash-project.js';
import { bytesEqual } from '../../src/core/bytes.js';
import type { FlashEvent } from '../../src/events.js';
import type { FlashPlan } from '../../src/plan/types.js';
import { sourced } from '../../src/provenance.js';
import { expectedRegions, plannedBuild } from '../e2e/support/planned.js';
import { startFlakyProxy } from '../support/flaky-proxy.js';
import { HAVE_TOOLS, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';

/**
 * Seeds of the flaky link (each costs 40-70 s of real time). Seed 2 is left out on purpose: two
 * flips of the same bit land in one 6 KiB MEM_DATA block of the stub upload, the ROM's XOR
 * checksum passes it, and the broken stub never starts; with no reset line into QEMU nothing can
 * bring that chip back (on a serial port the stub fallback resets it).
 */
const SEEDS = (process.env.ESPFLASH_RESUME_SEEDS ?? '3,4,5').split(',').map(Number);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.skipIf(!HAVE_TOOLS)(
  `real ROM: resume through a flaky link with a TCP drop${TOOLS_SKIP_NOTE}`,
  () => {
    it.each(SEEDS)('seed %i lands every region verified', { timeout: 300_000 }, async (seed) => {
      const build = await plannedBuild('esp32');
      dirs.push(build.dir);
      const plan: FlashPlan = {
        ...build.plan,
        before: sourced('no_reset' as const, 'cli'),
        after: sourced('no_reset' as const, 'cli'),
      };
      const qemu = await startQemu();
      // Drop somewhere in the app (it starts about 30 KB into the host's bytes).
      const dropAfter = 70_000 + ((seed * 37_813) % 80_000);
      const proxy = await startFlakyProxy({ targetPort: qemu.port, seed, flipRate: 1e-4, dropAfter });
      const events: FlashEvent[] = [];
      let error: unknown = null;
      try {
        await flashProject({ plan, port: proxy.url, baudMemory: false, onEvent: (e) => events.push(e) });
      } catch (err) {
        error = err;
      } finally {
        await proxy.close();
        await qemu.stop();
      }
      const code = (error as { code?: string } | null)?.code;
      expect(error, `seed ${seed}: ${code}: ${(error as Error | null)?.message}`).toBeNull();
      // The scenario really happened: a drop mid-write and bit flips toward the chip.
      expect(proxy.stats.dropped).toBe(true);
      expect(proxy.stats.connections).toBeGreaterThanOrEqual(2);
      expect(proxy.stats.flipsUp).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'retry' && e.operation === 'reconnect')).toBe(true);

      const flash = new Uint8Array(await readFile(qemu.flashFile));
      for (const region of await expectedRegions(plan, '4MB')) {
        const onChip = flash.subarray(region.offset, region.offset + region.bytes.length);
        expect(bytesEqual(onChip, region.bytes), `seed ${seed}: ${region.label} on the chip`).toBe(true);
      }
    });
  },
);
