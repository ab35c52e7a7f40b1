// `espflash merge-bin` in process on a generated ESP-IDF-shaped build: raw and HEX output, the
// bootloader header patched as `flash` patches it, --only/--target-offset/--fill-flash-size, refusals.

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { derivePlan } from '../../src/plan/derive-plan.js';
import type { FlashPlan } from '../../src/plan/types.js';
import { expectedRegions } from '../e2e/support/planned.js';
import { runCli } from '../support/cli.js';

let dir: string;
let plan: FlashPlan;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'espflash-merge-'));
  const build = await generateExampleBuild({ dir, chip: 'esp32', seed: 5, appSize: 200 * 1024 }); // ends beyond 256KB
  plan = await derivePlan({ buildDir: build.buildDir });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const merge = (argv: string[]) => runCli(['merge-bin', '--no-config', ...argv], { cwd: dir });

/** The bytes a flash would hold, from the plan as `flash` writes it (with the given overrides). */
async function expectedFlash(p: FlashPlan, start: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length).fill(0xff);
  for (const r of await expectedRegions(p, null)) out.set(r.bytes, r.offset - start);
  return out;
}

describe('espflash merge-bin', () => {
  it('writes every region at its offset from 0x0, gaps 0xFF, and prints regions, total and how to flash it', async () => {
    const cli = await merge(['-o', 'factory.bin']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const data = new Uint8Array(await readFile(join(dir, 'factory.bin')));
    const last = plan.regions.at(-1)!;
    expect(data.length).toBe(last.offset + last.size);
    expect(Buffer.from(data).equals(Buffer.from(await expectedFlash(plan, 0, data.length)))).toBe(true);
    expect(cli.stdout).toMatch(/0x1000\s+bootloader\s+\d+ bytes\s+build\/bootloader\/bootloader\.bin/);
    expect(cli.stdout).toMatch(/0x8000\s+partition-table\s+3072 bytes/);
    expect(cli.stdout).toMatch(/0x10000\s+factory\s+\d+ bytes\s+build\/\w+\.bin/);
    const md5 = createHash('md5').update(data).digest('hex');
    expect(cli.stdout).toContain(
      `Wrote factory.bin: ${data.length} bytes (raw, flash 0x0..${'0x'}${data.length.toString(16)}), md5 ${md5}`,
    );
    expect(cli.stdout).toContain('espflash write-bin 0x0 factory.bin');
    expect(cli.stdout).toContain('esptool --chip esp32 write-flash 0x0 factory.bin');
  });

  it('patches the bootloader header with --flash-mode/--flash-size exactly as flash does', async () => {
    const cli = await merge(['-o', 'qio.bin', '--flash-mode', 'qio', '--flash-size', '2MB', '--json']);
    expect(cli.code).toBe(0);
    const event = JSON.parse(cli.stdout.trim().split('\n').at(-1)!);
    const data = new Uint8Array(await readFile(join(dir, 'qio.bin')));
    const overridden = await derivePlan({
      buildDir: plan.buildDir,
      overrides: {
        flashMode: { value: 'qio', source: { kind: 'cli' } },
        flashSize: { value: '2MB', source: { kind: 'cli' } },
      },
    });
    const expected = await expectedFlash(overridden, 0, data.length);
    expect(Buffer.from(data).equals(Buffer.from(expected))).toBe(true);
    expect(data[0x1002]).toBe(0x00); // qio
    expect(data[0x1003]! >> 4).toBe(0x1); // 2MB
    expect(event).toMatchObject({
      event: 'merged',
      output: {
        file: join(dir, 'qio.bin'),
        format: 'raw',
        size: data.length,
        md5: createHash('md5').update(data).digest('hex'),
        start: 0,
      },
      flash: { espflash: 'espflash write-bin 0x0 qio.bin' },
    });
    expect(
      event.regions.map((r: { offset: number; role: string; patched: boolean }) => [
        r.offset,
        r.role,
        r.patched,
      ]),
    ).toEqual([
      [0x1000, 'bootloader', true],
      [0x8000, 'partition-table', false],
      [0x10000, 'app', false],
    ]);
  });

  it('--flash-size detect keeps the header size (no chip to detect) and says so', async () => {
    const cli = await merge(['-o', 'detect.bin', '--flash-size', 'detect', '--flash-mode', 'dout']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain('flash size "detect"');
    const data = new Uint8Array(await readFile(join(dir, 'detect.bin')));
    const boot = new Uint8Array(await readFile(plan.regions[0]!.file));
    expect(data[0x1002]).toBe(0x03); // dout
    expect(data[0x1003]).toBe(boot[3]); // size and freq nibbles as built
  });

  it('--only app --target-offset 0x10000 --fill-flash-size 1MB: the app alone, padded to the end of flash', async () => {
    const cli = await merge(['-o', 'app.bin', '--only', 'app', '-t', '0x10000', '--fill-flash-size', '1MB']);
    expect(cli.code, cli.stderr).toBe(0);
    const data = new Uint8Array(await readFile(join(dir, 'app.bin')));
    expect(data.length).toBe(0x100000 - 0x10000);
    const app = new Uint8Array(await readFile(plan.regions.find((r) => r.role === 'app')!.file));
    expect(Buffer.from(data.subarray(0, app.length)).equals(Buffer.from(app))).toBe(true);
    expect(data.subarray(app.length).every((b) => b === 0xff)).toBe(true);
    expect(cli.stdout).toContain('espflash write-bin 0x10000 app.bin');
  });

  it('--format hex: the regions at their flash addresses, flashed from the first one', async () => {
    const cli = await merge(['-o', 'factory.hex', '--format', 'hex', '--hex-record-bytes', '32']);
    expect(cli.code, cli.stderr).toBe(0);
    const text = await readFile(join(dir, 'factory.hex'), 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(':020000040000FA');
    expect(lines.at(-1)).toBe(':00000001FF');
    expect(lines[1]!.slice(0, 9)).toBe(':20100000');
    expect(lines).toContain(':020000040001F9');
    expect(cli.stdout).toContain('esptool --chip esp32 write-flash 0x1000 factory.hex');
    expect(cli.stdout).not.toContain('espflash write-bin');
  });

  it.each([
    [['-o', 'x.bin', '--fill-flash-size', '256KB'], 'merge/exceeds-fill-size'],
    [['-o', 'x.bin', '--fill-flash-size', '3MB'], 'merge/bad-fill-size'],
    [['-o', 'x.bin', '--target-offset', '0x2000'], 'merge/below-target-offset'],
    [['-o', 'x.hex', '--format', 'hex', '--fill-flash-size', '4MB'], 'merge/raw-only-option'],
    [['-o', 'build/partition_table/partition-table.bin'], 'merge/output-is-input'],
    [['-o', 'no/such/dir/x.bin'], 'merge/cannot-write'],
  ])('%j is refused with %s (exit 2)', async (argv, code) => {
    const cli = await merge(argv);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(`error ${code}:`);
    expect(cli.stderr).toMatch(/hint: .*(--|output)/);
  });

  it('--output is required', async () => {
    const cli = await merge([]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/output/);
  });
});
