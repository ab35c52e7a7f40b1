// Fast reflash through the CLI: the second `espflash flash` to the same (virtual) device writes only
// the 4 KiB sector that changed, `--full` writes the whole region, and the device holds the new bytes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Summary {
  bytesWritten: number;
  regions: Array<{ role: string; offset: number; status: string }>;
}

async function flash(argv: string[], cwd: string): Promise<Summary> {
  const r = await runCli([...argv, '--json'], { cwd });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const line = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { event: string } & Summary)
    .find((e) => e.event === 'flash-summary');
  expect(line, r.stdout).toBeDefined();
  return line!;
}

describe('fast reflash from the CLI', () => {
  it('writes only the changed sector on the next flash, and the whole region with --full', async () => {
    const work = mkdtempSync(join(tmpdir(), 'espflash-fast-'));
    dirs.push(work);
    const { buildDir, files } = await generateExampleBuild({
      dir: work,
      chip: 'esp32',
      seed: 5,
      withOtadata: true,
    });
    const flashFile = join(work, 'flash.bin');
    const args = ['--port', `sim://esp32?flashFile=${flashFile}`, '--build-dir', buildDir];

    const first = await flash(args, work);
    expect(first.bytesWritten).toBeGreaterThan(100_000);
    const otadata = first.regions.find((r) => r.role === 'otadata')!;
    expect(otadata).toBeDefined();

    // One byte in the second sector of otadata changes: only that sector may be written.
    const ota = new Uint8Array(readFileSync(files.otadata!));
    ota[0x1000 + 100] = 0x5a;
    writeFileSync(files.otadata!, ota);
    const second = await flash(args, work);
    expect(second.bytesWritten).toBe(0x1000);
    const device = new Uint8Array(readFileSync(flashFile));
    expect(device[otadata.offset + 0x1000 + 100]).toBe(0x5a);
    expect(second.regions.filter((r) => r.status === 'written').map((r) => r.role)).toEqual(['otadata']);

    // --full: the changed region is written whole.
    ota[0x1000 + 101] = 0xa5;
    writeFileSync(files.otadata!, ota);
    const full = await flash([...args, '--full'], work);
    expect(full.bytesWritten).toBe(ota.length);
    expect(new Uint8Array(readFileSync(flashFile))[otadata.offset + 0x1000 + 101]).toBe(0xa5);
  }, 60_000);

  it('a second run on a fresh sim:// chip (same MAC, blank flash) writes everything without a warning', async () => {
    const work = mkdtempSync(join(tmpdir(), 'espflash-fast-'));
    dirs.push(work);
    const { buildDir } = await generateExampleBuild({ dir: work, chip: 'esp32', seed: 6 });
    const args = ['--port', 'sim://esp32', '--build-dir', buildDir];
    const first = await flash(args, work);
    const r = await runCli([...args, '--json'], { cwd: work });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/cache-stale|partial-verify-failed|"warning"/);
    const second = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string } & Summary)
      .find((e) => e.event === 'flash-summary')!;
    expect(second.bytesWritten).toBe(first.bytesWritten);
  }, 60_000);
});
