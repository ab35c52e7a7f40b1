import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { expectedRegions, type PlannedBuild, plannedBuild } from './support/planned.js';

// Every command opens its own sim:// chip; `flashFile` keeps the flash between commands.
let work: string;
let build: PlannedBuild;
let flashFile: string;
let port: string;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const flash = async () => new Uint8Array(await readFile(flashFile));
const ff = (b: Uint8Array) => b.every((x) => x === 0xff);
const cli = (argv: string[], env: Record<string, string> = {}) =>
  runCli([...argv, '--port', port], { cwd: work, env });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'espflash-cli-sim-'));
  build = await plannedBuild('esp32');
  flashFile = join(work, 'flash.bin');
  port = `sim://esp32?flashFile=${encodeURIComponent(flashFile)}`;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(build.dir, { recursive: true, force: true });
});

describe('device commands on sim:// (flash persisted in a file between commands)', () => {
  it('flash writes every planned region', async () => {
    const r = await cli(['flash', '--build-dir', build.buildDir]);
    expect(r.code).toBe(0);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const contents = await flash();
    for (const region of await expectedRegions(build.plan, '4MB')) {
      expect(
        bytesEqual(contents.subarray(region.offset, region.offset + region.bytes.length), region.bytes),
      ).toBe(true);
    }
  });

  it('checksum-md5 and read-flash see the flashed bytes', async () => {
    const contents = await flash();
    const sum = await cli(['checksum-md5', '0x10000', '64k']);
    expect(sum.code).toBe(0);
    expect(sum.stdout).toContain(md5(contents.subarray(0x10000, 0x20000)));
    const out = join(work, 'pt.bin');
    const read = await cli(['read-flash', '0x8000', '0xc00', out]);
    expect(read.code).toBe(0);
    expect(new Uint8Array(await readFile(out))).toEqual(contents.subarray(0x8000, 0x8c00));
  });

  it('write-bin into a partition by label, then erase-parts and erase-region clear it', async () => {
    const data = new Uint8Array(3000).map((_, i) => (i * 5 + 1) & 0xff);
    const file = join(work, 'nvs.bin');
    await writeFile(file, data);
    expect((await cli(['write-bin', 'nvs', file])).code).toBe(0);
    expect((await flash()).subarray(0x9000, 0x9000 + 3000)).toEqual(data);
    expect((await cli(['erase-parts', 'nvs'])).code).toBe(0);
    expect(ff((await flash()).subarray(0x9000, 0xf000))).toBe(true);
    expect((await cli(['write-bin', '0x300000', file])).code).toBe(0);
    expect((await cli(['erase-region', '3M', '4k'])).code).toBe(0);
    expect(ff((await flash()).subarray(0x300000, 0x301000))).toBe(true);
  });

  it('reset and board-info work; erase-flash clears everything', async () => {
    const reset = await cli(['reset']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Reset (hard-reset)');
    const info = await cli(['board-info']);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/Chip\s+ESP32/);
    expect(info.stdout).toMatch(/Flash\s+4MB/);
    expect((await cli(['erase-flash'])).code).toBe(0);
    expect(ff(await flash())).toBe(true);
  });

  it('takes the port from ESPFLASH_PORT', async () => {
    const r = await runCli(['board-info', '--json'], { cwd: work, env: { ESPFLASH_PORT: 'sim://esp32s3' } });
    expect(r.code).toBe(0);
    const info = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.event === 'board-info');
    expect(info.chip).toBe('esp32s3');
  });
});

describe('ROM-loader limits are input errors', () => {
  it('read-flash on the ESP8266 ROM (--no-stub) exits 2 naming the fix', async () => {
    const out = join(work, 'never.bin');
    const r = await runCli(['read-flash', '0', '1k', out, '--port', 'sim://esp8266', '--no-stub'], {
      cwd: work,
      env: {},
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('flash/read-needs-stub');
    expect(r.stderr).toContain('--no-stub');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('labels need a partition table', () => {
  it('write-bin <label> on a blank chip without a build: partition/none-on-device, exit 2', async () => {
    const file = join(work, 'small.bin');
    await writeFile(file, new Uint8Array(16));
    const r = await runCli(['write-bin', 'nvs', file, '--port', 'sim://esp32'], { cwd: work, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('partition/none-on-device');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("erase-parts falls back to the build's table when the chip has none", async () => {
    const r = await runCli(['erase-parts', 'nvs', '--port', 'sim://esp32', '--build-dir', build.buildDir], {
      cwd: work,
      env: {},
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Erased nvs (0x9000 +0x6000)');
  });
});

describe('espflash demo', () => {
  it('defaults to sim://esp32 and proves every region by reading it back', async () => {
    const r = await runCli(['demo'], { cwd: work, env: {} });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sim://esp32');
    expect(r.stdout.match(/read back: identical/g)).toHaveLength(3);
  });

  it('runs on another virtual chip and reports as JSON', async () => {
    const r = await runCli(['demo', '--port', 'sim://esp32c3', '--json'], { cwd: work, env: {} });
    expect(r.code).toBe(0);
    const summary = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.event === 'demo-summary');
    expect(summary).toMatchObject({ chip: 'esp32c3', ok: true });
    expect(summary.regions.every((x: { readBackIdentical: boolean }) => x.readBackIdentical)).toBe(true);
  });

  it('rejects an unknown chip with exit 2', async () => {
    const r = await runCli(['demo', '--chip', 'esp99'], { cwd: work, env: {} });
    expect(r.code).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
