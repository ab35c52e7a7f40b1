// Issue 9 #14: flash settings in the build that espflash cannot write (mode "xyz", size "3MB",
// freq "99m") get the same coded error from `plan` as from `flash`, before connecting; an override
// on the command line replaces them (with a warning).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

let dir = '';
let buildDir = '';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-flash-settings-'));
  mkdirSync(join(dir, '.git'));
  buildDir = (await generateExampleBuild({ dir: join(dir, 'proj'), chip: 'esp32' })).buildDir;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setFlashSetting(key: 'flash_mode' | 'flash_size' | 'flash_freq', value: string): void {
  const file = join(buildDir, 'flasher_args.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.flash_settings[key] = value;
  writeFileSync(file, JSON.stringify(json, null, 2));
  // Keep it older than the images (an edited layout file is otherwise newer than them).
  utimesSync(file, new Date(2000, 0, 1), new Date(2000, 0, 1));
}

const cases = [
  ['flash_mode', 'xyz', 'image/bad-flash-mode', '--flash-mode', 'dio'],
  ['flash_size', '3MB', 'image/bad-flash-size', '--flash-size', '4MB'],
  ['flash_freq', '99m', 'image/bad-flash-freq', '--flash-freq', '40m'],
] as const;

describe('invalid build flash settings', () => {
  for (const [key, value, code, flag, good] of cases) {
    it(`${key} "${value}": plan and flash both fail with ${code}, before connecting`, async () => {
      setFlashSetting(key, value);
      const plan = await runCli(['plan', '--build-dir', buildDir], { cwd: dir });
      const flash = await runCli(['flash', '--build-dir', buildDir, '--port', 'sim://esp32'], { cwd: dir });
      for (const r of [plan, flash]) {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^error ${code}: .*flasher_args\\.json`, 'm'));
        expect(r.stderr).toContain(flag);
        expect(r.stderr).not.toContain('Connecting');
      }
    });

    it(`${key} "${value}" overridden by ${flag} ${good} plans with a warning`, async () => {
      setFlashSetting(key, value);
      const r = await runCli(['plan', '--build-dir', buildDir, flag, good], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: .*does not know/);
    });
  }
});
