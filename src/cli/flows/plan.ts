// CLI flows for the build: the plan exactly as `espflash plan` derives it (CLI > env > config, the
// build located from the working directory), and the build directory for partition-table fallbacks.

import { planProject } from '../../api/flash-project.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import type { Logger } from '../../logger.js';
import type { FlashPlan } from '../../plan/types.js';
import { locateBuildDir } from '../../project/locate-build.js';
import type { CliContext } from '../context.js';
import { type CliArgs, planOverrides, resolveCliOptions } from '../shared-options.js';

/** What {@link planFromCli} returns. */
export interface CliPlan {
  plan: FlashPlan;
  /** Options after CLI > env > config precedence (port, baud, … for the caller). */
  resolved: ResolvedOptions;
}

/** Where the build is, from the resolved options: for `planProject`/`flashProject`. */
export function buildLocation(
  resolved: ResolvedOptions,
  ctx: CliContext,
): { cwd: string; buildDir?: ResolvedOptions['buildDir']; project?: ResolvedOptions['project'] } {
  return {
    cwd: ctx.io.cwd,
    ...(resolved.buildDir ? { buildDir: resolved.buildDir } : {}),
    ...(resolved.project ? { project: resolved.project } : {}),
  };
}

/**
 * Resolve options, locate the build and derive the validated plan exactly as `espflash plan` does;
 * for commands that flash (`flash`, `watch`) built with addProjectOptions + addDeviceOptions.
 */
export async function planFromCli(
  args: CliArgs,
  ctx: CliContext,
  options: { allowStale?: boolean; logger?: Logger } = {},
): Promise<CliPlan> {
  const resolved = await resolveCliOptions(args, ctx);
  const plan = await planProject({
    ...buildLocation(resolved, ctx),
    overrides: planOverrides(resolved, args),
    logger: options.logger ?? ctx.logger,
    allowStale: options.allowStale ?? false,
  });
  return { plan, resolved };
}

/** The project's build directory when one can be found (for partition-table fallback), else null. */
export async function findBuildDir(resolved: ResolvedOptions, ctx: CliContext): Promise<string | null> {
  try {
    return (await locateBuildDir(buildLocation(resolved, ctx))).buildDir;
  } catch (err) {
    // A build dir the user named must exist; the implicit lookup from cwd is only a fallback.
    const named = [resolved.buildDir, resolved.project].some(
      (v) => v && (v.source.kind === 'cli' || v.source.kind === 'env'),
    );
    if (named) throw err;
    return null;
  }
}
