// CLI glue for device commands: resolve --port (flag, env, config, or the only ESP board plugged
// in), open the Device with the progress reporter attached, run the job, reset, always close.

import { stat } from 'node:fs/promises';
import type { Device } from '../../api/device.js';
import { type OpenDeviceOptions, openDevice } from '../../api/open-device.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { EspflashError, UsageError } from '../../errors.js';
import { listPorts, type PortInfo } from '../../node/port-list.js';
import type { AfterReset } from '../../plan/types.js';
import type { CliContext } from '../context.js';
import { resolveCliOptions } from '../shared-options.js';
import { createReporter, type Reporter } from './reporter.js';

/** A chosen port and what is known about it. */
export interface ChosenPort {
  port: string;
  info: PortInfo | null;
}

/** Ports to suggest in messages. */
function portList(ports: PortInfo[]): string {
  if (ports.length === 0) return 'no serial ports were found';
  return `ports found: ${ports.map((p) => `${p.path}${p.description ? ` (${p.description})` : ''}`).join(', ')}`;
}

/**
 * The port to use: the resolved `--port`/env/config value, else the one likely ESP board, else
 * `port/none` listing the ports and suggesting the virtual device.
 */
export async function choosePort(resolved: ResolvedOptions, ctx: CliContext): Promise<ChosenPort> {
  const given = resolved.port?.value;
  // URL ports (sim://, socket://, rfc2217://) need no USB classification.
  if (given?.includes('://')) return { port: given, info: null };
  if (given !== undefined) await assertNotAFile(given);
  const ports = await listPorts().catch(() => [] as PortInfo[]);
  if (given !== undefined) return { port: given, info: ports.find((p) => p.path === given) ?? null };
  const likely = ports.filter((p) => p.likelyEspressif);
  if (likely.length >= 1) {
    const pick = likely[0]!;
    if (likely.length > 1)
      ctx.logger.warn(`several boards found; using ${pick.path} (pass --port to choose)`);
    else ctx.logger.info(`Using ${pick.path}${pick.description ? ` (${pick.description})` : ''}`);
    return { port: pick.path, info: pick };
  }
  throw new UsageError('port/none', `No --port given and no ESP board found (${portList(ports)})`, {
    hint: 'Pass --port /dev/ttyUSB0 (or set ESPFLASH_PORT / the `port` config key); try `--port sim://esp32` for the virtual ESP32.',
    details: { ports: ports.map((p) => p.path) },
  });
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
  /** Extra OpenDevice options (e.g. a chip from the build plan). */
  open?: Partial<OpenDeviceOptions>;
  /** Options already resolved by the caller. */
  resolved?: ResolvedOptions;
  /** Port to use when none is given (the demo's `sim://esp32`); skips board discovery. */
  defaultPort?: string;
}

/** Open the device named by the args, run `job`, reset per --after, and close (also on failure). */
export async function withDevice<T>(
  args: Record<string, unknown>,
  ctx: CliContext,
  job: (session: DeviceSession) => Promise<T>,
  options: WithDeviceOptions = {},
): Promise<T> {
  const resolved = options.resolved ?? (await resolveCliOptions(args, ctx));
  const { port, info } =
    resolved.port === undefined && options.defaultPort !== undefined
      ? { port: options.defaultPort, info: null }
      : await choosePort(resolved, ctx);
  const reporter = createReporter(ctx);
  const after = resolved.after?.value ?? 'hard_reset';
  const ac = new AbortController();
  // Ctrl-C stops between blocks and still closes the port; a second Ctrl-C exits at once.
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort(
      new EspflashError('cli/interrupted', 'Interrupted (Ctrl-C)', {
        hint: 'Run the command again to finish.',
      }),
    );
  };
  process.on('SIGINT', onSigint);
  const device = await openDevice({
    port,
    logger: ctx.logger,
    onEvent: reporter.onEvent,
    signal: ac.signal,
    after,
    ...(resolved.baud ? { baud: resolved.baud.value } : {}),
    ...(resolved.chip ? { chip: resolved.chip.value } : {}),
    ...(resolved.before ? { before: resolved.before.value } : {}),
    ...(resolved.stub ? { stub: resolved.stub.value } : {}),
    ...(resolved.stubVersion ? { stubVersion: resolved.stubVersion.value } : {}),
    ...(resolved.stubFile ? { stubFile: resolved.stubFile.value } : {}),
    ...(resolved.resetSequence ? { resetSequence: resolved.resetSequence.value } : {}),
    ...(resolved.flashSize ? { flashSize: resolved.flashSize.value } : {}),
    ...(info?.kind === 'usb-otg' ? { usbOtg: true } : {}),
    ...(info?.kind === 'usb-jtag-serial' ? { usbJtagSerial: true } : {}),
    ...options.open,
  }).catch((err) => {
    reporter.finish();
    process.off('SIGINT', onSigint);
    throw err;
  });
  try {
    const result = await job({ device, resolved, reporter, after });
    if (options.reset ?? true) await device.reset(after);
    return result;
  } finally {
    process.off('SIGINT', onSigint);
    reporter.finish();
    await device.close();
  }
}

/** A regular file or a directory given as --port is bad input (exit 2), not a failing device. */
async function assertNotAFile(port: string): Promise<void> {
  const st = await stat(port).catch(() => null);
  if (!st || !(st.isFile() || st.isDirectory())) return;
  throw new UsageError(
    'port/not-a-port',
    `--port ${port} is a ${st.isFile() ? 'regular file' : 'directory'}, not a serial port`,
    {
      hint: 'Pass --port with a serial device such as /dev/ttyUSB0 (`espflash list-ports` shows them), or sim://esp32.',
      details: { port },
    },
  );
}
