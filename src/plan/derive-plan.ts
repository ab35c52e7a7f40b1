// Builds a validated FlashPlan from an ESP-IDF build directory plus overrides: read the build, resolve
// settings, assign roles/labels, apply --to/--only, check images are present and fresh, hash, validate.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { type ChipName, chipInfo } from '../chips/chips.js';
import { hex } from '../core/protocol/bytes.js';
import { type Logger, silentLogger } from '../logger.js';
import type { BuildOutput } from '../project/build-output.js';
import { readBuildOutput } from '../project/read-build.js';
import { checkImageFiles, describeStale, type StaleImage } from '../project/staleness.js';
import type { Sourced } from '../provenance.js';
import { buildLayout, type DraftRegion } from './layout.js';
import { resolveSettings } from './resolve-settings.js';
import { selectRegions } from './select-regions.js';
import type { FlashPlan, PlanRegion } from './types.js';
import { validatePlan } from './validate-plan.js';

/** Values that beat what the build says; each carries its own source (CLI flag, env, config file). */
export interface PlanOverrides {
  chip?: Sourced<ChipName>;
  flashMode?: Sourced<string>;
  flashFreq?: Sourced<string>;
  flashSize?: Sourced<string>;
  before?: Sourced<string>;
  after?: Sourced<string>;
  stub?: Sourced<boolean>;
  /** Write only the app, into the app partition with this label. */
  to?: string;
  /** Keep only these regions (roles, partition labels or build entry names). */
  only?: string[];
}

/** Options for {@link derivePlan}. */
export interface DerivePlanOptions {
  buildDir: string;
  overrides?: PlanOverrides;
  logger?: Logger;
  /** Record stale images in `plan.stale` instead of failing with `project/stale-image`. */
  allowStale?: boolean;
  /** Warn instead of failing on an app/bootloader image with a bad checksum or digest (`--force`). */
  allowBadImages?: boolean;
}

/**
 * Derive and validate the flash plan for `buildDir`. Throws coded errors (`project/*`, `plan/*`,
 * `partition/*`, `image/*`) for anything that would make the write wrong.
 */
export async function derivePlan(options: DerivePlanOptions): Promise<FlashPlan> {
  const logger = options.logger ?? silentLogger;
  const overrides = options.overrides ?? {};
  const build = await readBuildOutput({
    buildDir: options.buildDir,
    chipHint: overrides.chip?.value ?? null,
    logger,
  });
  logger.debug(`layout from ${build.layoutFile ?? 'a bare build'} (${build.kind})`);

  const layout = await buildLayout(build);
  const selected = await selectRegions(layout, {
    ...(overrides.to === undefined ? {} : { to: overrides.to }),
    ...(overrides.only === undefined ? {} : { only: overrides.only }),
  });
  const stale = await checkImageFiles({
    images: selected.map((r) => ({ file: r.file, entry: r.entry, elf: elfFor(r, build) })),
    reference: build.layoutFile,
    allowStale: options.allowStale ?? false,
  });
  for (const s of stale) {
    logger.warn(
      s.basis === 'content'
        ? `${describeStale(s)}; flashing it anyway (--allow-stale)`
        : `${describeStale(s)} (file times only: the content could not be checked; rebuild if the sources changed)`,
    );
  }

  const settings = await resolveSettings({ build, overrides, logger });

  const bootloader = selected.find((r) => r.role === 'bootloader');
  const romOffset = chipInfo(settings.chip.value).bootloaderOffset;
  if (bootloader && bootloader.offset !== romOffset) {
    logger.warn(
      `the bootloader is at ${hex(bootloader.offset)}, but the ${settings.chip.value} ROM loads it from ${hex(romOffset)}`,
    );
  }
  const regions = await Promise.all(selected.map(hashRegion));
  const plan: FlashPlan = { ...settings, regions, buildDir: build.buildDir, ...staleField(stale) };
  await validatePlan(plan, {
    partitions: layout.partitions,
    allowBadImages: options.allowBadImages ?? false,
    logger,
  });
  return plan;
}

async function hashRegion(r: DraftRegion): Promise<PlanRegion> {
  const bytes = await readFile(r.file);
  return {
    offset: r.offset,
    size: bytes.length,
    file: r.file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    role: r.role,
    label: r.label,
    encrypted: r.encrypted,
    source: r.source,
  };
}

/** The ELF an image was made from: the app's from project_description.json, the bootloader's next to it. */
function elfFor(region: DraftRegion, build: BuildOutput): string | null {
  if (region.role === 'bootloader') return join(dirname(region.file), 'bootloader.elf');
  if (region.role !== 'app') return null;
  const elf = build.description?.appElf;
  if (!elf) return region.file.replace(/\.bin$/, '.elf');
  // Recorded paths are often from another machine; fall back to the same name in this build dir.
  return isAbsolute(elf) && elf.startsWith(build.buildDir) ? elf : resolve(build.buildDir, basename(elf));
}

function staleField(stale: StaleImage[]): Pick<FlashPlan, 'stale'> {
  return stale.length ? { stale } : {};
}
