// CLI flow for `espflash flash`: the options of the one flash job (flashProject) from the resolved
// settings and flags, with the progress reporter and Ctrl+C; the caller renders the summary.

import type { PortChoice } from '../../api/choose-port.js';
import { type FlashProjectResult, flashProject } from '../../api/flash-project.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import type { CliContext } from '../context.js';
import { createReporter } from '../reporter/reporter.js';
import { planOverrides, type RegionArgs } from '../shared-options.js';
import { fastReflashFrom, linkOptionsFrom } from './device.js';
import { withDeviceInterrupt } from './interrupt.js';
import { buildLocation } from './plan.js';
import { portQuestion } from './port-prompt.js';

/** What `flash` asks of the job besides the resolved settings. */
export interface FlashJobFlags extends RegionArgs {
  /** Write whole regions (no fast reflash). */
  full: boolean;
  /** Rewrite held regions; flash images with a bad checksum/digest. */
  force: boolean;
  allowStale: boolean;
  /** From --compress/--no-compress/-u; undefined: the loader's default. */
  compress?: boolean | undefined;
  /** A port chosen earlier (flash --monitor); else openDevice chooses. */
  port?: PortChoice;
}

/** Run the flash job with the CLI's reporter and Ctrl+C (stops between blocks, closes the port). */
export async function runFlashJob(
  resolved: ResolvedOptions,
  ctx: CliContext,
  flags: FlashJobFlags,
): Promise<FlashProjectResult> {
  const reporter = createReporter(ctx);
  const port = flags.port ?? resolved.port?.value;
  try {
    return await withDeviceInterrupt((signal) =>
      flashProject({
        ...flashJobOptions(resolved, ctx, flags),
        ...(port === undefined ? portQuestion(resolved, ctx) : { port }),
        logger: ctx.logger,
        signal,
        // The bars end with the flash: the reset after it prints below them.
        onEvent: (event) => {
          reporter.onEvent(event);
          if (event.type === 'done') reporter.finish();
        },
      }),
    );
  } finally {
    reporter.finish();
  }
}

/**
 * The flash job's options from the resolved settings and the command's flags (build location, plan
 * overrides, stale/bad-image switches, fast reflash, compression, link): one board or many.
 */
export function flashJobOptions(resolved: ResolvedOptions, ctx: CliContext, flags: FlashJobFlags) {
  return {
    ...buildLocation(resolved, ctx),
    overrides: planOverrides(resolved, flags),
    allowStale: flags.allowStale,
    allowBadImages: flags.force,
    force: flags.force,
    fastReflash: fastReflashFrom(resolved, { full: flags.full || flags.force }),
    ...(flags.compress === undefined ? {} : { compress: flags.compress }),
    ...linkOptionsFrom(resolved),
  };
}
