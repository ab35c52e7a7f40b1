// CLI flows on a device: the one mapping from ResolvedOptions (CLI > env > config) to openDevice /
// flashProject options, the port choice for commands that need it before opening (monitor, watch,
// flash --monitor), and withDevice: open with the reporter and Ctrl+C, run a job, reset, close.

import { choosePort, type PortChoice } from '../../api/choose-port.js';
import type { Device } from '../../api/device.js';
import { type OpenDeviceOptions, openDevice } from '../../api/open-device.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import type { AfterReset } from '../../plan/types.js';
import type { CliContext } from '../context.js';
import { createReporter, type Reporter } from '../reporter/reporter.js';
import { withDeviceInterrupt } from './interrupt.js';
import { portQuestion } from './port-prompt.js';

/** openDevice options a flash plan decides when there is one (the plan already took them from `resolved`). */
type PlanDecided = 'chip' | 'before' | 'after' | 'stub' | 'flashSize';

/** The device options that come from resolved settings (no port, sinks or signal). */
export type DeviceSettingsOptions = Pick<
  OpenDeviceOptions,
  PlanDecided | 'baud' | 'stubVersion' | 'stubFile' | 'resetSequence'
>;

/** The link options that stay when a plan decides the rest (see {@link deviceOptionsFrom}). */
export type LinkOptions = Omit<DeviceSettingsOptions, PlanDecided>;

/** ResolvedOptions → openDevice options: the one place this mapping is made. */
export function deviceOptionsFrom(resolved: ResolvedOptions): DeviceSettingsOptions & { after: AfterReset } {
  return {
    after: resolved.after?.value ?? 'hard_reset',
    ...(resolved.baud ? { baud: resolved.baud.value } : {}),
    ...(resolved.chip ? { chip: resolved.chip.value } : {}),
    ...(resolved.before ? { before: resolved.before.value } : {}),
    ...(resolved.stub ? { stub: resolved.stub.value } : {}),
    ...(resolved.stubVersion ? { stubVersion: resolved.stubVersion.value } : {}),
    ...(resolved.stubFile ? { stubFile: resolved.stubFile.value } : {}),
    ...(resolved.resetSequence ? { resetSequence: resolved.resetSequence.value } : {}),
    ...(resolved.flashSize ? { flashSize: resolved.flashSize.value } : {}),
  };
}

/** {@link deviceOptionsFrom} without what a flash plan decides (chip, before/after, stub, flash size). */
export function linkOptionsFrom(resolved: ResolvedOptions): LinkOptions {
  const { chip: _c, before: _b, after: _a, stub: _s, flashSize: _f, ...link } = deviceOptionsFrom(resolved);
  return link;
}

/** flashProject's `fastReflash` from the cache settings; `--full`/`--force` write whole regions. */
export function fastReflashFrom(
  resolved: ResolvedOptions,
  options: { full?: boolean } = {},
): boolean | { dir: string } {
  if (options.full || resolved.cache.fastReflash?.value === false) return false;
  return resolved.cache.dir ? { dir: resolved.cache.dir.value } : true;
}

/**
 * The port from `--port`/env/config, else the one likely ESP board (ports listed once); several:
 * the one remembered for this project, else asked in a terminal, else `port/ambiguous`.
 */
export function choosePortFor(resolved: ResolvedOptions, ctx: CliContext): Promise<PortChoice> {
  const { portMemory, ...prompt } = portQuestion(resolved, ctx);
  return choosePort({ port: resolved.port?.value, logger: ctx.logger, memory: portMemory, ...prompt });
}

/** Everything a device command needs. */
export interface DeviceSession {
  device: Device;
  resolved: ResolvedOptions;
  reporter: Reporter;
  /** The `--after` mode (default hard_reset). */
  after: AfterReset;
}

/** Options for {@link withDevice}. */
export interface WithDeviceOptions {
  /** Reset with `--after` when the job succeeded (default true). */
  reset?: boolean;
  /** Port to use when none is given (the demo's `sim://esp32`); skips board discovery. */
  defaultPort?: string;
  /** Device options beyond the resolved ones (the demo's chip). */
  open?: Pick<OpenDeviceOptions, 'chip'>;
  /** Draw progress bars (default true); false drops the progress events (`--no-progress`). */
  progress?: boolean;
}

/** The events `--no-progress` drops. */
const PROGRESS_EVENTS = new Set(['region-progress', 'erase-progress', 'read-progress']);

/** Open the device the options name (openDevice chooses the port), run `job`, reset per --after, close. */
export async function withDevice<T>(
  resolved: ResolvedOptions,
  ctx: CliContext,
  job: (session: DeviceSession) => Promise<T>,
  options: WithDeviceOptions = {},
): Promise<T> {
  const reporter = createReporter(ctx);
  const settings = deviceOptionsFrom(resolved);
  const port = resolved.port?.value ?? options.defaultPort;
  return withDeviceInterrupt(async (signal) => {
    const device = await openDevice({
      ...settings,
      ...(port === undefined ? {} : { port }),
      ...options.open,
      ...(port === undefined ? portQuestion(resolved, ctx) : {}),
      logger: ctx.logger,
      onEvent:
        options.progress === false
          ? (event) => {
              if (!PROGRESS_EVENTS.has(event.type)) reporter.onEvent(event);
            }
          : reporter.onEvent,
      signal,
    }).catch((err) => {
      reporter.finish();
      throw err;
    });
    try {
      const result = await job({ device, resolved, reporter, after: settings.after });
      if (options.reset ?? true) await device.reset(settings.after);
      return result;
    } finally {
      reporter.finish();
      await device.close();
    }
  });
}
