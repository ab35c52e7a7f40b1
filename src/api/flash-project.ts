// flashProject: the whole `espflash` job as one call: derive the plan from the build, connect with
// the plan's chip/before/stub, write + verify every region, reset per the plan's `after`, close.

import { resolve } from 'node:path';
import type { FlashSummary } from '../flash/flash-plan.js';
import { type DerivePlanOptions, derivePlan, type PlanOverrides } from '../plan/derive-plan.js';
import type { FlashPlan } from '../plan/types.js';
import { type OpenDeviceOptions, openDevice } from './open-device.js';

/** Options for {@link flashProject}. */
export interface FlashProjectOptions
  extends Omit<OpenDeviceOptions, 'chip' | 'before' | 'after' | 'stub' | 'flashSize'> {
  /** ESP-IDF build directory (default `./build`). */
  buildDir?: string;
  /** CLI/config values that beat the build's (chip, flash settings, before/after, stub, --to/--only). */
  overrides?: PlanOverrides;
  /** Write regions even when the device already holds them. */
  force?: boolean;
  /** Flash stale images instead of failing (`project/stale-image`). */
  allowStale?: boolean;
  /** A plan made earlier (skips deriving; `buildDir`/`overrides` are then ignored). */
  plan?: FlashPlan;
}

/** What {@link flashProject} did. */
export interface FlashProjectResult {
  plan: FlashPlan;
  summary: FlashSummary;
}

/** Derive the plan, flash and verify it, reset. The device is closed on success and on failure. */
export async function flashProject(options: FlashProjectOptions): Promise<FlashProjectResult> {
  const deriveOptions: DerivePlanOptions = {
    buildDir: resolve(options.buildDir ?? 'build'),
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.allowStale === undefined ? {} : { allowStale: options.allowStale }),
  };
  const plan = options.plan ?? (await derivePlan(deriveOptions));
  const { buildDir: _b, overrides: _o, force, allowStale: _a, plan: _p, ...deviceOptions } = options;
  const size = plan.flash.size.value;
  const device = await openDevice({
    ...deviceOptions,
    chip: plan.chip.value,
    before: plan.before.value,
    after: plan.after.value,
    stub: plan.stub.value,
    ...(size === 'detect' || size === 'keep' ? {} : { flashSize: size }),
  });
  try {
    const summary = await device.flash(plan, force === undefined ? {} : { force });
    await device.reset(plan.after.value);
    return { plan, summary };
  } finally {
    await device.close();
  }
}
