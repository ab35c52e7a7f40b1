import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChipName } from '../../src/chips/chips.js';
import { prepareFlash } from '../../src/core/ops/prepare-flash.js';
import type { FlashEvent } from '../../src/events.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { writePlan } from '../../src/flash/write-plan.js';
import { derivePlan, type PlanOverrides } from '../../src/plan/derive-plan.js';
import { sourced } from '../../src/provenance.js';
import { ScriptedLoader } from '../core/ops/support/scripted-loader.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'espflash-flash-plan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function setup(options: {
  chip?: ChipName;
  stub?: boolean;
  jedecId?: number;
  corruptAt?: number;
  overrides?: PlanOverrides;
  appSize?: number;
  deviceChip?: ChipName;
}) {
  const chip = options.chip ?? 'esp32';
  const build = await generateExampleBuild({
    dir,
    chip,
    ...(options.appSize ? { appSize: options.appSize } : {}),
  });
  const plan = await derivePlan({
    buildDir: build.buildDir,
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const loader = new ScriptedLoader({
    chip: options.deviceChip ?? chip,
    stub: options.stub ?? true,
    ...(options.jedecId === undefined ? {} : { jedecId: options.jedecId }),
    ...(options.corruptAt === undefined ? {} : { corruptAt: options.corruptAt }),
  });
  const flash = await prepareFlash(loader);
  return { build, plan, loader, flash };
}

describe('writePlan', () => {
  it('writes every region so the flash holds the files (bootloader header patched per the plan)', async () => {
    const { plan, loader, flash } = await setup({
      overrides: { flashMode: sourced('dout', 'cli', '--flash-mode') },
    });
    const seen: FlashEvent[] = [];
    const summary = await writePlan({ plan, loader, flash, onEvent: (e) => seen.push(e) });

    expect(summary.regions.map((r) => r.status)).toEqual(plan.regions.map(() => 'written'));
    expect(summary.regions.every((r) => r.verified)).toBe(true);
    for (const region of plan.regions) {
      const file = new Uint8Array(await readFile(region.file));
      const onFlash = loader.flash.subarray(region.offset, region.offset + file.length);
      if (region.offset === loader.chip.bootloaderOffset) {
        expect(onFlash[2]).toBe(3); // dout
        expect(onFlash.subarray(4, 24)).toEqual(file.subarray(4, 24));
      } else {
        expect(onFlash).toEqual(file);
      }
    }
    expect(summary.bytesWritten).toBeGreaterThanOrEqual(plan.regions.reduce((n, r) => n + r.size, 0));
    expect(seen.at(-1)?.type).toBe('done');
    expect(seen.filter((e) => e.type === 'region-verified')).toHaveLength(plan.regions.length);
  });

  it('skips every region on a second run, and rewrites them with force', async () => {
    const { plan, loader, flash } = await setup({});
    await writePlan({ plan, loader, flash });
    const again = await writePlan({ plan, loader, flash });
    expect(again.regions.map((r) => r.status)).toEqual(plan.regions.map(() => 'skipped'));
    expect(again.bytesWritten).toBe(0);
    const forced = await writePlan({ plan, loader, flash, force: true });
    expect(forced.regions.map((r) => r.status)).toEqual(plan.regions.map(() => 'written'));
  });

  it('refuses a file that changed since planning, before writing anything', async () => {
    const { plan, loader, flash, build } = await setup({});
    const app = await readFile(build.files.app);
    app[100] = app[100]! ^ 0xff;
    await writeFile(build.files.app, app);
    const err = await writePlan({ plan, loader, flash }).catch((e) => e);
    expect(err.code).toBe('flash/file-changed');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(build.files.app);
    expect(loader.flash.every((b) => b === 0xff)).toBe(true);
  });

  it('refuses regions that do not fit the detected flash', async () => {
    const { plan, loader, flash } = await setup({ jedecId: 0x1240ef, appSize: 300 * 1024 }); // 256 KB chip
    const err = await writePlan({ plan, loader, flash }).catch((e) => e);
    expect(err.code).toBe('flash/region-too-large');
    expect(err.message).toContain('256KB');
    expect(loader.ops).not.toContain(0x10);
  });

  it('refuses a plan for another chip', async () => {
    const { plan, loader, flash } = await setup({ deviceChip: 'esp32s3' });
    await expect(writePlan({ plan, loader, flash })).rejects.toMatchObject({ code: 'flash/chip-mismatch' });
  });

  it('after a verify failure, reports which regions are verified and which are not', async () => {
    const { plan, loader, flash } = await setup({ corruptAt: 0x10000 + 50 });
    const err = await writePlan({ plan, loader, flash }).catch((e) => e);
    // The same byte fails after every rewrite: a bad sector (the flash), not the link.
    expect(err.code).toBe('flash/bad-sector');
    expect(err.hint).toContain('erase-region 0x10000');
    const summary = err.details.summary;
    const app = plan.regions.findIndex((r) => r.offset === 0x10000);
    expect(summary.regions[app].status).toBe('failed');
    expect(summary.regions.slice(0, app).every((r: { verified: boolean }) => r.verified)).toBe(true);
    expect(err.details.unverified).toContain(plan.regions[app]!.label ?? plan.regions[app]!.role);
    const first = plan.regions[0]!;
    const padded = Math.ceil(first.size / 4) * 4;
    const onFlash = createHash('md5')
      .update(loader.flash.subarray(first.offset, first.offset + padded))
      .digest('hex');
    expect(summary.regions[0].md5).toBe(onFlash);
  });

  it('attaches and detects the flash itself when not given what prepareFlash found', async () => {
    const { plan } = await setup({});
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true, jedecId: 0x1840ef });
    const summary = await writePlan({ plan, loader });
    expect(summary.regions.every((r) => r.verified)).toBe(true);
    expect(loader.ops.slice(0, 1)).toEqual([0x0d]); // SPI_ATTACH first
    expect(loader.ops).toContain(0x0b); // SPI_SET_PARAMS
  });

  it('writes through the ROM loader too (aligned, uncompressed)', async () => {
    const { plan, loader, flash } = await setup({ chip: 'esp32c3', stub: false });
    const summary = await writePlan({ plan, loader, flash });
    expect(summary.regions.every((r) => r.verified)).toBe(true);
    expect(loader.ops).not.toContain(0x10);
    const app = plan.regions.find((r) => r.offset === 0x10000)!;
    expect(loader.flash.subarray(0x10000, 0x10000 + app.size)).toEqual(
      new Uint8Array(await readFile(app.file)),
    );
  });
});
