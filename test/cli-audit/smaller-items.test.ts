// Issue 9, the "smaller" list: --only '' names nothing, a config that never finishes loading, a port
// that is a regular file (bad input, exit 2), image-info decoding with the image's own chip, and
// erase-flash showing time while the chip erase runs.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configImportDeadline } from '../../src/config/config-loaders.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';
import { useRealSimClock } from '../support/virtual-sim-clock.js';

let cwd = '';
let buildDir = '';
beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'espflash-smaller-'));
  mkdirSync(join(cwd, '.git'));
  buildDir = (await generateExampleBuild({ dir: join(cwd, 'proj'), chip: 'esp32' })).buildDir;
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('--only', () => {
  for (const value of ['', ' , ']) {
    it(`--only '${value}' is a usage error, not "everything"`, async () => {
      const r = await runCli(['plan', '--build-dir', buildDir, '--only', value], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error usage\/invalid-value: --only .* names no region/m);
    });
  }
});

describe('a config whose top-level await never settles', () => {
  const saved = configImportDeadline.ms;
  afterEach(() => {
    configImportDeadline.ms = saved;
  });
  it('fails with config/load-timeout instead of hanging (or exiting 0 silently)', async () => {
    const dir = join(cwd, 'tla');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, 'espflash.config.mjs'), 'await new Promise(() => {});\nexport default {};\n');
    configImportDeadline.ms = 300;
    const r = await runCli(['plan', '--build-dir', buildDir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error config\/load-timeout: .*espflash\.config\.mjs did not finish loading/m);
    expect(r.stderr).toMatch(/hint: .*--no-config/);
  }, 10_000);
});

describe('--port naming a regular file', () => {
  it('is bad input (exit 2, port/not-a-port)', async () => {
    const file = join(cwd, 'not-a-port.bin');
    writeFileSync(file, 'x');
    const r = await runCli(['board-info', '--port', file], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error port\/not-a-port: --port .* is a regular file/m);
  });
});

describe('image-info --chip naming another chip', () => {
  it("decodes the header with the image's own chip table and reports the mismatch", async () => {
    const r = await runCli(['image-info', join(buildDir, 'hello_world.bin'), '--chip', 'esp32c6'], { cwd });
    expect(r.stdout).toMatch(/Flash: +mode dio, freq 40m, size 4MB/);
    expect(r.stderr).toMatch(/image\/chip-mismatch/);
  });
});

describe('erase-flash', () => {
  // The elapsed-time ticker is the CLI's own real timer: the chip erase must take real seconds.
  useRealSimClock();
  it('shows the elapsed time while the chip erase runs', async () => {
    const r = await runCli(['erase-flash', '--port', 'sim://esp32?timing=1&flashSize=1MB'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/still erasing… \d+ s/);
  }, 30_000);
});
