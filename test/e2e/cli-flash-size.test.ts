// Issue 9 #6: a build whose partition table ends past the detected flash is refused before anything
// is written; a header size (or --flash-size) larger than the chip gets a warning, as esptool gives.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

let dir = '';
let buildDir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-flash-size-'));
  mkdirSync(join(dir, '.git'));
  buildDir = (await generateExampleBuild({ dir: join(dir, 'proj'), chip: 'esp32' })).buildDir;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flash size against the chip', () => {
  it('a 4 MB build onto a 1 MB chip: flash/table-exceeds-flash, nothing written', async () => {
    const flashFile = join(dir, 'one-mb.bin');
    const r = await runCli(
      ['flash', '--build-dir', buildDir, '--port', `sim://esp32?flashSize=1MB&flashFile=${flashFile}`],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error flash\/table-exceeds-flash: .*detected 1MB flash: "factory" ends at 0x110000/m,
    );
    expect(r.stderr).not.toMatch(/Writing/);
    // Nothing written: the flash file (if saved at all) is still erased.
    if (existsSync(flashFile))
      expect(new Uint8Array(readFileSync(flashFile)).every((b) => b === 0xff)).toBe(true);
  });

  it('--flash-size 16MB on a 4 MB chip warns and still flashes', async () => {
    const r = await runCli(
      ['flash', '--build-dir', buildDir, '--port', 'sim://esp32', '--flash-size', '16MB'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --flash-size 16MB is 16MB, larger than the detected 4MB flash/);
  });

  it('a matching chip flashes without those warnings', async () => {
    const r = await runCli(['flash', '--build-dir', buildDir, '--port', 'sim://esp32'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/larger than the detected/);
  });
});
