// Bad-input corpus: each broken build or bad flag gives its stable error code from derivePlan, and via
// the CLI a non-zero exit, the code on stderr and no stack trace.

import { readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derivePlan, type PlanOverrides } from '../../src/plan/derive-plan.js';
import { sourced } from '../../src/provenance.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { SHARED_SKIP_NOTE } from '../support/shared-fixtures.js';
import { FIXTURE_BUILDS, imageFor, type PreparedBuild, prepareFixture } from './fixture-build.js';

const pick = (name: string) => FIXTURE_BUILDS.find((b) => b.startsWith(name)) ?? name;
/** v4.4.3 esp32 two-OTA: bootloader 0x1000, table 0x8000, otadata 0xd000, app 0x10000 (factory 1M, ota_0, ota_1). */
const OTA = 'v4.4.3_esp32_airsense';
/** v5.0.2 esp32s3 8MB: storage.bin fills the 2M storage partition at 0x120000. */
const STORAGE = 'v5.0.2_esp32s3_flashenc';

function editFlasherArgs(build: PreparedBuild, edit: (json: Record<string, unknown>) => void): void {
  const file = join(build.dir, 'flasher_args.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(file, JSON.stringify(json));
  const old = Date.now() / 1000 - 7200; // older than everything prepareFixture aged
  utimesSync(file, old, old);
}

function appFile(build: PreparedBuild): string {
  return join(build.dir, build.entries.find((e) => e.name === 'app')!.file);
}

interface Case {
  name: string;
  fixture: string;
  code: string;
  /** The code the CLI reports when the flag is rejected earlier, by option resolution. */
  cliCode?: string;
  /** Breaks the prepared build; returns extra CLI args and the overrides they mean. */
  setup: (b: PreparedBuild) => { args?: string[]; overrides?: PlanOverrides };
  /** Text the message must contain. */
  says?: (b: PreparedBuild) => string[];
}

const CASES: Case[] = [
  {
    name: 'garbage flasher_args.json',
    fixture: OTA,
    code: 'project/bad-flasher-args',
    setup: (b) => {
      writeFileSync(join(b.dir, 'flasher_args.json'), 'not json at all');
      return {};
    },
    says: (b) => [join(b.dir, 'flasher_args.json'), 'line 1, column 1'],
  },
  {
    name: 'truncated flasher_args.json',
    fixture: OTA,
    code: 'project/bad-flasher-args',
    setup: (b) => {
      truncateSync(join(b.dir, 'flasher_args.json'), 300);
      return {};
    },
    says: () => ['offset 300'],
  },
  {
    name: 'missing image',
    fixture: OTA,
    code: 'project/missing-image',
    setup: (b) => {
      rmSync(join(b.dir, 'ota_data_initial.bin'));
      return {};
    },
    says: (b) => [`${join(b.dir, 'ota_data_initial.bin')} (otadata)`],
  },
  {
    name: 'empty image',
    fixture: OTA,
    code: 'plan/empty-file',
    setup: (b) => {
      writeFileSync(join(b.dir, 'ota_data_initial.bin'), '');
      return {};
    },
  },
  {
    name: 'overlapping regions (bootloader runs into the table)',
    fixture: OTA,
    code: 'plan/overlap',
    setup: (b) => {
      writeFileSync(join(b.dir, 'bootloader', 'bootloader.bin'), imageFor('esp32', 0x7400));
      return {};
    },
    says: (b) => [
      join(b.dir, 'bootloader', 'bootloader.bin'),
      join(b.dir, 'partition_table', 'partition-table.bin'),
      '[0x8000..0x8c00)',
    ],
  },
  {
    name: 'region bigger than its partition',
    fixture: OTA,
    code: 'plan/region-too-big',
    setup: (b) => {
      writeFileSync(appFile(b), imageFor('esp32', 0x100000 + 0x1000));
      return {};
    },
    says: () => ['factory'],
  },
  {
    name: 'misaligned offset',
    fixture: OTA,
    code: 'plan/misaligned',
    setup: (b) => {
      editFlasherArgs(b, (j) => {
        const files = j.flash_files as Record<string, string>;
        files['0xd800'] = files['0xd000']!;
        delete files['0xd000'];
      });
      return {};
    },
    says: () => ['0xd800'],
  },
  {
    name: 'app built for another chip',
    fixture: OTA,
    code: 'plan/chip-mismatch',
    setup: (b) => {
      writeFileSync(appFile(b), imageFor('esp32c3', 50_000));
      return {};
    },
    says: () => ['ESP32-C3'],
  },
  {
    name: '--chip that does not match the images',
    fixture: OTA,
    code: 'plan/chip-mismatch',
    setup: () => ({ args: ['--chip', 'esp32s3'], overrides: { chip: sourced('esp32s3', 'cli', '--chip') } }),
  },
  {
    name: 'regions past the end of the flash',
    fixture: STORAGE,
    code: 'plan/exceeds-flash',
    setup: () => ({
      args: ['--flash-size', '1MB'],
      overrides: { flashSize: sourced('1MB', 'cli', '--flash-size') },
    }),
    says: () => ['storage.bin'],
  },
  {
    name: 'unknown --only name',
    fixture: OTA,
    code: 'plan/unknown-region',
    setup: () => ({ args: ['--only', 'app,nope'], overrides: { only: ['app', 'nope'] } }),
    says: () => ['"nope"', 'bootloader', 'partition-table', 'otadata', 'factory'],
  },
  {
    name: '--to a label that does not exist',
    fixture: OTA,
    code: 'plan/bad-target-partition',
    setup: () => ({ args: ['--to', 'ota_7'], overrides: { to: 'ota_7' } }),
    says: () => ['factory (0x10000', 'ota_0 (0x110000', 'ota_1 (0x210000'],
  },
  {
    name: '--to a data partition',
    fixture: OTA,
    code: 'plan/bad-target-partition',
    setup: () => ({ args: ['--to', 'nvs'], overrides: { to: 'nvs' } }),
    says: () => ['not an app partition'],
  },
  {
    name: '--to an app partition the app does not fit',
    fixture: OTA,
    code: 'plan/bad-target-partition',
    setup: (b) => {
      writeFileSync(appFile(b), imageFor('esp32', 0x100000 + 0x1000));
      return { args: ['--to', 'ota_1'], overrides: { to: 'ota_1' } };
    },
    says: () => ['does not fit'],
  },
  {
    name: 'bad --before',
    fixture: OTA,
    code: 'plan/bad-reset-mode',
    cliCode: 'usage/invalid-value',
    setup: () => ({
      args: ['--before', 'sometimes'],
      overrides: { before: sourced('sometimes', 'cli', '--before') },
    }),
  },
  {
    name: 'bad --flash-freq for the chip',
    fixture: OTA,
    code: 'image/bad-flash-freq',
    setup: () => ({
      args: ['--flash-freq', '48m'],
      overrides: { flashFreq: sourced('48m', 'cli', '--flash-freq') },
    }),
  },
];

describe.skipIf(FIXTURE_BUILDS.length === 0)(`bad input${SHARED_SKIP_NOTE}`, () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const build = prepareFixture(pick(c.fixture));
    const { args = [], overrides = {} } = c.setup(build);
    const err = await derivePlan({ buildDir: build.dir, overrides }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: c.code });
    for (const text of c.says?.(build) ?? []) expect((err as Error).message).toContain(text);
    expect((err as { hint?: string }).hint).toBeTruthy();

    const cli = await runCli(['plan', '--build-dir', build.dir, ...args], { cwd: build.dir });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(c.cliCode ?? c.code);
    expect(cli.stderr).toContain('hint:');
    expect(hasStackTrace(cli.stderr)).toBe(false);
    expect(cli.stdout).toBe('');
  });

  it('--json errors are one JSON object with the code', async () => {
    const build = prepareFixture(pick(OTA));
    const cli = await runCli(['plan', '--build-dir', build.dir, '--json', '--only', 'bogus'], {
      cwd: build.dir,
    });
    expect(cli.code).toBe(2);
    expect(JSON.parse(cli.stdout)).toMatchObject({ event: 'error', code: 'plan/unknown-region' });
  });

  it('no build directory -> project/no-build-dir, exit 2', async () => {
    const cli = await runCli(['plan', '--build-dir', '/nonexistent/espflash-build'], { cwd: '/' });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('project/no-build-dir');
    expect(cli.stderr).toContain('/nonexistent/espflash-build');
    expect(hasStackTrace(cli.stderr)).toBe(false);
  });

  it('an image only file times call stale (e.g. after cp -r) plans, recorded with basis "time"', async () => {
    const build = prepareFixture(pick(OTA));
    const t = Date.now() / 1000 - 7200;
    utimesSync(appFile(build), t, t);
    const plan = await derivePlan({ buildDir: build.dir });
    expect(plan.stale).toEqual([
      { file: appFile(build), entry: 'app', newerThan: join(build.dir, 'flasher_args.json'), basis: 'time' },
    ]);
  });
});
