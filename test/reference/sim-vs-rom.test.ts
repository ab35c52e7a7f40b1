// Differential tests: the same raw command sequences go to the genuine ESP32 ROM under QEMU and to
// `espflash sim` (esp32, over TCP), and every response frame must be byte-identical, apart from the
// intended differences listed in README.md ("The virtual ESP32 and the real ROM"): boot text is not
// compared, and the scenarios avoid eFuse/MAC contents and timing. Covers the ROM loader and the two
// stub families (esp-flasher-stub, which espflash uploads, and esptool's legacy stub).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OP } from '../../src/core/protocol/opcodes.js';
import { dataBlock, encodeCommand } from '../../src/core/protocol/packets.js';
import { slipEncode } from '../../src/core/protocol/slip.js';
import { startSimServer } from '../../src/sim/tcp-server.js';
import { HAVE_TOOLS, SHARED_TOOLS, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';
import {
  type Exchange,
  frameHex,
  RawClient,
  type StubJson,
  uploadStub,
  words,
} from './support/raw-client.js';

const require = createRequire(import.meta.url);
/** The stub espflash uploads (esp-flasher-stub 1.2.2, from the esptool-js package). */
const FLASHER_STUB = join(dirname(require.resolve('esptool-js')), 'targets', 'stub_flasher', 'esp32.json');
const LEGACY_V5 = join(SHARED_TOOLS, 'esptool', 'stubs-v5.3', '1', 'esp32.json');
const LEGACY_481 = join(SHARED_TOOLS, 'esptool', 'esptool', 'targets', 'stub_flasher', '1', 'esp32.json');

const MAGIC = 0x40001000;
/** A harmless RAM word to write and read back (ESP32 internal SRAM). */
const SCRATCH = 0x3ffb0000;

/** One recorded step: its label and the response frames as hex (boot text removed). */
interface Step {
  label: string;
  frames: string[];
}

/** Boot text that lands inside a frame after a reset is boot text, an intended difference. */
const isBootText = (f: Uint8Array) => f.length > 4 && String.fromCharCode(...f.subarray(0, 4)) === 'ets ';

class Recorder {
  readonly steps: Step[] = [];
  constructor(public client: RawClient) {}
  async step(label: string, exchange: Promise<Exchange>): Promise<Exchange> {
    const ex = await exchange;
    this.steps.push({ label, frames: ex.frames.filter((f) => !isBootText(f)).map(frameHex) });
    return ex;
  }
  cmd(
    label: string,
    op: number,
    data: Uint8Array = new Uint8Array(0),
    opts: { count?: number; maxMs?: number } = {},
  ) {
    return this.step(label, this.client.exchange(op, data, opts));
  }
  block(label: string, op: number, seq: number, payload: Uint8Array, checksum?: number, count = 1) {
    this.client.clear();
    this.client.sendBlock(op, seq, payload, checksum);
    return this.step(label, this.client.collect({ count }));
  }
  raw(label: string, frame: number[], count = 1) {
    this.client.clear();
    this.client.writeRaw(new Uint8Array([0xc0, ...frame, 0xc0]));
    return this.step(label, this.client.collect({ count }));
  }
  sync(label = 'SYNC') {
    return this.step(label, this.client.sync());
  }
}

type Scenario = (r: Recorder) => Promise<void>;

/** Run a scenario on a fresh target; returns the recorded steps. */
async function runOn(target: 'rom' | 'sim', scenario: Scenario): Promise<Step[]> {
  const server =
    target === 'rom' ? await startQemu() : await startSimServer({ chip: 'esp32', port: 0, timing: false });
  const port = server.port;
  const stop = 'stop' in server ? () => server.stop() : () => server.close();
  const rec = new Recorder(await RawClient.connect(port));
  try {
    // The ROM prints its banner at power-on; let it pass (not compared).
    await rec.client.collect({ count: 0, quietMs: target === 'rom' ? 800 : 50, maxMs: 5000 });
    await scenario(rec);
    return rec.steps;
  } finally {
    rec.client.close();
    await stop();
  }
}

/**
 * Run on both at once (each target has its own link and recorder; the real-time waits overlap) and
 * compare step by step (a readable diff on failure).
 */
async function expectTwins(scenario: Scenario): Promise<Step[]> {
  const [rom, sim] = await Promise.all([runOn('rom', scenario), runOn('sim', scenario)]);
  expect(sim.map((s) => s.label)).toEqual(rom.map((s) => s.label));
  const diff = rom.flatMap((s, i) =>
    JSON.stringify(s.frames) === JSON.stringify(sim[i]!.frames)
      ? []
      : [
          `${s.label}\n  rom: ${s.frames.join(' | ') || '(nothing)'}\n  sim: ${sim[i]!.frames.join(' | ') || '(nothing)'}`,
        ],
  );
  expect(diff.join('\n')).toBe('');
  return rom;
}

const frames = (steps: Step[], label: string) => steps.find((s) => s.label === label)?.frames ?? [];
/** A fixed byte pattern. */
const pattern = (n: number, k: number) => new Uint8Array(n).map((_, i) => (i * k + k) & 0xff);
/** Deterministic incompressible bytes (xorshift32). */
function noiseBytes(n: number, seed = 0x2545f491): Uint8Array {
  let x = seed;
  return new Uint8Array(n).map(() => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  });
}
const stubJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as StubJson;

