// esptool v5 reset names on the command line (issue 11): both spellings accepted from flags, env and
// config; espflash shows the dashed form (help choices, plan output, messages) and keeps the
// underscore form in JSON (the stable plan JSON, like ESP-IDF's own flasher_args.json); -a is --after.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { SHARED_SKIP_NOTE } from '../support/shared-fixtures.js';
import { FIXTURE_BUILDS, prepareFixture } from './fixture-build.js';

const OTA = FIXTURE_BUILDS.find((b) => b.startsWith('v4.4.3_esp32_airsense')) ?? 'v4.4.3_esp32_airsense';
const flat = (text: string) => text.replace(/\s+/g, ' ');

let cwd = '';
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'espflash-names-'));
  mkdirSync(join(cwd, '.git'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('reset mode names in the CLI', () => {
  it('help lists esptool v5 choices and -a as the alias of --after', async () => {
    const r = await runCli(['flash', '--help'], { cwd });
    expect(r.code).toBe(0);
    const help = flat(r.stdout);
    expect(help).toContain('[choices: "default-reset", "usb-reset", "no-reset", "no-reset-no-sync"]');
    expect(help).toContain(
      '-a, --after Reset afterwards (hard_reset spellings too) [env ESPFLASH_AFTER] ' +
        '[choices: "hard-reset", "soft-reset", "no-reset", "no-reset-stub", "watchdog-reset"]',
    );
  });

  it('a bad name is usage/invalid-value naming the dashed choices', async () => {
    const r = await runCli(['reset', '--port', 'sim://esp32', '-a', 'reboot'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-value');
    expect(r.stderr).toContain('hard-reset, soft-reset, no-reset, no-reset-stub, watchdog-reset');
    expect(r.stderr).not.toContain('hard_reset');
  });

  it('reset -a watchdog-reset (dashed) says in dashed words what it did', async () => {
    const r = await runCli(['reset', '--port', 'sim://esp32', '-a', 'watchdog-reset'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Reset (hard-reset; watchdog-reset is not available here)');
  });
});

describe.skipIf(FIXTURE_BUILDS.length === 0)(`reset mode names in espflash plan${SHARED_SKIP_NOTE}`, () => {
  it('shows dashed names in the human plan, keeps underscores in --json', async () => {
    const build = prepareFixture(OTA);
    const human = await runCli(['plan', '--build-dir', build.dir, '-a', 'no_reset_stub'], { cwd: build.dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/before\s+default-reset\s+build/);
    expect(human.stdout).toMatch(/after\s+no-reset-stub\s+cli \(--after\)/);
    const json = JSON.parse(
      (await runCli(['plan', '--build-dir', build.dir, '--json', '-a', 'no-reset-stub'], { cwd: build.dir }))
        .stdout,
    );
    expect([json.before, json.after]).toEqual(['default_reset', 'no_reset_stub']);
  });

  it('accepts either spelling from env and config; --show-config shows them dashed', async () => {
    const build = prepareFixture(OTA);
    const project = join(build.dir, '..');
    writeFileSync(
      join(project, 'espflash.config.json'),
      JSON.stringify({ buildDir: 'build', after: 'Watchdog-Reset' }),
    );
    const env = { ESPFLASH_BEFORE: 'no-reset-no-sync' };
    const json = JSON.parse((await runCli(['plan', '--json'], { cwd: project, env })).stdout);
    expect([json.before, json.after]).toEqual(['no_reset_no_sync', 'watchdog_reset']);
    const text = (await runCli(['plan', '--show-config'], { cwd: project, env })).stdout;
    expect(text).toMatch(/before\s+no-reset-no-sync\s+env \(ESPFLASH_BEFORE\)/);
    expect(text).toMatch(/after\s+watchdog-reset\s+config \(/);
  });
});
