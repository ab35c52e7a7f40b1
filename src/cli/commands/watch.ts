// `espflash watch`: reflash whenever the build outputs change, or with --build rebuild whenever the
// sources change and then flash; --monitor keeps the serial log in the same terminal (it hands the
// port to the flasher and takes it back). Also the build/monitor glue `flash --build/--monitor` uses.

import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { runBuild } from '../../build/run-build.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { isEspflashError, UsageError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createKeyHandler, KEY_HELP } from '../../monitor/keys.js';
import { resolveMonitorBaud } from '../../monitor/monitor-baud.js';
import { assertLogFileWritable } from '../../monitor/monitor-output.js';
import { type MonitorOptions, type MonitorSession, startMonitor } from '../../monitor/monitor-session.js';
import { openTransport } from '../../node/open-transport.js';
import { createChokidarWatcher } from '../../watch/chokidar-watcher.js';
import {
  createBuildRunner,
  createDeviceFlasher,
  createPortReset,
  createSnapshotter,
} from '../../watch/node-deps.js';
import { attachKeys } from '../../watch/terminal-keys.js';
import { DEFAULT_DEBOUNCE_MS, watchAndFlash } from '../../watch/watch-controller.js';
import { watchKeyHelp } from '../../watch/watch-keys.js';
import { outputWatchSpec, sourceWatchSpec } from '../../watch/watch-paths.js';
import { createWatchRenderer } from '../../watch/watch-render.js';
import type { MonitorHandle } from '../../watch/watch-types.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { choosePort } from '../reporter/device-session.js';
import { createReporter } from '../reporter/reporter.js';
import { addDeviceOptions, addProjectOptions, resolveCliOptions } from '../shared-options.js';
import { INTERRUPTED_EXIT, withInterrupt } from './build.js';
import { planFromCli } from './plan.js';

/** Where the build runs and with what: `--project` (CLI) > config build.cwd > project > cwd. */
export function buildSettings(
  resolved: ResolvedOptions,
  cwd: string,
): { projectDir: string; command?: string[] | string } {
  const project = resolved.project;
  const projectDir = resolve(
    cwd,
    project?.source.kind === 'cli' ? project.value : (resolved.buildCwd?.value ?? project?.value ?? cwd),
  );
  const command = resolved.buildCommand?.value;
  return { projectDir, ...(command ? { command } : {}) };
}

/** Run the build before flashing (`flash --build`): output streamed, Ctrl+C cancels (exit 130). */
export async function buildForFlash(resolved: ResolvedOptions, ctx: CliContext): Promise<void> {
  const { projectDir, command } = buildSettings(resolved, ctx.io.cwd);
  const dim = ctx.io.isTTY && ctx.color;
  try {
    const result = await withInterrupt((signal) =>
      runBuild({
        projectDir,
        env: ctx.io.env,
        signal,
        ...(command ? { command } : {}),
        ...(ctx.json
          ? {}
          : { onOutput: (line) => ctx.io.stderr(dim ? `\x1b[2m${line}\x1b[22m\n` : `${line}\n`) }),
      }),
    );
    if (ctx.json) ctx.emitJson({ event: 'build-done', ms: result.ms });
    else ctx.io.stderr(`Build finished in ${(result.ms / 1000).toFixed(1)} s\n`);
  } catch (err) {
    // On a TTY the log was dimmed: repeat the last lines plainly so the error stands out. Plain
    // output already shows every line once.
    if (isEspflashError(err) && err.code === 'build/failed' && dim && Array.isArray(err.details.tail)) {
      ctx.io.stderr(`\n--- last lines of build output ---\n${(err.details.tail as string[]).join('\n')}\n\n`);
    }
    throw err;
  }
}

/** A monitor for the flash loop; `afterFlash` resets the chip again once the monitor reads. */
type FlashMonitor = MonitorHandle & { afterFlash(): Promise<void> };

let simChipCount = 0;

/**
 * A plain `sim://` chip lives only while a transport holds it. When a command opens the port more
 * than once (flash, then monitor), name it (`id=`) so every open reaches the chip that was flashed.
 */
