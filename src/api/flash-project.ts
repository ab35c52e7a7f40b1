// flashProject: the whole `espflash` job as one call: derive the plan from the build, connect with
// the plan's chip/before/stub, write + verify every region, reset per the plan's `after`, close.

import { isFixedFlashSize } from '../core/settings.js';
import type { FlashSummary } from '../flash/flash-plan.js';
import { type DerivePlanOptions, derivePlan, type PlanOverrides } from '../plan/derive-plan.js';
import type { FlashPlan } from '../plan/types.js';
import { locateBuildDir } from '../project/locate-build.js';
import { sourced } from '../provenance.js';
import { type OpenDeviceOptions, openDevice } from './open-device.js';

/** Options for {@link flashProject}. */
export interface FlashProjectOptions
  extends Omit<OpenDeviceOptions, 'chip' | 'before' | 'after' | 'stub' | 'flashSize'> {
  /** ESP-IDF build directory (default: the working directory when it is one, else `./build`). */
  buildDir?: string;
  /** CLI/config values that beat the build's (chip, flash settings, before/after, stub, --to/--only). */
  overrides?: PlanOverrides;
  /** Write regions even when the device already holds them. */
  force?: boolean;
  /** Flash stale images instead of failing (`project/stale-image`). */
  allowStale?: boolean;
  /** A plan made earlier (skips deriving; `buildDir`/`overrides` are then ignored). */
  plan?: FlashPlan;
  /**
   * Fast reflash: remember what this device (chip + MAC) got and next time write only changed
   * sectors. `true` uses ~/.cache/espflash (or ESPFLASH_CACHE_DIR); `{ dir }` another folder.
   */
  fastReflash?: boolean | { dir?: string };
}

/** What {@link flashProject} did. */
export interface FlashProjectResult {
  plan: FlashPlan;
  summary: FlashSummary;
}

/** Locate the build (like the CLI) and derive its plan. */
async function planFor(options: FlashProjectOptions): Promise<FlashPlan> {
  const located = await locateBuildDir({
    cwd: process.cwd(),
    ...(options.buildDir === undefined
      ? {}
      : { buildDir: sourced(options.buildDir, 'cli', 'flashProject({ buildDir })') }),
  });
  const deriveOptions: DerivePlanOptions = {
    buildDir: located.buildDir,
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.allowStale === undefined ? {} : { allowStale: options.allowStale }),
  };
  return derivePlan(deriveOptions);
}

/** Derive the plan, flash and verify it, reset. The device is closed on success and on failure. */
export async function flashProject(options: FlashProjectOptions): Promise<FlashProjectResult> {
  const plan = options.plan ?? (await planFor(options));
  const {
    buildDir: _b,
    overrides: _o,
    force,
    allowStale: _a,
    plan: _p,
    fastReflash,
    ...deviceOptions
  } = options;
  const size = plan.flash.size.value;
  const device = await openDevice({
    ...deviceOptions,
    chip: plan.chip.value,
    before: plan.before.value,
    after: plan.after.value,
    stub: plan.stub.value,
    ...(isFixedFlashSize(size) ? { flashSize: size } : {}),
  });
  try {
    const cache =
      fastReflash && !force ? await device.openCache(fastReflash === true ? {} : fastReflash) : null;
    const summary = await device.flash(plan, {
      ...(force === undefined ? {} : { force }),
      ...(cache ? { cache } : {}),
    });
    await device.reset(plan.after.value);
    return { plan, summary };
  } finally {
    await device.close();
  }
}
