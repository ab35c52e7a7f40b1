// esptool 4.8.1 judges `espflash merge-bin`: the same generated ESP-IDF-shaped build merged by both
// (raw, raw filled to 4 MB from a target offset, Intel HEX) must give identical files; then the
// real ESP32 ROM under QEMU boots the merged image after `espflash write-bin 0x0` wrote it.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESP32_HELLO_LINE } from '../../src/example/esp32-hello.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { derivePlan } from '../../src/plan/derive-plan.js';
import type { FlashPlan } from '../../src/plan/types.js';
import { runCli } from '../support/cli.js';
import { bootLog, HAVE_TOOLS, runEsptool, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';
import { espflash, onQemu, scratch } from './support/real-rom-cli.js';

const hex = (n: number) => `0x${n.toString(16)}`;

describe.skipIf(!HAVE_TOOLS)(`merge-bin against esptool merge_bin and the real ROM${TOOLS_SKIP_NOTE}`, () => {
  let dir: string;
  let cacheDir: string;
  let plan: FlashPlan;

  beforeAll(async () => {
    ({ dir, cacheDir } = scratch('merge'));
    const build = await generateExampleBuild({ dir, chip: 'esp32', seed: 21, appSize: 64 * 1024 });
    plan = await derivePlan({ buildDir: build.buildDir });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** `espflash merge-bin` in process; `esptool merge_bin` with the plan's regions and the same flash args. */
  async function both(name: string, ours: string[], theirs: string[]): Promise<[Buffer, Buffer]> {
    const mine = join(dir, `espflash-${name}`);
    const ref = join(dir, `esptool-${name}`);
    const cli = await runCli(['merge-bin', '--no-config', '-o', mine, ...ours], { cwd: dir });
    expect(cli.code, cli.stderr).toBe(0);
    const pairs = plan.regions.flatMap((r) => [hex(r.offset), r.file]);
    const run = await runEsptool(['--chip', 'esp32', 'merge_bin', '-o', ref, ...theirs, ...pairs]);
    expect(run.code, run.output).toBe(0);
    return [await readFile(mine), await readFile(ref)];
  }

  it('raw, with the bootloader header set to qio/80m/2MB: byte for byte the same as esptool', async () => {
    const [mine, ref] = await both(
      'qio.bin',
      ['--flash-mode', 'qio', '--flash-freq', '80m', '--flash-size', '2MB'],
      ['--flash_mode', 'qio', '--flash_freq', '80m', '--flash_size', '2MB'],
    );
    expect(mine[0x1002]).toBe(0); // the patch really happened (qio)
    expect(mine.length).toBe(ref.length);
    expect(mine.equals(ref)).toBe(true);
  });

  it('raw from --target-offset 0x1000, filled to 4MB: byte for byte the same as esptool', async () => {
    const [mine, ref] = await both(
      'fill.bin',
      ['--target-offset', '0x1000', '--fill-flash-size', '4MB'],
      [
        '--flash_mode',
        'dio',
        '--flash_freq',
        '40m',
        '--flash_size',
        '4MB',
        '--target-offset',
        '0x1000',
        '--fill-flash-size',
        '4MB',
      ],
    );
    expect(mine.length).toBe(4 * 1024 * 1024 - 0x1000);
    expect(mine.equals(ref)).toBe(true);
  });

  it('Intel HEX: the same text as esptool (records, ELA records, checksums, EOF)', async () => {
    const [mine, ref] = await both(
      'factory.hex',
      ['--format', 'hex'],
      ['--format', 'hex', '--flash_mode', 'dio', '--flash_freq', '40m', '--flash_size', '4MB'],
    );
    expect(mine.toString('latin1').split('\n').length).toBeGreaterThan(1000);
    expect(mine.toString('latin1')).toBe(ref.toString('latin1'));
  });

  it('the real ROM boots the merged image written with espflash write-bin 0x0', async () => {
    const image = join(dir, 'boot.bin');
    const merged = await runCli(['merge-bin', '--no-config', '-o', image], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    const qemu = await startQemu();
    let run: Awaited<ReturnType<typeof espflash>>;
    try {
      run = await espflash(['write-bin', '0x0', image, ...onQemu(qemu), '--baud', '921600'], {
        cwd: dir,
        cacheDir,
      });
    } finally {
      await qemu.stop();
    }
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const bytes = await readFile(image);
    const flash = await readFile(qemu.flashFile);
    expect(flash.subarray(0, bytes.length).equals(bytes)).toBe(true);
    const log = await bootLog(qemu.flashFile, 4000);
    expect(log).toContain(`${ESP32_HELLO_LINE}\r\n`);
    expect(log).not.toMatch(/invalid header|checksum|csum err|Fatal exception/i);
  }, 120_000);
});
