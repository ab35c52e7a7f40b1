// What only sim:// ports do through the CLI: the port from ESPFLASH_PORT, ROM-loader limits, labels
// without a partition table, and `espflash demo`. The device command matrix over sim:// and
// socket:// is cli-device.test.ts.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { type PlannedBuild, plannedBuild } from './support/planned.js';

let work: string;
let build: PlannedBuild;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'espflash-cli-sim-'));
  build = await plannedBuild('esp32');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(build.dir, { recursive: true, force: true });
});

describe('the port from the environment', () => {
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
