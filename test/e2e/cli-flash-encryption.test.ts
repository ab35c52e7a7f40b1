// Issue 9 #7: regions the build marks encrypted are never written in plaintext to a chip with flash
// encryption on (flash/encrypted-write-unsupported, before writing); with encryption off they are
// written with a warning saying so; `plan` states the same rule.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

let dir = '';
const builds: Record<string, string> = {};

async function encryptedBuild(chip: 'esp32' | 'esp32s3'): Promise<string> {
  const { buildDir } = await generateExampleBuild({ dir: join(dir, chip), chip });
  const file = join(buildDir, 'flasher_args.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.app.encrypted = 'true';
  writeFileSync(file, JSON.stringify(json, null, 2));
  utimesSync(file, new Date(2000, 0, 1), new Date(2000, 0, 1));
  return buildDir;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-encryption-'));
  mkdirSync(join(dir, '.git'));
  builds.esp32 = await encryptedBuild('esp32');
  builds.esp32s3 = await encryptedBuild('esp32s3');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flash encryption', () => {
  for (const chip of ['esp32', 'esp32s3'] as const) {
    it(`${chip} with flash encryption on: refused before writing`, async () => {
      const flashFile = join(dir, `${chip}-enc.bin`);
      const r = await runCli(
        [
          'flash',
          '--build-dir',
          builds[chip]!,
          '--port',
          `sim://${chip}?flashEncryption=1&flashFile=${flashFile}`,
        ],
        { cwd: dir },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error flash\/encrypted-write-unsupported: .*factory/m);
      expect(r.stderr).toMatch(/hint: .*--encrypt-files/);
      expect(r.stderr).not.toMatch(/Writing|written/);
    });

    it(`${chip} with flash encryption off: written in plaintext, with a warning`, async () => {
      const r = await runCli(['flash', '--build-dir', builds[chip]!, '--port', `sim://${chip}`], {
        cwd: dir,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /warning: 1 region\(s\) marked encrypted \(factory\) are written in plaintext/,
      );
    });
  }

  it('a build without encrypted regions flashes onto an encrypted chip without a word about it', async () => {
    const { buildDir } = await generateExampleBuild({ dir: join(dir, 'plain'), chip: 'esp32' });
    const r = await runCli(['flash', '--build-dir', buildDir, '--port', 'sim://esp32?flashEncryption=1'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/encrypt/);
  });

  it('plan says the same rule, in text and in --json', async () => {
    const text = await runCli(['plan', '--build-dir', builds.esp32!], { cwd: dir });
    expect(text.stdout).toMatch(
      /note: .*refuses a chip with flash encryption on \(flash\/encrypted-write-unsupported\)/,
    );
    const json = await runCli(['plan', '--build-dir', builds.esp32!, '--json'], { cwd: dir });
    const obj = JSON.parse(json.stdout);
    expect(obj.notes[0]).toMatch(/flash\/encrypted-write-unsupported/);
  });
});
