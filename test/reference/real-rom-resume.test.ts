// Resume on the real stub: flashing a generated ESP-IDF build into the genuine ESP32 ROM under QEMU
// through the flasher stub, over a link that flips bits at 1e-4 per byte both ways and drops the TCP
// connection once mid-write. QEMU keeps running (no reset line), so the chip is still in the stub,
// which may hold half a frame and be one SLIP END out of step; espflash must reach it again and
// resume from the first unverified sector. The judge is the QEMU flash file, read after QEMU stops.

import { readFile, rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { flashProject } from '../../src/api/flash-project.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import type { EspflashError } from '../../src/errors.js';
import type { FlashEvent } from '../../src/events.js';
import type { FlashPlan } from '../../src/plan/types.js';
import { sourced } from '../../src/provenance.js';
import { expectedRegions, plannedBuild } from '../e2e/support/planned.js';
import { startFlakyProxy } from '../support/flaky-proxy.js';
import { HAVE_TOOLS, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';

/**
 * Seeds of the flaky link (each costs 40-70 s of real time). Seed 2 was left out when the stub went up
 * in 6 KiB blocks: two flips of the same bit landed in one MEM_DATA block, the ROM's XOR checksum
 * passed it and the broken stub never started; with no reset line into QEMU nothing brings that chip
 * back (on a port that can reset, the stub fallback does). Over such links the stub now goes up in
 * 1 KiB blocks, which makes that rarer, not impossible.
 */
const SEEDS = (process.env.ESPFLASH_RESUME_SEEDS ?? '3,4,5').split(',').map(Number);

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.skipIf(!HAVE_TOOLS)(
  `real ROM: resume through a flaky link with a TCP drop${TOOLS_SKIP_NOTE}`,
  () => {
    // One seed at a time: run at once (three QEMUs), a reconnect sometimes starved and failed.
    it.each(SEEDS)(
      'seed %i lands every region verified (or, after a flip no checksum covers, fails truthfully)',
      { timeout: 300_000 },
      async (seed) => {
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
        const flash = new Uint8Array(await readFile(qemu.flashFile));
        const expected = await expectedRegions(plan, '4MB');
        if (error !== null && proxy.stats.unchecked.length > 0) {
          // The protocol checksums only data payloads. A flip in a command's parameters or framing can
          // wedge the stub (an MD5 or erase over a huge range) until a reset, and raw TCP has none: the
          // run may then fail, but only with a coded error whose summary is true to the chip.
          expect(code, `seed ${seed}: ${(error as Error).message}`).toBe('flash/connection-lost');
          const summary = (error as EspflashError).details?.summary as
            | { regions: Array<{ index: number; verified: boolean }> }
            | undefined;
          expect(summary?.regions.length).toBe(expected.length);
          for (const r of summary!.regions.filter((x) => x.verified)) {
            const region = expected[r.index]!;
            const onChip = flash.subarray(region.offset, region.offset + region.bytes.length);
            expect(bytesEqual(onChip, region.bytes), `seed ${seed}: ${region.label} claimed verified`).toBe(
              true,
            );
          }
          return;
        }
        expect(error, `seed ${seed}: ${code}: ${(error as Error | null)?.message}`).toBeNull();
        // The scenario really happened: a drop mid-write and bit flips toward the chip.
        expect(proxy.stats.dropped).toBe(true);
        expect(proxy.stats.connections).toBeGreaterThanOrEqual(2);
        expect(proxy.stats.flipsUp).toBeGreaterThan(0);
        expect(events.some((e) => e.type === 'retry' && e.operation === 'reconnect')).toBe(true);

        for (const region of expected) {
          const onChip = flash.subarray(region.offset, region.offset + region.bytes.length);
          expect(bytesEqual(onChip, region.bytes), `seed ${seed}: ${region.label} on the chip`).toBe(true);
        }
      },
    );
  },
);
