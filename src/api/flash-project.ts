// flashProject: the flash job, one call for the CLI (`espflash flash`), `watch` and embedders: derive
// the plan from the build (or take one), open the device with the plan's chip/before/stub (the port
// chosen by openDevice), write + verify every region (fast reflash when asked), reset per the plan's
// `after`, close. Progress goes to `onEvent`; `signal` stops between blocks; the device is always closed.

import { readMac } from '../core/ops/read-mac.js';
import { isFixedFlashSize } from '../core/settings.js';
import type { FlashSummary } from '../flash/write-plan.js';
import { type DerivePlanOptions, derivePlan, type PlanOverrides } from '../plan/derive-plan.js';
import type { FlashPlan } from '../plan/types.js';
import { locateBuildDir } from '../project/locate-build.js';
import { describeSource, type Sourced, sourced } from '../provenance.js';
import type { OpenDeviceOptions } from './open-device.js';

/** Options for {@link flashProject}. */
export interface FlashProjectOptions
  extends Omit<OpenDeviceOptions, 'chip' | 'before' | 'after' | 'stub' | 'flashSize'> {
  /** Where a relative `buildDir`/`project` is resolved and the build is looked for (default: `process.cwd()`). */
  cwd?: string;
  /** ESP-IDF build directory (default: the working directory when it is one, else `./build`). */
  buildDir?: string | Sourced<string>;
  /** ESP-IDF project directory; its `build/` is used (a `buildDir` from a lower layer loses to it). */
  project?: string | Sourced<string>;
  /** CLI/config values that beat the build's (chip, flash settings, before/after, stub, --to/--only). */
  overrides?: PlanOverrides;
  /** Write regions even when the device already holds them (also turns fast reflash off). */
  force?: boolean;
  /** Flash stale images instead of failing (`project/stale-image`). */
  allowStale?: boolean;
  /** Flash images with a bad checksum or digest (with a warning) instead of failing. */
  allowBadImages?: boolean;
  /** A plan made earlier (skips deriving; `buildDir`/`project`/`overrides` are then ignored). */
  plan?: FlashPlan;
  /**
   * Fast reflash: remember what this device (chip + MAC) got and next time write only changed
   * sectors. `true` uses ~/.cache/espflash (or ESPFLASH_CACHE_DIR); `{ dir }` another folder.
   */
  fastReflash?: boolean | { dir?: string };
  /** Deflate writes (default: with the stub; false sends plain data, true asks the ROM to inflate too). */
  compress?: boolean;
}

/** What {@link flashProject} did. */
export interface FlashProjectResult {
  plan: FlashPlan;
  summary: FlashSummary;
  /** The connected chip's name and MAC (null where unreadable: Secure Download Mode). */
  board: { chip: string; mac: string | null };
}

/** A path option as a sourced value (a plain string counts as the caller's own). */
function asSourced(value: string | Sourced<string>, name: string): Sourced<string> {
  return typeof value === 'string' ? sourced(value, 'cli', `flashProject({ ${name} })`) : value;
}

/** Locate the build (like the CLI) and derive its plan. */
export async function planProject(options: FlashProjectOptions): Promise<FlashPlan> {
  const located = await locateBuildDir({
    cwd: options.cwd ?? process.cwd(),
    ...(options.buildDir === undefined ? {} : { buildDir: asSourced(options.buildDir, 'buildDir') }),
    ...(options.project === undefined ? {} : { project: asSourced(options.project, 'project') }),
  });
  options.logger?.debug(`build dir: ${located.buildDir} (${describeSource(located.source)})`);
  const deriveOptions: DerivePlanOptions = {
    buildDir: located.buildDir,
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.allowStale === undefined ? {} : { allowStale: options.allowStale }),
    ...(options.allowBadImages === undefined ? {} : { allowBadImages: options.allowBadImages }),
  };
  return derivePlan(deriveOptions);
}

/** Derive the plan, flash and verify it, reset. The device is closed on success and on failure. */
export async function flashProject(options: FlashProjectOptions): Promise<FlashProjectResult> {
  const plan = options.plan ?? (await planProject(options));
  const {
    cwd: _c,
    buildDir: _b,
    project: _j,
    overrides: _o,
    force,
    allowStale: _a,
    allowBadImages: _i,
    plan: _p,
    fastReflash,
    compress,
    ...deviceOptions
  } = options;
  const size = plan.flash.size.value;
  // The device stack loads with the first flash, not for `planProject` (`espflash plan`).
  const { openDevice } = await import('./open-device.js');
  const device = await openDevice({
    ...deviceOptions,
    chip: plan.chip.value,
    before: plan.before.value,
    after: plan.after.value,
    stub: plan.stub.value,
    ...(isFixedFlashSize(size) ? { flashSize: size } : {}),
  });
  try {
    const mac = device.loader.secureDownloadMode ? null : await readMac(device.loader).catch(() => null);
    const cache =
      fastReflash && !force ? await device.openCache(fastReflash === true ? {} : fastReflash) : null;
    const summary = await device.flash(plan, {
      ...(force === undefined ? {} : { force }),
      ...(cache ? { cache } : {}),
      ...(compress === undefined ? {} : { compress }),
    });
    await device.reset(plan.after.value);
    return { plan, summary, board: { chip: device.chip.name, mac } };
  } finally {
    await device.close();
  }
}
