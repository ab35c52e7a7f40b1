// Baud over raw TCP on the real ESP32 ROM (QEMU): without --baud the chip stays at 115200; an explicit
// 921600 makes the stub switch the chip's UART (its divider drops 8x, read back from the chip), the
// loader reports 921600, and a write and a whole build flashed at that rate land byte for byte in the
// chip's flash file. The ROM is the judge.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flashProject } from '../../src/api/flash-project.js';
import { openDevice } from '../../src/api/open-device.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import type { FlashEvent } from '../../src/events.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { expectedRegions } from '../e2e/support/planned.js';
import { HAVE_TOOLS, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';

/** ESP32 UART0 clock divider (integer part in bits 0..19). */
const UART0_CLKDIV = 0x3ff40014;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const pattern = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => ((i * 2654435761 + seed) >>> 13) & 0xff);

describe.skipIf(!HAVE_TOOLS)(`real ROM: --baud over socket://${TOOLS_SKIP_NOTE}`, () => {
  it('stays at 115200 without --baud; --baud 921600 switches the chip and writes land', async () => {
    const qemu = await startQemu();
    try {
      const quiet: FlashEvent[] = [];
      const first = await openDevice({
        port: qemu.url,
        before: 'no_reset',
        after: 'no_reset',
        onEvent: (e) => quiet.push(e),
      });
      let slowDivider: number;
      const small = pattern(20_000, 1);
      try {
        expect(first.loader.isStub).toBe(true);
        expect(first.loader.baud).toBe(115200);
        expect(quiet.some((e) => e.type === 'baud-changed')).toBe(false);
        expect(quiet.some((e) => e.type === 'warning' && e.code === 'connect/tcp-baud')).toBe(false);
        slowDivider = (await first.loader.readReg(UART0_CLKDIV)) & 0xfffff;
        expect((await first.writeBin(0x100000, small)).verified).toBe(true);
      } finally {
        await first.close();
      }

      // The stub keeps running (no reset over TCP): the next session re-uses it and switches its baud.
      const events: FlashEvent[] = [];
      const fast = await openDevice({
        port: qemu.url,
        baud: 921600,
        before: 'no_reset',
        after: 'no_reset',
        onEvent: (e) => events.push(e),
      });
      const big = pattern(256 * 1024, 2);
      try {
        expect(fast.loader.stubReused).toBe(true);
        expect(fast.loader.baud).toBe(921600);
        expect(events).toContainEqual({ type: 'baud-changed', baud: 921600 });
        const notice = events.filter((e) => e.type === 'warning' && e.code === 'connect/tcp-baud');
        expect(notice).toHaveLength(1);
        expect(notice[0]).toMatchObject({ message: expect.stringContaining('ser2net') });
        // The chip's own UART divider: 8x smaller for 8x the rate.
        const fastDivider = (await fast.loader.readReg(UART0_CLKDIV)) & 0xfffff;
        expect(slowDivider / fastDivider).toBeGreaterThan(7.5);
        expect(slowDivider / fastDivider).toBeLessThan(8.5);
        const result = await fast.writeBin(0x140000, big);
        expect(result).toMatchObject({ status: 'written', verified: true });
      } finally {
        await fast.close();
      }
      await qemu.stop();
      const flash = new Uint8Array(await readFile(qemu.flashFile));
      expect(bytesEqual(flash.subarray(0x100000, 0x100000 + small.length), small)).toBe(true);
      expect(bytesEqual(flash.subarray(0x140000, 0x140000 + big.length), big)).toBe(true);
    } finally {
      await qemu.stop();
    }
  }, 120_000);

  it('flashes a whole ESP-IDF-shaped build at 921600 through the stub; every region lands', async () => {
    const qemu = await startQemu();
    const { buildDir, files } = await generateExampleBuild({
      dir: join(qemu.flashFile, '..', 'project'),
      chip: 'esp32',
      appSize: 200 * 1024,
      seed: 8,
    });
    dirs.push(join(qemu.flashFile, '..'));
    try {
      const events: FlashEvent[] = [];
      const { plan, summary } = await flashProject({
        buildDir,
        port: qemu.url,
        baud: 921600,
        onEvent: (e) => events.push(e),
      });
      expect(summary.baud).toBe(921600);
      expect(summary.regions.every((r) => r.status === 'written' && r.verified)).toBe(true);
      expect(events.find((e) => e.type === 'connected')).toMatchObject({ baud: 921600, stub: true });
      await qemu.stop();
      const flash = new Uint8Array(await readFile(qemu.flashFile));
      for (const region of await expectedRegions(plan, '4MB')) {
        const { offset, bytes } = region;
        expect(bytesEqual(flash.subarray(offset, offset + bytes.length), bytes), region.label).toBe(true);
      }
      expect(files.app).toBeTruthy();
    } finally {
      await qemu.stop();
    }
  }, 120_000);
});