describe.skipIf(!HAVE_TOOLS)(
  `the virtual ESP32 answers like the real ESP32 ROM${TOOLS_SKIP_NOTE}`,
  { timeout: 300_000 },
  () => {
    it("ROM: SYNC, registers, unsupported commands, GET_SECURITY_INFO and esptool's fallback, bad frames", async () => {
      const steps = await expectTwins(async (r) => {
        await r.cmd('unsupported opcode before any reply', 0xd1, words(0, 0x1000));
        await r.sync();
        await r.cmd('READ_REG magic', OP.READ_REG, words(MAGIC));
        await r.cmd('READ_REG with 8 bytes', OP.READ_REG, words(MAGIC, 0));
        await r.cmd('WRITE_REG', OP.WRITE_REG, words(SCRATCH, 0x12345678, 0xffffffff, 0));
        await r.cmd(
          'WRITE_REG two records',
          OP.WRITE_REG,
          words(SCRATCH, 1, 0xff, 0, SCRATCH + 4, 2, 0xffffffff, 0),
        );
        await r.cmd('READ_REG written', OP.READ_REG, words(SCRATCH));
        await r.cmd('WRITE_REG with 12 bytes', OP.WRITE_REG, words(SCRATCH, 1, 0xffffffff));
        await r.cmd('GET_SECURITY_INFO after READ_REG', OP.GET_SECURITY_INFO);
        await r.sync('esptool re-syncs');
        await r.cmd('GET_SECURITY_INFO after SYNC', OP.GET_SECURITY_INFO, undefined, { count: 8 });
        await r.sync('re-sync again');
        await r.cmd('esptool reads the chip magic', OP.READ_REG, words(MAGIC));
        await r.cmd('unsupported stub opcode (ERASE_FLASH)', 0xd0);
        await r.cmd('unsupported opcode 0x42', 0x42, words(1, 2));
        await r.cmd('READ_REG after unsupported', OP.READ_REG, words(SCRATCH + 4));
        await r.raw('direction byte 1', [1, OP.READ_REG, 4, 0, 0, 0, 0, 0, 0x00, 0x10, 0x00, 0x40]);
        await r.raw('size field 8, data 4', [0, OP.READ_REG, 8, 0, 0, 0, 0, 0, 0x00, 0x00, 0xfb, 0x3f]);
        await r.raw('size field 2, data 4', [0, OP.READ_REG, 2, 0, 0, 0, 0, 0, 0x00, 0x10, 0x00, 0x40]);
        await r.cmd('SPI_ATTACH with 4 bytes', OP.SPI_ATTACH, words(0));
        await r.cmd('SPI_ATTACH', OP.SPI_ATTACH, words(0, 0));
        await r.cmd('SPI_SET_PARAMS with 20 bytes', OP.SPI_SET_PARAMS, words(0, 4 << 20, 0x10000, 4096, 256));
        await r.cmd('SPI_SET_PARAMS', OP.SPI_SET_PARAMS, words(0, 4 << 20, 0x10000, 4096, 256, 0xffff));
        await r.cmd('SPI_FLASH_MD5 blank', OP.SPI_FLASH_MD5, words(0, 0x1000, 0, 0));
        await r.cmd('SPI_FLASH_MD5 with 8 bytes', OP.SPI_FLASH_MD5, words(0x1000, 0x1000));
        await r.cmd('READ_FLASH_SLOW 64', OP.READ_FLASH_SLOW, words(0x1000, 64));
        await r.cmd('READ_FLASH_SLOW 16', OP.READ_FLASH_SLOW, words(0x1000, 16));
        await r.cmd('READ_FLASH_SLOW 65', OP.READ_FLASH_SLOW, words(0x1000, 65));
        await r.cmd('READ_FLASH_SLOW past the end', OP.READ_FLASH_SLOW, words((4 << 20) - 16, 64));
        await r.cmd('WRITE_REG after a 64-byte reply', OP.WRITE_REG, words(SCRATCH, 3, 0xffffffff, 0));
        await r.cmd('CHANGE_BAUDRATE 230400', OP.CHANGE_BAUDRATE, words(230400, 0));
        await r.sync('SYNC at 230400');
        await r.cmd('CHANGE_BAUDRATE 115200', OP.CHANGE_BAUDRATE, words(115200, 0));
        await r.cmd('READ_REG magic at the end', OP.READ_REG, words(MAGIC));
      });
      // What esptool relies on: the ESP32 ROM answers GET_SECURITY_INFO under the previous opcode with
      // 01 05 (8 times after a SYNC), and answers READ_REG of the magic register after a re-sync.
      expect(frames(steps, 'GET_SECURITY_INFO after SYNC')).toEqual(
        Array(8).fill('01 08 04 00 07 07 12 20 01 05 00 00'),
      );
      expect(frames(steps, 'esptool reads the chip magic')).toEqual(['01 0a 04 00 83 1d f0 00 00 00 00 00']);
    });

    it('ROM: FLASH_*, FLASH_DEFL_*, MEM_*, sequence and checksum errors, and the reboot leave', async () => {
      const image = pattern(0x1800, 7);
      const z = new Uint8Array(deflateSync(image, { level: 9 }));
      const steps = await expectTwins(async (r) => {
        await r.sync();
        await r.cmd('SPI_ATTACH', OP.SPI_ATTACH, words(0, 0));
        await r.cmd(
          'FLASH_BEGIN with the encrypted word',
          OP.FLASH_BEGIN,
          words(0x1000, 1, 0x400, 0x10000, 0),
        );
        await r.cmd('FLASH_BEGIN unaligned', OP.FLASH_BEGIN, words(0x1000, 1, 0x400, 0x10100));
        await r.cmd(
          'FLASH_BEGIN past 2 MB before SPI_SET_PARAMS',
          OP.FLASH_BEGIN,
          words(0x1000, 1, 0x400, 0x200000),
        );
        await r.cmd('FLASH_BEGIN', OP.FLASH_BEGIN, words(0x800, 2, 0x400, 0x10000));
        await r.block('FLASH_DATA 0 bad checksum', OP.FLASH_DATA, 0, pattern(0x400, 1), 0);
        await r.block('FLASH_DATA 0 again (wrong seq now)', OP.FLASH_DATA, 0, pattern(0x400, 1));
        await r.block('FLASH_DATA 1', OP.FLASH_DATA, 1, pattern(0x400, 2));
        await r.block('FLASH_DATA 3 (wrong seq)', OP.FLASH_DATA, 3, pattern(0x400, 3));
        await r.block('FLASH_DATA 2 past the announced size', OP.FLASH_DATA, 2, pattern(0x400, 3));
        await r.block('FLASH_DATA 3 longer than a block', OP.FLASH_DATA, 3, pattern(0x800, 4));
        await r.block('FLASH_DATA 3 short', OP.FLASH_DATA, 3, pattern(0x100, 5));
        await r.cmd('MD5 of what was written', OP.SPI_FLASH_MD5, words(0x10000, 0x1000, 0, 0));
        await r.cmd('READ_FLASH_SLOW written', OP.READ_FLASH_SLOW, words(0x10800, 64));
        const blocks = Math.ceil(z.length / 0x100);
        await r.cmd('FLASH_DEFL_BEGIN', OP.FLASH_DEFL_BEGIN, words(0x1800, blocks, 0x100, 0x20000));
        await r.block('FLASH_DEFL_DATA 1 (wrong seq)', OP.FLASH_DEFL_DATA, 1, z.subarray(0x100, 0x200));
        for (let i = 0; i < blocks; i++) {
          await r.block(
            `FLASH_DEFL_DATA ${i}`,
            OP.FLASH_DEFL_DATA,
            i,
            z.subarray(i * 0x100, (i + 1) * 0x100),
          );
        }
        await r.cmd('MD5 of the inflated image', OP.SPI_FLASH_MD5, words(0x20000, 0x1800, 0, 0));
        await r.cmd('MEM_BEGIN', OP.MEM_BEGIN, words(0x100, 2, 0x80, SCRATCH));
        await r.block('MEM_DATA 0 bad checksum', OP.MEM_DATA, 0, pattern(0x80, 1), 0);
        await r.block('MEM_DATA 1 (wrong seq)', OP.MEM_DATA, 1, pattern(0x80, 1));
        await r.block('MEM_DATA 0', OP.MEM_DATA, 0, pattern(0x80, 1));
        await r.block('MEM_DATA 1', OP.MEM_DATA, 1, pattern(0x80, 2));
        await r.block('MEM_DATA 2 too much', OP.MEM_DATA, 2, pattern(0x80, 3));
        await r.cmd('READ_REG uploaded RAM', OP.READ_REG, words(SCRATCH + 0x80));
        await r.cmd('MEM_END without entry', OP.MEM_END, words(1, 0));
        await r.cmd('FLASH_BEGIN 0 (leave)', OP.FLASH_BEGIN, words(0, 0, 0x400, 0));
        await r.cmd('FLASH_END 0: reboot', OP.FLASH_END, words(0), { maxMs: 3000 });
        await r.step('after the reboot', r.client.collect({ count: 0, quietMs: 800 }));
        r.client.resync();
        await r.sync('SYNC after the reboot');
        await r.cmd('READ_REG magic after the reboot', OP.READ_REG, words(MAGIC));
      });
      expect(frames(steps, 'FLASH_DATA 0 again (wrong seq now)')).toEqual([
        '01 03 04 00 07 07 12 20 01 05 00 00',
      ]);
      expect(frames(steps, 'SYNC after the reboot')).toHaveLength(8);
    });

    it('ROM: FLASH_END(1) without FLASH_BEGIN fails and still leaves the loader', async () => {
      await expectTwins(async (r) => {
        await r.sync();
        await r.cmd('FLASH_END 1 without a session', OP.FLASH_END, words(1));
        await r.step(
          'the loader is gone',
          r.client.collect({ count: 0, quietMs: 300 }).then((ex) => ({ ...ex, frames: [] })),
        );
      });
    });

    it('ROM: FLASH_DEFL_DATA after the end of the stream hangs the loader', async () => {
      const z = new Uint8Array(deflateSync(pattern(0x800, 3), { level: 9 }));
      const steps = await expectTwins(async (r) => {
        await r.sync();
        await r.cmd('SPI_ATTACH', OP.SPI_ATTACH, words(0, 0));
        await r.cmd('FLASH_DEFL_BEGIN', OP.FLASH_DEFL_BEGIN, words(0x800, 1, 0x400, 0x30000));
        await r.block('FLASH_DEFL_DATA 0 (the whole stream)', OP.FLASH_DEFL_DATA, 0, z);
        await r.block('FLASH_DEFL_DATA 1 after the end', OP.FLASH_DEFL_DATA, 1, pattern(16, 9), undefined, 0);
        await r.step(
          'SYNC to a hung loader',
          r.client.exchange(OP.SYNC, new Uint8Array([7, 7, 0x12, 0x20, ...Array(32).fill(0x55)]), {
            count: 0,
            quietMs: 500,
          }),
        );
      });
      expect(frames(steps, 'SYNC to a hung loader')).toEqual([]);
    });

    describe.each([
      ['esp-flasher-stub (espflash, esptool v5)', FLASHER_STUB],
      ['legacy stub (esptool v5 set 1)', LEGACY_V5],
      ['legacy stub (esptool 4.8.1)', LEGACY_481],
    ])('%s', (_name, stubFile) => {
      it("answers commands, errors and esptool's leave sequences like the real stub", async () => {
        const image = pattern(0x5000, 7);
        const z = new Uint8Array(deflateSync(image, { level: 9 }));
        const nb = Math.ceil(z.length / 0x100);
        const defl = async (r: Recorder, at: number, label: string) => {
          await r.cmd(`${label}: FLASH_DEFL_BEGIN`, OP.FLASH_DEFL_BEGIN, words(image.length, nb, 0x100, at));
          for (let i = 0; i < nb; i++)
            await r.block(
              `${label}: DEFL_DATA ${i}`,
              OP.FLASH_DEFL_DATA,
              i,
              z.subarray(i * 0x100, (i + 1) * 0x100),
            );
        };
        const steps = await expectTwins(async (r) => {
          await r.sync();
          const upload = await uploadStub(r.client, stubJson(stubFile));
          for (const [i, ex] of upload.entries())
            r.steps.push({ label: `upload ${i}`, frames: ex.frames.map(frameHex) });
          await r.sync('SYNC to the stub');
          await r.cmd('READ_REG magic', OP.READ_REG, words(MAGIC));
          await r.cmd('READ_REG with 8 bytes', OP.READ_REG, words(MAGIC, 0));
          await r.cmd('WRITE_REG', OP.WRITE_REG, words(SCRATCH, 0x12345678, 0xffffffff, 0));
          await r.cmd('WRITE_REG with 12 bytes', OP.WRITE_REG, words(SCRATCH, 1, 0xffffffff));
          await r.cmd(
            'WRITE_REG two records',
            OP.WRITE_REG,
            words(SCRATCH, 1, 0xffffffff, 0, SCRATCH + 4, 2, 0xffffffff, 0),
          );
          await r.cmd('READ_REG written', OP.READ_REG, words(SCRATCH + 4));
          await r.cmd('unknown opcode', 0x55);
          await r.cmd('READ_FLASH_SLOW', OP.READ_FLASH_SLOW, words(0, 64));
          await r.cmd('GET_SECURITY_INFO', OP.GET_SECURITY_INFO);
          await r.raw('size field 8, data 4', [0, OP.READ_REG, 8, 0, 0, 0, 0, 0, 0x00, 0x10, 0x00, 0x40]);
          await r.raw('direction byte 1', [1, OP.READ_REG, 4, 0, 0, 0, 0, 0, 0x00, 0x10, 0x00, 0x40]);
          await r.cmd('SPI_ATTACH', OP.SPI_ATTACH, words(0));
          await r.cmd('SPI_ATTACH with 8 bytes', OP.SPI_ATTACH, words(0, 0));
          await r.cmd('SPI_SET_PARAMS', OP.SPI_SET_PARAMS, words(0, 4 << 20, 0x10000, 4096, 256, 0xffff));
          await r.cmd(
            'SPI_SET_PARAMS with 20 bytes',
            OP.SPI_SET_PARAMS,
            words(0, 4 << 20, 0x10000, 4096, 256),
          );
          await r.cmd('FLASH_END without FLASH_BEGIN', OP.FLASH_END, words(1));
          await r.cmd('FLASH_DEFL_END without FLASH_DEFL_BEGIN', OP.FLASH_DEFL_END, words(1));
          await r.block('FLASH_DATA without FLASH_BEGIN', OP.FLASH_DATA, 0, pattern(0x400, 1));
          await r.block('MEM_DATA without MEM_BEGIN', OP.MEM_DATA, 0, pattern(0x40, 1));
          await r.cmd('MEM_END without MEM_BEGIN', OP.MEM_END, words(1, 0));
          await r.cmd(
            'FLASH_BEGIN with block size 0x4001',
            OP.FLASH_BEGIN,
            words(0x8000, 2, 0x4001, 0x10000),
          );
          await r.cmd('FLASH_BEGIN', OP.FLASH_BEGIN, words(0x1400, 2, 0x1000, 0x10000));
          await r.block('FLASH_DATA bad checksum', OP.FLASH_DATA, 0, pattern(0x1000, 1), 0);
          await r.block('FLASH_DATA seq 1 first', OP.FLASH_DATA, 1, pattern(0x1000, 2));
          await r.block('FLASH_DATA seq 0', OP.FLASH_DATA, 0, pattern(0x1000, 1));
          await r.block('FLASH_DATA too much', OP.FLASH_DATA, 2, pattern(0x400, 4));
          await r.cmd('FLASH_END 1', OP.FLASH_END, words(1));
          await r.cmd('FLASH_END 1 again', OP.FLASH_END, words(1));
          await r.cmd('MD5 of the write', OP.SPI_FLASH_MD5, words(0x10000, 0x3000, 0, 0));
          for (const at of [0x10000, 0x11000, 0x11400]) {
            r.client.clear();
            r.client.send(OP.READ_FLASH, words(at, 16, 16, 64));
            await r.step(`READ_FLASH ${at.toString(16)}`, r.client.collect({ count: 2 }));
            r.client.writeRaw(slipEncode(words(16)));
            await r.step(`READ_FLASH ${at.toString(16)} digest`, r.client.collect({ count: 1 }));
          }
          await defl(r, 0x20000, 'compressed');
          await r.cmd('compressed: FLASH_DEFL_END 1', OP.FLASH_DEFL_END, words(1));
          await r.cmd('compressed: FLASH_DEFL_END 1 again', OP.FLASH_DEFL_END, words(1));
          await r.cmd('compressed: MD5', OP.SPI_FLASH_MD5, words(0x20000, image.length, 0, 0));
          await defl(r, 0x30000, 'too much');
          await r.block('too much: DEFL_DATA after the stream', OP.FLASH_DEFL_DATA, nb, pattern(0x20, 1));
          await r.cmd('too much: FLASH_DEFL_END 1', OP.FLASH_DEFL_END, words(1));
          await r.cmd('corrupt: FLASH_DEFL_BEGIN', OP.FLASH_DEFL_BEGIN, words(0x1000, 1, 0x100, 0x40000));
          await r.block('corrupt: DEFL_DATA', OP.FLASH_DEFL_DATA, 0, pattern(0x40, 5));
          await r.cmd('corrupt: FLASH_DEFL_END 1', OP.FLASH_DEFL_END, words(1));
          await r.cmd('ERASE_REGION', OP.ERASE_REGION, words(0x20000, 0x1000), { maxMs: 8000 });
          await r.cmd('ERASE_REGION unaligned', OP.ERASE_REGION, words(0x20100, 0x1000));
          await r.cmd('MD5 after the erase', OP.SPI_FLASH_MD5, words(0x20000, 0x2000, 0, 0));
          await r.cmd('CHANGE_BAUDRATE', OP.CHANGE_BAUDRATE, words(230400, 115200));
          await r.sync('SYNC at 230400');
          await r.cmd('CHANGE_BAUDRATE back', OP.CHANGE_BAUDRATE, words(115200, 230400));
          // esptool 4.8.1 write_flash leave with compression: FLASH_BEGIN(0,0) + FLASH_DEFL_END(1).
          await defl(r, 0x60000, 'esptool write');
          await r.cmd('esptool write: READ_REG barrier', OP.READ_REG, words(MAGIC));
          await r.cmd('esptool write: MD5', OP.SPI_FLASH_MD5, words(0x60000, image.length, 0, 0));
          // Last compressed session: the legacy stub corrupts the next one after an incomplete one (README).
          await r.cmd(
            'short: FLASH_DEFL_BEGIN',
            OP.FLASH_DEFL_BEGIN,
            words(image.length, nb, 0x100, 0x50000),
          );
          await r.block('short: DEFL_DATA 0', OP.FLASH_DEFL_DATA, 0, z.subarray(0, 0x100));
          await r.cmd('short: FLASH_DEFL_END 1', OP.FLASH_DEFL_END, words(1));
          await r.cmd('leave: FLASH_BEGIN 0', OP.FLASH_BEGIN, words(0, 0, 0x4000, 0));
          await r.cmd('leave: FLASH_DEFL_END 1', OP.FLASH_DEFL_END, words(1));
          await r.cmd('leave -u: FLASH_BEGIN 0', OP.FLASH_BEGIN, words(0, 0, 0x4000, 0));
          await r.cmd('leave -u: FLASH_END 1', OP.FLASH_END, words(1));
          // --after no_reset: FLASH_BEGIN(0,0) + FLASH_END(0).
          await r.cmd('no_reset: FLASH_BEGIN 0', OP.FLASH_BEGIN, words(0, 0, 0x4000, 0));
          await r.cmd('no_reset: FLASH_END 0', OP.FLASH_END, words(0), { maxMs: 3000 });
          await r.step('after FLASH_END 0', r.client.collect({ count: 0, quietMs: 800 }));
          r.client.resync();
          await r.sync('SYNC after FLASH_END 0');
        });
        expect(frames(steps, 'compressed: FLASH_DEFL_END 1')).toEqual(['01 12 02 00 00 00 00 00 00 00']);
        expect(frames(steps, 'leave: FLASH_DEFL_END 1')).toEqual(['01 12 02 00 00 00 00 00 00 00']);
      });
    });

    it('esp-flasher-stub: state after the link drops in the middle of a FLASH_DEFL_DATA frame', async () => {
      const image = noiseBytes(0x18000);
      image.fill(0x41, 0x10000, 0x14000);
      const z = new Uint8Array(deflateSync(image, { level: 9 }));
      const nb = Math.ceil(z.length / 0x4000);
      const blockOf = (i: number) => z.subarray(i * 0x4000, (i + 1) * 0x4000);
      const steps = await expectTwins(async (r) => {
        await r.sync();
        const upload = await uploadStub(r.client, stubJson(FLASHER_STUB));
        r.steps.push({ label: 'stub started', frames: upload.at(-1)!.frames.map(frameHex) });
        await r.cmd('FLASH_DEFL_BEGIN', OP.FLASH_DEFL_BEGIN, words(image.length, nb, 0x4000, 0x100000));
        for (let i = 0; i < 3; i++)
          await r.block(`DEFL_DATA ${i}`, OP.FLASH_DEFL_DATA, i, blockOf(i), undefined, 1);
        const b3 = dataBlock({ seq: 3, payload: blockOf(3) });
        const frame = slipEncode(
          encodeCommand({ op: OP.FLASH_DEFL_DATA, data: b3.data, checksum: b3.checksum }),
        );
        r.client.writeRaw(frame.subarray(0, frame.length >> 1));
        // Half a 16 KiB frame takes ~0.7 s on the ROM's 115200 UART; then the link drops.
        await r.step('before the drop', r.client.collect({ count: 0, quietMs: 1500 }));
        r.client.close();
        await new Promise((res) => setTimeout(res, 300));
        r.client = await RawClient.connect(r.client.port);
        await r.step('after reconnecting', r.client.collect({ count: 0, quietMs: 300 }));
        await r.sync('first SYNC closes the partial frame');
        await r.sync('second SYNC');
        await r.block('DEFL_DATA 3 resent', OP.FLASH_DEFL_DATA, 3, blockOf(3));
        for (let i = 4; i < nb; i++) await r.block(`DEFL_DATA ${i}`, OP.FLASH_DEFL_DATA, i, blockOf(i));
        await r.cmd('FLASH_DEFL_END 1', OP.FLASH_DEFL_END, words(1), { maxMs: 8000 });
        await r.cmd('MD5', OP.SPI_FLASH_MD5, words(0x100000, image.length, 0, 0), { maxMs: 8000 });
      });
      expect(frames(steps, 'first SYNC closes the partial frame')).toEqual(['01 11 02 00 00 00 00 00 c0 00']);
      expect(frames(steps, 'second SYNC')).toHaveLength(8);
      expect(frames(steps, 'FLASH_DEFL_END 1')).toEqual(['01 12 02 00 00 00 00 00 00 00']);
    });
  },
);