export function keepSimChip(port: string): string {
  if (!/^sim:\/\//i.test(port) || /[?&]id=/.test(port)) return port;
  return `${port}${port.includes('?') ? '&' : '?'}id=espflash-${process.pid}-${++simChipCount}`;
}

/** The monitor settings shared by `watch --monitor` and `flash --monitor`. */
async function monitorFactory(
  resolved: ResolvedOptions,
  ctx: CliContext,
  port: string,
  sink: (text: string) => void,
): Promise<{ factory: () => Promise<FlashMonitor>; baud: number }> {
  const projectDir = resolve(ctx.io.cwd, resolved.project?.value ?? ctx.io.cwd);
  const buildDir = resolve(ctx.io.cwd, resolved.buildDir?.value ?? join(projectDir, 'build'));
  const baud = await resolveMonitorBaud({
    buildDir,
    projectDir,
    ...(resolved.monitor.baud ? { configured: resolved.monitor.baud } : {}),
  });
  // Opening a pty or TCP port warns about missing modem lines in flashing terms; not useful here.
  const logger: Logger = { ...ctx.logger, warn: (m) => ctx.logger.debug(m) };
  if (resolved.monitor.logFile) await assertLogFileWritable(resolved.monitor.logFile.value);
  const open = () => openTransport(port, { baud: baud.value, logger });
  const options: Omit<MonitorOptions, 'transport' | 'reopen'> = {
    baud: baud.value,
    sink,
    buildDir,
    color: ctx.color,
    env: ctx.io.env,
    timestamps: resolved.monitor.timestamps?.value ?? false,
    ...(resolved.monitor.logFile ? { logFile: resolved.monitor.logFile.value } : {}),
    ...(resolved.monitor.elf ? { elf: resolved.monitor.elf.value } : {}),
    ...(resolved.chip ? { chip: resolved.chip.value } : {}),
  };
  // The flasher resets the chip before the monitor has the port again: reset once more (as idf.py
  // monitor does on open) so the first lines after the reset are on screen. Ports without DTR/RTS
  // cannot be reset from here; the flasher's reset stands there.
  const resetIfPossible = async (session: MonitorSession) => {
    if (session.transport.capabilities.modemLines) await session.reset();
  };
  const factory = async (): Promise<FlashMonitor> => {
    const session = startMonitor({ ...options, transport: await open(), reopen: open });
    return {
      pause: () => session.pause(),
      resume: async () => {
        await session.resume();
        await resetIfPossible(session);
      },
      reset: () => session.reset(),
      send: (bytes) => session.send(bytes),
      close: () => session.close(),
      done: session.done,
      afterFlash: () => resetIfPossible(session),
    };
  };
  return { factory, baud: baud.value };
}

/** `flash --monitor`: monitor `port` after the flash until Ctrl+] (or Ctrl+C). */
export async function monitorAfterFlash(
  resolved: ResolvedOptions,
  ctx: CliContext,
  port: string,
): Promise<number> {
  const sink = createWatchRenderer({ ...rendererIo(ctx), tty: false }).serial;
  const { factory, baud } = await monitorFactory(resolved, ctx, port, sink);
  if (!ctx.json) ctx.io.stderr(`--- monitor on ${port} at ${baud} baud; ${KEY_HELP} ---\n`);
  return withInterrupt(async (signal) => {
    const session = await factory();
    await session.afterFlash();
    const keys = createKeyHandler();
    const detach = attachKeys(ctx.io.stdin, (bytes) => {
      for (const action of keys.feed(bytes)) {
        if (action.type === 'send') void session.send(action.bytes);
        else if (action.type === 'exit') void session.close();
        else if (action.type === 'reset') void session.reset().catch(() => {});
        else ctx.io.stderr(`--- ${KEY_HELP} ---\n`);
      }
    });
    const onAbort = () => void session.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await session.done;
    } finally {
      signal.removeEventListener('abort', onAbort);
      detach();
      await session.close();
    }
    return signal.aborted ? INTERRUPTED_EXIT : 0;
  });
}

function rendererIo(ctx: CliContext) {
  return { stdout: ctx.io.stdout, stderr: ctx.io.stderr, color: ctx.color, json: ctx.json, cwd: ctx.io.cwd };
}

function debounceFrom(args: Record<string, unknown>, resolved: ResolvedOptions): number {
  if (args.debounce === undefined) return resolved.watch.debounceMs?.value ?? DEFAULT_DEBOUNCE_MS;
  const n = Number(args.debounce);
  if (Number.isInteger(n) && n >= 0 && n <= 600_000) return n;
  throw new UsageError(
    'usage/invalid-value',
    `--debounce '${String(args.debounce)}' is not a number of milliseconds`,
    {
      hint: 'Pass --debounce with a whole number such as 300 (or set watch.debounceMs in espflash.config.ts).',
      details: { flag: '--debounce', value: args.debounce },
    },
  );
}

function maxCyclesFrom(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw new UsageError('usage/invalid-value', `--max-cycles '${String(value)}' is not a whole number ≥ 1`, {
    hint: 'Pass --max-cycles 1 to build/flash once and quit, or leave it out to watch until q.',
    details: { flag: '--max-cycles', value },
  });
}

