// esptool 4.8.1, unmodified, against `espflash sim` listening on TCP (socket://), on every path it
// offers: chip detection, stub upload (its own legacy stub, esptool v5's legacy set 1 and its
// default esp-flasher-stub set 2) and the ROM loader (--no-stub); write_flash compressed and -u,
// verify_flash, read_flash, erase_region, erase_flash, flash_id, read_mac, --after no_reset and
// hard_reset. What was written is checked by reading the virtual chip's flash directly.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChipName } from '../../src/chips/chips.js';
import { type SimServer, startSimServer } from '../../src/sim/tcp-server.js';
import { HAVE_TOOLS, runEsptool, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';

/** Deterministic test data: a compressible half and an incompressible half. */
function image(n: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = i < n / 2 ? (i >> 6) & 0xff : x & 0xff;
  }
  return out;
}

const DISPLAY: Record<string, string> = { esp32: 'ESP32', esp32s3: 'ESP32-S3', esp32c3: 'ESP32-C3' };

/** The stub choices: esptool 4.8.1's own (legacy), v5.3 set 1 (legacy), v5.3 set 2 (esp-flasher-stub). */
const STUBS = [
  ['esptool 4.8.1 stub', undefined],
  ['legacy stub (v5 set 1)', 1],
  ['esp-flasher-stub (v5 set 2)', 2],
] as const;

describe.skipIf(!HAVE_TOOLS)(`esptool against espflash sim${TOOLS_SKIP_NOTE}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'espflash-esptool-sim-'));
  });

  // The chips run at once (each has its own sim server and files); each chip's steps run in order.
  describe.concurrent.each(['esp32', 'esp32s3', 'esp32c3'] as const)('%s', (chip: ChipName) => {
    let sim: SimServer;
    const esptool = async (args: string[], options: { stubSet?: 1 | 2; after?: string } = {}) => {
      const run = await runEsptool(
        [
          '-p',
          `socket://127.0.0.1:${sim.port}`,
          '--before',
          'no_reset',
          '--after',
          options.after ?? 'no_reset',
          ...args,
        ],
        options.stubSet === undefined ? {} : { stubSet: options.stubSet },
      );
      expect(run.output, run.output).toContain(`Chip is ${DISPLAY[chip]}`);
      expect(run.code, run.output).toBe(0);
      return run.output;
    };
    const file = async (name: string, bytes: Uint8Array) => {
      const path = join(dir, `${chip}-${name}`);
      await writeFile(path, bytes);
      return path;
    };
    const flashAt = (offset: number, size: number) => sim.device.flash.read(offset, size);

    beforeAll(async () => {
      sim = await startSimServer({ chip, port: 0, timing: false });
    });
    afterAll(async () => {
      await sim.close();
    });

    it.sequential('ROM loader (--no-stub): detect, flash_id, read_mac, write_flash plain and -z, read_flash, verify_flash', async () => {
      const id = await esptool(['--no-stub', 'flash_id']);
      expect(id).toContain('Detected flash size: 4MB');
      expect(await esptool(['--no-stub', 'read_mac'])).toMatch(/MAC: ([0-9a-f]{2}:){5}[0-9a-f]{2}/);
      const plain = image(0x3000, 1);
      await esptool(['--no-stub', 'write_flash', '0x20000', await file('rom-plain.bin', plain)]);
      expect(flashAt(0x20000, plain.length)).toEqual(plain);
      const packed = image(0x2800, 2);
      const out = await esptool([
        '--no-stub',
        'write_flash',
        '-z',
        '0x30000',
        await file('rom-z.bin', packed),
      ]);
      expect(out).toContain('Hash of data verified.');
      expect(flashAt(0x30000, packed.length)).toEqual(packed);
      const back = join(dir, `${chip}-rom-read.bin`);
      await esptool(['--no-stub', 'read_flash', '0x20000', '0x400', back]);
      expect(new Uint8Array(await readFile(back))).toEqual(plain.subarray(0, 0x400));
      expect(
        await esptool(['--no-stub', 'verify_flash', '0x30000', await file('rom-z.bin', packed)]),
      ).toContain('verify OK');
      expect(sim.device.mode).toBe('rom');
    });

    describe.sequential.each(STUBS)('%s', (name, stubSet) => {
      const opts = stubSet === undefined ? {} : { stubSet };
      const base = 0x100000 * (stubSet === undefined ? 1 : stubSet + 1);

      it('write_flash compressed and -u, verify_flash, read_flash, erase_region, flash_id, read_mac', async () => {
        const app = image(0x11000, base);
        const out = await esptool(
          ['write_flash', `0x${base.toString(16)}`, await file(`${name}-app.bin`, app)],
          opts,
        );
        expect(out).toMatch(/Wrote \d+ bytes \(\d+ compressed\)/);
        expect(out).toContain('Hash of data verified.');
        expect(flashAt(base, app.length)).toEqual(app);
        // --after no_reset: the legacy stub resets into the ROM loader; esp-flasher-stub stays (as on QEMU).
        expect(sim.device.mode).toBe(stubSet === 2 ? 'stub' : 'rom');

        const plain = image(0x2400, base + 1);
        const at = base + 0x40000;
        const outU = await esptool(
          ['write_flash', '-u', `0x${at.toString(16)}`, await file(`${name}-u.bin`, plain)],
          opts,
        );
        expect(outU).toContain('Hash of data verified.');
        expect(flashAt(at, plain.length)).toEqual(plain);

        expect(
          await esptool(['verify_flash', `0x${base.toString(16)}`, await file(`${name}-app.bin`, app)], opts),
        ).toContain('verify OK');
        const back = join(dir, `${chip}-${stubSet ?? 0}-read.bin`);
        await esptool(['read_flash', `0x${base.toString(16)}`, '0x11000', back], opts);
        expect(new Uint8Array(await readFile(back))).toEqual(app);

        await esptool(['erase_region', `0x${at.toString(16)}`, '0x1000'], opts);
        expect(flashAt(at, 0x1000).every((b) => b === 0xff)).toBe(true);
        expect(flashAt(at + 0x1000, 0x1400)).toEqual(plain.subarray(0x1000));

        expect(await esptool(['flash_id'], opts)).toContain('Detected flash size: 4MB');
        expect(await esptool(['read_mac'], opts)).toMatch(/MAC: ([0-9a-f]{2}:){5}[0-9a-f]{2}/);
      });
    });

    it.sequential('--after hard_reset (no reset over TCP: the command still succeeds) and erase_flash', async () => {
      const app = image(0x4000, 99);
      const out = await esptool(['write_flash', '0x8000', await file('hard.bin', app)], {
        stubSet: 2,
        after: 'hard_reset',
      });
      expect(out).toContain('Hash of data verified.');
      expect(flashAt(0x8000, app.length)).toEqual(app);
      await esptool(['erase_flash'], { stubSet: 2 });
      expect(flashAt(0, sim.device.flash.size).every((b) => b === 0xff)).toBe(true);
    });
  });
});
