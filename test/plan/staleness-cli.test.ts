// Issue 9 #8: staleness by content. A build copied with new file times (flasher_args.json newer than
// the images) plans with a warning instead of project/stale-image; an app whose embedded ELF SHA-256
// differs from build/<app>.elf is stale, with a hint naming --allow-stale.

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

let dir = '';
let buildDir = '';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-stale-cli-'));
  mkdirSync(join(dir, '.git'));
  buildDir = (await generateExampleBuild({ dir: join(dir, 'proj'), chip: 'esp32' })).buildDir;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('staleness', () => {
  it('flasher_args.json newer than the images (a copied build) only warns; flash works', async () => {
    const old = Date.now() / 1000 - 3600;
    for (const f of ['hello_world.bin', 'bootloader/bootloader.bin', 'partition_table/partition-table.bin'])
      utimesSync(join(buildDir, f), old, old);
    const plan = await runCli(['plan', '--build-dir', buildDir], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(
      /warning: .*hello_world\.bin \(app\) is older than .*flasher_args\.json \(file times only/,
    );
    const flash = await runCli(['flash', '--build-dir', buildDir, '--port', 'sim://esp32'], { cwd: dir });
    expect(flash.code, flash.stderr).toBe(0);
  });

  it('an app not built from build/<app>.elf is project/stale-image naming --allow-stale', async () => {
    writeFileSync(join(buildDir, 'hello_world.elf'), '\x7fELF some other build');
    const old = Date.now() / 1000 - 3600;
    utimesSync(join(buildDir, 'hello_world.elf'), old, old); // older than the image: times would pass
    const r = await runCli(['flash', '--build-dir', buildDir, '--port', 'sim://esp32'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error project\/stale-image: .*hello_world\.bin \(app\) was not built from/m);
    expect(r.stderr).toMatch(/hint: .*--allow-stale/);
    expect(r.stderr).not.toContain('Connecting');
    const allowed = await runCli(['plan', '--build-dir', buildDir, '--allow-stale'], { cwd: dir });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/stale: .*hello_world\.bin \(app\) was not built from/);
  });
});
