// The build readers' fallback order: flasher_args.json → flash_args/flash_project_args →
// project_description.json → a bare bootloader + partition table + app directory.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derivePlan } from '../../src/plan/derive-plan.js';
import type { FlashPlan } from '../../src/plan/types.js';
import { SHARED_SKIP_NOTE } from '../support/shared-fixtures.js';
import { FIXTURE_BUILDS, prepareFixture } from './fixture-build.js';

const pick = (name: string) => FIXTURE_BUILDS.find((b) => b.startsWith(name)) ?? name;
const layout = (plan: FlashPlan) => plan.regions.map((r) => [r.offset, r.role, r.label, r.encrypted]);
const ARG_FILES = ['flash_args', 'flash_project_args'];

describe.skipIf(FIXTURE_BUILDS.length === 0)(`fallback order${SHARED_SKIP_NOTE}`, () => {
  it('v4.4.3 two-OTA build: every fallback stage yields the same layout', async () => {
    const build = prepareFixture(pick('v4.4.3_esp32_airsense'));
    const full = await derivePlan({ buildDir: build.dir });
    const want = [
      [0x1000, 'bootloader', null, false],
      [0x8000, 'partition-table', null, false],
      [0xd000, 'otadata', 'otadata', false],
      [0x10000, 'app', 'factory', false],
    ];
    expect(layout(full)).toEqual(want);

    rmSync(join(build.dir, 'flasher_args.json'));
    const fromArgs = await derivePlan({ buildDir: build.dir });
    expect(layout(fromArgs)).toEqual(want);
    // flash_args carries the real size where flasher_args.json said "detect"; no resets or stub in it.
    expect(fromArgs.flash.size).toEqual({
      value: '4MB',
      source: { kind: 'build', detail: join(build.dir, 'flash_args') },
    });
    expect(fromArgs.chip).toEqual({
      value: 'esp32',
      source: { kind: 'build', detail: join(build.dir, 'project_description.json') },
    });
    expect(fromArgs.before.source.kind).toBe('default');
    expect(fromArgs.stub).toMatchObject({ value: true, source: { kind: 'default' } });

    for (const f of ARG_FILES) rmSync(join(build.dir, f));
    const fromDesc = await derivePlan({ buildDir: build.dir });
    expect(layout(fromDesc)).toEqual(want);
    expect(fromDesc.flash.mode.value).toBe('keep');
    expect(fromDesc.regions.find((r) => r.role === 'app')?.source).toEqual({
      kind: 'derived',
      detail: `boot app partition "factory" in ${join(build.dir, 'partition_table', 'partition-table.bin')}`,
    });

    rmSync(join(build.dir, 'project_description.json'));
    const bare = await derivePlan({ buildDir: build.dir });
    expect(layout(bare)).toEqual(want);
    expect(bare.chip).toEqual({
      value: 'esp32',
      source: {
        kind: 'derived',
        detail: `bootloader image header (${join(build.dir, 'bootloader', 'bootloader.bin')})`,
      },
    });
    expect(bare.regions.find((r) => r.role === 'partition-table')?.source.kind).toBe('default');
  });

  it('bare build: CONFIG_PARTITION_TABLE_OFFSET from the project sdkconfig moves the table (v3.3, 0x10000)', async () => {
    const build = prepareFixture(pick('v3.3.1_esp32_living'));
    for (const f of ['flasher_args.json', 'flash_project_args', 'project_description.json'])
      rmSync(join(build.dir, f));
    // Without the config the table is assumed at 0x8000, where this 29 KB bootloader runs into it.
    const noConfig = await derivePlan({ buildDir: build.dir }).catch((e: unknown) => e);
    expect(noConfig).toMatchObject({ code: 'plan/overlap' });
    expect((noConfig as Error).message).toContain('bootloader.bin [0x1000..0x82e0) overlaps');

    writeFileSync(
      join(dirname(build.dir), 'sdkconfig'),
      'CONFIG_IDF_TARGET="esp32"\nCONFIG_PARTITION_TABLE_OFFSET=0x10000\n',
    );
    const plan = await derivePlan({ buildDir: build.dir });
    expect(plan.regions.map((r) => [r.offset, r.role, r.label])).toEqual([
      [0x1000, 'bootloader', null],
      [0x10000, 'partition-table', null],
      [0x20000, 'app', 'factory'],
    ]);
    expect(plan.regions[1]!.source).toEqual({
      kind: 'build',
      detail: `${join(dirname(build.dir), 'sdkconfig')} (PARTITION_TABLE_OFFSET)`,
    });
    expect(plan.chip.source).toEqual({ kind: 'build', detail: join(dirname(build.dir), 'sdkconfig') });
  });

  it('arg files + flash encryption: encrypted flags only when sdkconfig enables encryption', async () => {
    const build = prepareFixture(pick('v5.0.2_esp32s3_flashenc'));
    rmSync(join(build.dir, 'flasher_args.json'));
    const plain = await derivePlan({ buildDir: build.dir });
    expect(plain.regions.map((r) => r.encrypted)).toEqual([false, false, false, false]);

    mkdirSync(join(build.dir, 'config'), { recursive: true });
    writeFileSync(
      join(build.dir, 'config', 'sdkconfig.json'),
      JSON.stringify({ SECURE_FLASH_ENC_ENABLED: true }),
    );
    const enc = await derivePlan({ buildDir: build.dir });
    expect(enc.regions.map((r) => [r.offset, r.encrypted])).toEqual([
      [0x0, true],
      [0x8000, true],
      [0x20000, true],
      [0x120000, false],
    ]);
  });

  it('v4.0 stale flash_encrypted_* files are ignored without an sdkconfig saying encryption is on', async () => {
    const build = prepareFixture(pick('v4.0.1_esp32_SmartEnvi22'));
    rmSync(join(build.dir, 'flasher_args.json'));
    const plan = await derivePlan({ buildDir: build.dir });
    expect(plan.regions.every((r) => !r.encrypted)).toBe(true);
    expect(plan.regions.map((r) => r.offset)).toEqual([0x1000, 0x8000, 0xd000, 0x10000]);
  });

  it('nothing at all -> project/no-build-output', async () => {
    const build = prepareFixture(pick('v5.2.2_esp32c3'));
    for (const f of ['flasher_args.json', ...ARG_FILES, 'project_description.json'])
      rmSync(join(build.dir, f));
    rmSync(join(build.dir, 'bootloader'), { recursive: true });
    await expect(derivePlan({ buildDir: build.dir })).rejects.toMatchObject({
      code: 'project/no-build-output',
    });
  });

  it('a corrupt project_description.json is a warning next to flasher_args.json, an error on its own', async () => {
    const build = prepareFixture(pick('v5.3.1_esp32c6'));
    writeFileSync(join(build.dir, 'project_description.json'), '{"target": ');
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m) };
    const plan = await derivePlan({ buildDir: build.dir, logger });
    expect(plan.chip.value).toBe('esp32c6');
    expect(warnings.join()).toContain('project_description.json');

    for (const f of ['flasher_args.json', ...ARG_FILES]) rmSync(join(build.dir, f));
    await expect(derivePlan({ buildDir: build.dir })).rejects.toMatchObject({
      code: 'project/bad-project-description',
    });
  });
});
