// Decides the plan's chip, flash mode/freq/size, resets and stub from overrides, the build's own files,
// derived clues (components, image headers) and defaults — each value keeps its source.

import { CHIP_NAMES, type ChipName, parseChipName } from '../chips/chips.js';
import { type AfterReset, type BeforeReset, parseResetMode, resetModeLabels } from '../core/settings.js';
import { isEspflashError, UsageError } from '../errors.js';
import { parseFlashFreq, parseFlashMode, parseFlashSize } from '../image/flash-params.js';
import type { Logger } from '../logger.js';
import type { BuildOutput } from '../project/build-output.js';
import { probeImageChip } from '../project/image-probe.js';
import { type Sourced, sourced } from '../provenance.js';
import type { PlanOverrides } from './derive-plan.js';
import type { FlashMode, FlashPlan } from './types.js';

/** The settings part of a plan. */
export type PlanSettings = Pick<FlashPlan, 'chip' | 'flash' | 'before' | 'after' | 'stub'>;

/** Resolve every setting; throws `project/unknown-chip`, `plan/bad-reset-mode` or `image/bad-flash-*`. */
export async function resolveSettings(options: {
  build: BuildOutput;
  overrides: PlanOverrides;
  logger: Logger;
}): Promise<PlanSettings> {
  const { build, overrides, logger } = options;
  const chip = await resolveChip(build, overrides, logger);
  const c = chip.value;

  // A build value espflash cannot write is the same error `flash` would give, before connecting;
  // one that an override replaces only warns.
  const mode = pick(
    overrides.flashMode,
    build.flashMode,
    'keep',
    (t) => parseFlashMode(t) as FlashMode,
    '--flash-mode',
  );
  const freq = pick(
    overrides.flashFreq,
    build.flashFreq,
    'keep',
    (t) => parseFlashFreq(c, t),
    '--flash-freq',
  );
  const size = pick(
    overrides.flashSize,
    build.flashSize,
    'keep',
    (t) => parseFlashSize(c, t),
    '--flash-size',
  );
  for (const [what, value, valid] of [
    ['flash mode', build.flashMode, (t: string) => parseFlashMode(t)],
    ['flash frequency', build.flashFreq, (t: string) => parseFlashFreq(c, t)],
    ['flash size', build.flashSize, (t: string) => parseFlashSize(c, t)],
  ] as const) {
    if (value && !accepts(valid, value.value)) {
      logger.warn(
        `${value.source.detail ?? 'the build'} sets ${what} "${value.value}", which espflash does not know for ${c}; the override is used`,
      );
    }
  }
  return {
    chip,
    flash: { mode, freq, size },
    before: pickReset<BeforeReset>(overrides.before, build.before, 'default_reset', 'before'),
    after: pickReset<AfterReset>(overrides.after, build.after, 'hard_reset', 'after'),
    stub: overrides.stub ?? build.stub ?? sourced(true, 'default', 'esptool default'),
  };
}

async function resolveChip(
  build: BuildOutput,
  overrides: PlanOverrides,
  logger: Logger,
): Promise<Sourced<ChipName>> {
  const fromBuild = build.chip ? parseBuildChip(build.chip.value) : null;
  if (overrides.chip) {
    if (fromBuild && fromBuild !== overrides.chip.value) {
      logger.warn(
        `chip ${overrides.chip.value} overrides ${fromBuild} from ${build.chip?.source.detail ?? 'the build'}`,
      );
    }
    return overrides.chip;
  }
  if (build.chip && fromBuild) return { value: fromBuild, source: build.chip.source };
  if (build.chip)
    logger.warn(`the build names an unknown target "${build.chip.value}"; looking for other clues`);

  const component = build.description?.components.find((c) => (CHIP_NAMES as readonly string[]).includes(c));
  if (component && build.descriptionFile) {
    return sourced(component as ChipName, 'derived', `component "${component}" in ${build.descriptionFile}`);
  }
  const probeOrder = [...build.entries].sort((a, b) => rank(a.name) - rank(b.name));
  for (const entry of probeOrder) {
    const chip = await probeImageChip(entry.file);
    if (chip) return sourced(chip, 'derived', `image header of ${entry.file}`);
  }
  throw new UsageError('project/unknown-chip', `Cannot tell which chip ${build.buildDir} was built for`, {
    hint: 'Pass --chip (e.g. --chip esp32s3) or set `chip` in espflash.config.',
    details: { buildDir: build.buildDir },
  });
}

/** IDF target text → chip; pre-production names such as `esp32c5beta3` map to their chip. */
function parseBuildChip(text: string): ChipName | null {
  return parseChipName(text) ?? parseChipName(text.replace(/beta\d*$/i, ''));
}

function rank(name: string | null): number {
  return name === 'bootloader' ? 0 : name === 'app' ? 1 : 2;
}

function pick<T extends string>(
  override: Sourced<string> | undefined,
  build: Sourced<string> | null,
  fallback: T,
  parse: (text: string) => T | string,
  flag: string,
): Sourced<T> {
  if (override) return { value: parse(override.value) as T, source: override.source };
  if (build) {
    try {
      parse(build.value);
    } catch (err) {
      if (!isEspflashError(err)) throw err;
      const where = build.source.detail ?? 'the build';
      throw new UsageError(err.code, `${where}: ${err.message}`, {
        hint: `Fix it in the project (idf.py menuconfig, then rebuild), or override it with ${flag}.`,
        details: { ...err.details, source: build.source },
        cause: err,
      });
    }
    return { value: build.value.trim() as T, source: build.source };
  }
  return sourced(fallback, 'default', 'not set by the build; image headers kept');
}

function pickReset<T extends BeforeReset | AfterReset>(
  override: Sourced<string> | undefined,
  build: Sourced<string> | null,
  fallback: T,
  which: 'before' | 'after',
): Sourced<T> {
  const chosen = override ?? build;
  if (!chosen) return sourced(fallback, 'default', 'esptool default');
  const mode = parseResetMode(which, chosen.value);
  if (mode === null) {
    const valid = resetModeLabels(which).join(', ');
    throw new UsageError('plan/bad-reset-mode', `--${which} "${chosen.value}" is not one of ${valid}`, {
      hint: `Pass --${which} with one of: ${valid} (or fix \`${which}\` in ${chosen.source.detail ?? 'the config'}).`,
      details: { which, value: chosen.value, source: chosen.source },
    });
  }
  return { value: mode as T, source: chosen.source };
}

function accepts(parse: (t: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}
