// The real ESP32 ROM judges a whole flash: espflash writes a generated ESP-IDF-shaped build
// (bootloader + partition table + app) into QEMU's flash through the stub and through the ROM loader,
// the flash file must hold exactly the planned bytes, and the ROM, booted from it (strap 0x12), must
// load every bootloader segment, jump to its entry and run it: the example bootloader's
// hand-assembled program prints one line (src/example/esp32-hello.ts).

import { readFile, rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ESP32_HELLO_LINE } from '../../src/example/esp32-hello.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { parseImage } from '../../src/image/image-parse.js';
import { derivePlan } from '../../src/plan/derive-plan.js';
import { expectedRegions } from '../e2e/support/planned.js';
import { bootLog, HAVE_TOOLS, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';
import { espflash, onQemu, scratch } from './support/real-rom-cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const hex = (n: number) => `0x${n.toString(16)}`;

describe.skipIf(!HAVE_TOOLS)(`real ESP32 ROM boots what espflash flashed${TOOLS_SKIP_NOTE}`, () => {
  it.each([
    { via: 'flasher stub at 921600', args: ['--baud', '921600'], stub: true, baud: 921600, seed: 11 },
    { via: 'ROM loader at 115200', args: ['--no-stub'], stub: false, baud: 115200, seed: 12 },
  ])(
    'flash through the $via: exact bytes, then the ROM loads the bootloader and runs it',
    async ({ args, stub, baud, seed }) => {
      const { dir, cacheDir } = scratch('boot');
      dirs.push(dir);
      const build = await generateExampleBuild({ dir, chip: 'esp32', seed, appSize: 64 * 1024 });
      const plan = await derivePlan({ buildDir: build.buildDir });
      const qemu = await startQemu();
      let run: Awaited<ReturnType<typeof espflash>>;
      try {
        run = await espflash(['flash', '--build-dir', build.buildDir, ...onQemu(qemu), ...args], {
          cwd: dir,
          cacheDir,
        });
      } finally {
        await qemu.stop();
      }
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const connected = run.event('connected');
      expect(connected).toMatchObject({ chip: 'esp32', stub });
      const summary = run.event('flash-summary') as unknown as {
        regions: Array<{ status: string; verified: boolean }>;
      };
      expect(summary.regions.map((r) => [r.status, r.verified])).toEqual([
        ['written', true],
        ['written', true],
        ['written', true],
      ]);

      // Exact bytes per region, and nothing written around them.
      const flash = new Uint8Array(await readFile(qemu.flashFile));
      const regions = await expectedRegions(plan, '4MB');
      let end = 0;
      for (const r of regions) {
        expect(
          Buffer.from(flash.subarray(r.offset, r.offset + r.bytes.length)).equals(r.bytes),
          r.label,
        ).toBe(true);
        end = Math.max(end, r.offset + r.bytes.length);
      }
      expect(flash.subarray(0, 0x1000).every((b) => b === 0xff)).toBe(true);
      const tailEnd = (end + 0xfff) & ~0xfff;
      expect(flash.subarray(end, tailEnd + 0x10000).every((b) => b === 0xff)).toBe(true);

      // The ROM boots it: every bootloader segment loaded, the entry reached, our program's line.
      const log = await bootLog(qemu.flashFile, 4000);
      const image = parseImage(regions[0]!.bytes);
      for (const seg of image.segments)
        expect(log).toContain(`load:${hex(seg.loadAddress)},len:${seg.length}`);
      expect(log).toContain(`entry ${hex(image.entry)}`);
      expect(log).toContain(`${ESP32_HELLO_LINE}\r\n`);
      expect(log).not.toMatch(/invalid header|checksum|csum err|Fatal exception/i);

      // Last: the baud (an explicit --baud over socket:// is honoured once the CHANGE_BAUDRATE work lands).
      expect.soft(connected.baud, 'baud reported by the loader').toBe(baud);
    },
    180_000,
  );
});