export const watchCommand = defineCommand({
  command: 'watch',
  describe:
    'Reflash whenever the build changes; --build rebuilds on source changes first, --monitor shows the log',
  examples: [
    ['$0 watch --port /dev/ttyUSB0', 'Flash again whenever idf.py build (run elsewhere) changes the images'],
    ['$0 watch --build --monitor', 'Edit, save: build, flash, and keep the serial log in this terminal'],
    ['$0 watch --build --json', 'One JSON event per line (change, build-start, flash-done, error, …)'],
    ['$0 watch --build --debounce 1000 --no-initial', 'Wait 1 s of quiet; do nothing until the first change'],
  ],
  builder: (y: Argv) =>
    addDeviceOptions(addProjectOptions(y))
      .option('build', {
        type: 'boolean',
        default: false,
        describe:
          'Watch the sources (main/, components/, CMakeLists.txt, sdkconfig, partitions*.csv) and build before flashing [config build.command]',
      })
      .option('monitor', {
        alias: 'M',
        type: 'boolean',
        describe: 'Show the serial log between flashes [config watch.monitor]',
      })
      .option('debounce', {
        type: 'string',
        describe: 'Quiet time in ms after the last change (default 300) [config watch.debounceMs]',
      })
      .option('initial', {
        type: 'boolean',
        default: true,
        describe: 'Build/flash once at start (--no-initial waits for a change)',
      })
      .option('allow-stale', {
        type: 'boolean',
        default: false,
        describe:
          'Flash even if the app image was not built from the ELF next to it (embedded ELF SHA-256 differs)',
      })
      .option('max-cycles', { type: 'number', describe: 'Quit after this many cycles (scripts and tests)' }),
  handler: async (args, ctx) => {
    const resolved = await resolveCliOptions(args, ctx);
    const debounceMs = debounceFrom(args, resolved);
    const maxCycles = maxCyclesFrom(args.maxCycles);
    const chosen = await choosePort(resolved, ctx);
    const { info } = chosen;
    // Flashes and the monitor take turns on the port: keep a sim:// chip between them.
    const port = keepSimChip(chosen.port);
    const { projectDir, command } = buildSettings(resolved, ctx.io.cwd);
    const planner = async () => (await planFromCli(args, ctx, { allowStale: Boolean(args.allowStale) })).plan;
    const extra = resolved.watch.paths?.value ?? [];
    const mode = args.build ? 'sources' : 'outputs';
    const buildDir = resolved.buildDir ? resolve(ctx.io.cwd, resolved.buildDir.value) : undefined;
    const watch =
      mode === 'sources'
        ? sourceWatchSpec({ projectDir, extraPaths: extra, ...(buildDir ? { buildDir } : {}) })
        : outputWatchSpec(await planner(), extra);
    const renderer = createWatchRenderer({
      ...rendererIo(ctx),
      tty: ctx.io.isTTY,
      progress: () => createReporter(ctx),
    });
    const { factory } = await monitorFactory(resolved, ctx, port, (t) => renderer.serial(t));
    const snapshots = createSnapshotter();
    let cycles = 0;
    let lastFailed = false;
    const controller = watchAndFlash({
      mode,
      watch,
      watchFiles: createChokidarWatcher(),
      planner,
      snapshot: (plan) => snapshots.snapshot(plan),
      flasher: createDeviceFlasher({
        port,
        logger: ctx.logger,
        ...(resolved.baud ? { baud: resolved.baud.value } : {}),
        ...(resolved.resetSequence ? { resetSequence: resolved.resetSequence.value } : {}),
        ...(resolved.stubVersion ? { stubVersion: resolved.stubVersion.value } : {}),
        ...(resolved.stubFile ? { stubFile: resolved.stubFile.value } : {}),
        ...(info?.kind === 'usb-otg' ? { usbOtg: true } : {}),
        ...(info?.kind === 'usb-jtag-serial' ? { usbJtagSerial: true } : {}),
        fastReflash:
          resolved.cache.fastReflash?.value === false
            ? false
            : resolved.cache.dir
              ? { dir: resolved.cache.dir.value }
              : true,
      }),
      build: createBuildRunner({ projectDir, env: ctx.io.env, ...(command ? { command } : {}) }),
      monitor: factory,
      monitorOn: typeof args.monitor === 'boolean' ? args.monitor : (resolved.watch.monitor?.value ?? false),
      resetDevice: createPortReset(port),
      debounceMs,
      initial: args.initial !== false,
      logger: ctx.logger,
      onEvent: (e) => {
        renderer.onEvent(e);
        const ended =
          e.type === 'cycle-done' || (e.type === 'error' && ['build', 'plan', 'flash'].includes(e.stage));
        if (ended) {
          cycles += 1;
          lastFailed = e.type === 'error';
        }
        if (e.type === 'status' && !e.building && !e.flashing && cycles >= maxCycles) void controller.close();
      },
    });
    if (!ctx.json) ctx.io.stderr(`--- ${watchKeyHelp(false)}; with the monitor on: Ctrl+T + key ---\n`);
    const detach = attachKeys(ctx.io.stdin, (bytes) => controller.input(bytes));
    try {
      return await withInterrupt(async (signal) => {
        const onAbort = () => void controller.close();
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          await controller.ready;
          await controller.done;
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
        if (signal.aborted) return INTERRUPTED_EXIT;
        // With --max-cycles, scripts learn whether the last cycle worked.
        return lastFailed && Number.isFinite(maxCycles) ? 1 : 0;
      });
    } finally {
      detach();
      await controller.close();
      await snapshots.dispose();
    }
  },
});
