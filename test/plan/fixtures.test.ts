// Every real build fixture: derivePlan and `espflash plan --json` must agree with what the fixture's
// own files say (flasher_args.json, the reference partition-table decoding, the folder's chip name).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derivePlan } from '../../src/plan/derive-plan.js';
import type { FlashPlan } from '../../src/plan/types.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE } from '../support/shared-fixtures.js';
import {
  FIXTURE_BUILDS,
  fileFacts,
  labelAt,
  type PreparedBuild,
  prepareFixture,
  roleOfEntry,
} from './fixture-build.js';

const HANDWRITTEN = FIXTURE_BUILDS.filter((b) => b.startsWith('handwritten'));

/** What the plan must look like, from the fixture's files. */
function expected(build: PreparedBuild) {
  const fa = join(build.dir, 'flasher_args.json');
  const settings = (build.flasherArgs.flash_settings ?? {}) as Record<string, string>;
  const extra = (build.flasherArgs.extra_esptool_args ?? {}) as Record<string, unknown>;
  const fromBuild = (v: unknown) => (v === undefined ? { kind: 'default' } : { kind: 'build', detail: fa });
  const reset = (v: unknown, d: string) => (typeof v === 'string' ? v.replace(/-/g, '_') : d);
  return {
    chip: build.chip,
    flash: {
      mode: settings.flash_mode ?? 'keep',
      freq: settings.flash_freq ?? 'keep',
      size: settings.flash_size ?? 'keep',
    },
    before: reset(extra.before, 'default_reset'),
    after: reset(extra.after, 'hard_reset'),
    stub: extra.stub === undefined ? true : extra.stub === true || extra.stub === 'TRUE',
    regions: build.entries.map((e) => ({
      offset: e.offset,
      ...fileFacts(join(build.dir, e.file)),
      file: join(build.dir, e.file),
      role: roleOfEntry(e),
      label: labelAt(build.partitions, e.offset),
      encrypted: e.encrypted,
    })),
    sources: {
      flash: fromBuild(build.flasherArgs.flash_settings),
      before: fromBuild(extra.before),
      after: fromBuild(extra.after),
      stub: fromBuild(extra.stub),
      chip: chipSource(build, extra.chip !== undefined),
    },
  };
}

/**
 * Where the chip must come from: flasher_args.json when it names it, else project_description.json's
 * `target`, else (v3.3/v4.0/ESP8266 SDK) the chip-named component, else the bootloader image header.
 */
function chipSource(build: PreparedBuild, inFlasherArgs: boolean) {
  if (inFlasherArgs) return { kind: 'build', detail: join(build.dir, 'flasher_args.json') };
  const descFile = join(build.dir, 'project_description.json');
  if (!existsSync(descFile)) {
    const first =
      build.entries.find((e) => roleOfEntry(e) === 'bootloader') ??
      build.entries.find((e) => roleOfEntry(e) === 'app');
    return { kind: 'derived', detail: `image header of ${join(build.dir, first!.file)}` };
  }
  const desc = JSON.parse(readFileSync(descFile, 'utf8')) as { target?: string };
  if (desc.target) return { kind: 'build', detail: descFile };
  return { kind: 'derived', detail: `component "${build.chip}" in ${descFile}` };
}

function comparable(plan: FlashPlan) {
  return {
    chip: plan.chip.value,
    flash: { mode: plan.flash.mode.value, freq: plan.flash.freq.value, size: plan.flash.size.value },
    before: plan.before.value,
    after: plan.after.value,
    stub: plan.stub.value,
    regions: plan.regions.map(({ source: _s, ...r }) => r),
  };
}

describe.skipIf(!HAVE_SHARED)(`derivePlan on every real build fixture${SHARED_SKIP_NOTE}`, () => {
  it.each(FIXTURE_BUILDS)('%s', async (fixture) => {
    const build = prepareFixture(fixture);
    const want = expected(build);
    const plan = await derivePlan({ buildDir: build.dir });
    const { sources, ...values } = want;
    expect(comparable(plan)).toEqual(values);
    expect(plan.buildDir).toBe(build.dir);

    expect({ kind: plan.flash.mode.source.kind, detail: plan.flash.mode.source.detail }).toMatchObject(
      sources.flash,
    );
    expect(plan.flash.size.source).toMatchObject(sources.flash);
    expect(plan.before.source).toMatchObject(sources.before);
    expect(plan.after.source).toMatchObject(sources.after);
    expect(plan.stub.source).toMatchObject(sources.stub);
    expect(plan.chip.source).toEqual(sources.chip);
    for (const r of plan.regions)
      expect(r.source).toEqual({ kind: 'build', detail: join(build.dir, 'flasher_args.json') });
  });
});

describe.skipIf(!HAVE_SHARED)(`espflash plan --json on every real build fixture${SHARED_SKIP_NOTE}`, () => {
  it.each(FIXTURE_BUILDS)('%s', async (fixture) => {
    const build = prepareFixture(fixture);
    const { sources: _s, ...want } = expected(build);
    const result = await runCli(['plan', '--build-dir', build.dir, '--json'], { cwd: build.dir });
    // stdout carries exactly one object: warnings go into it, stderr stays empty.
    expect(result.stderr).toEqual('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const { warnings, notes, commands, ...plan } = JSON.parse(lines[0]!);
    expect(plan).toEqual(want);
    // The esptool v5 equivalent writes every region at its offset; the idf.py one names the build.
    for (const r of want.regions as Array<{ offset: number }>)
      expect(commands.esptool).toContain(` 0x${r.offset.toString(16)} `.trimEnd());
    expect(commands.esptool).toMatch(new RegExp(`^esptool --chip ${want.chip} .* write-flash `));
    expect(commands.idfPy).toMatch(/^idf\.py .*flash$/);
    if (fixture.startsWith('handwritten'))
      expect(warnings).toEqual(expect.arrayContaining([expect.stringContaining('not written by ESP-IDF')]));
    // Encrypted regions come with the rule `flash` applies to them.
    expect(notes !== undefined).toBe(want.regions.some((r: { encrypted: boolean }) => r.encrypted));
  });
});

describe.skipIf(!HAVE_SHARED)(`the hand-written (non-IDF) fixture${SHARED_SKIP_NOTE}`, () => {
  it('as committed (its .pio files absent) -> project/missing-image naming them', async () => {
    const build = prepareFixture(HANDWRITTEN[0]!, { images: false });
    const err = await derivePlan({ buildDir: build.dir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'project/missing-image' });
    expect((err as Error).message).toContain('.pio/build/esp32s2/firmware.bin');
    const cli = await runCli(['plan', '--build-dir', build.dir], { cwd: build.dir });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('project/missing-image');
    expect(hasStackTrace(cli.stderr)).toBe(false);
  });

  it('with its files present -> a minimal plan: chip from the image header, headers kept', async () => {
    const build = prepareFixture(HANDWRITTEN[0]!);
    const plan = await derivePlan({ buildDir: build.dir });
    expect(plan.chip).toEqual({
      value: 'esp32s2',
      source: {
        kind: 'derived',
        detail: `image header of ${join(build.dir, '.pio/build/esp32s2/firmware.bin')}`,
      },
    });
    expect([plan.flash.mode.value, plan.flash.freq.value, plan.flash.size.value]).toEqual([
      'keep',
      'keep',
      'keep',
    ]);
    expect(plan.regions.map((r) => r.role)).toEqual(['partition-table', 'app']);
  });
});
