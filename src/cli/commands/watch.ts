// `espflash watch`: reflash whenever the build outputs change, or with --build rebuild whenever the
// sources change and then flash; --monitor keeps the serial log in the same terminal (it hands the
// port to the flasher and takes it back). Each flash is the one flash job (flashProject).

import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { UsageError } from '../../errors.js';
import { createChokidarWatcher } from '../../watch/chokidar-watcher.js';
import {
  createBuildRunner,
  createDeviceFlasher,
  createPortReset,
  createSnapshotter,
} from '../../watch/node-deps.js';
import { DEFAULT_DEBOUNCE_MS, watchAndFlash } from '../../watch/watch-controller.js';
import { outputWatchSpec, sourceWatchSpec } from '../../watch/watch-paths.js';
import { defineCommand } from '../command.js';
import { buildSettings } from '../flows/build.js';
import { choosePortFor, fastReflashFrom, linkOptionsFrom } from '../flows/device.js';
import { INTERRUPTED_EXIT, withInterrupt } from '../flows/interrupt.js';
import { keepSimChip, monitorFactory, rendererIo } from '../flows/monitor.js';
import { planFromCli } from '../flows/plan.js';
import { stderrWidth } from '../io.js';
import { createReporter } from '../reporter/reporter.js';
import { addDeviceOptions, addProjectOptions, resolveCliOptions } from '../shared-options.js';
import { attachKeys } from '../watch/terminal-keys.js';
import { createWatchInput } from '../watch/watch-input.js';
import { watchKeyHelp } from '../watch/watch-keys.js';
import { createWatchRenderer } from '../watch/watch-render.js';

function debounceFrom(debounce: string | undefined, resolved: ResolvedOptions): number {
  if (debounce === undefined) return resolved.watch.debounceMs?.value ?? DEFAULT_DEBOUNCE_MS;
  const n = Number(debounce);
  if (Number.isInteger(n) && n >= 0 && n <= 600_000) return n;
  throw new UsageError('usage/invalid-value', `--debounce '${debounce}' is not a number of milliseconds`, {
    hint: 'Pass --debounce with a whole number such as 300 (or set watch.debounceMs in espflash.config.ts).',
    details: { flag: '--debounce', value: debounce },
  });
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
    const debounceMs = debounceFrom(args.debounce, resolved);
    const maxCycles = maxCyclesFrom(args.maxCycles);
    const chosen = await choosePortFor(resolved, ctx);
    // Flashes and the monitor take turns on the port: keep a sim:// chip between them.
    const port = keepSimChip(chosen.port);
    const { projectDir, command } = buildSettings(resolved, ctx.io.cwd);
    const planner = async () => (await planFromCli(args, ctx, { allowStale: args.allowStale })).plan;
    const extra = resolved.watch.paths?.value ?? [];
    const mode = args.build ? 'sources' : 'outputs';
    const buildDir = resolved.buildDir ? resolve(ctx.io.cwd, resolved.buildDir.value) : undefined;
    const watch =
      mode === 'sources'
        ? sourceWatchSpec({ projectDir, extraPaths: extra, ...(buildDir ? { buildDir } : {}) })
        : outputWatchSpec(await planner(), extra);
    const renderer = createWatchRenderer({
      ...rendererIo(ctx),
      // The status line, results and progress go to stderr.
      color: ctx.stderrColor,
      tty: ctx.io.stderrTTY ?? false,
      width: () => stderrWidth(ctx.io),
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
      // Every flash reuses this choice (no port lookup per cycle).
      flasher: createDeviceFlasher({
        port: { ...chosen, port },
        logger: ctx.logger,
        ...linkOptionsFrom(resolved),
        fastReflash: fastReflashFrom(resolved),
      }),
      build: createBuildRunner({ projectDir, env: ctx.io.env, ...(command ? { command } : {}) }),
      monitor: factory,
      monitorOn: args.monitor ?? resolved.watch.monitor?.value ?? false,
      resetDevice: createPortReset(port),
      debounceMs,
      initial: args.initial,
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
    const detach = attachKeys(ctx.io.stdin, createWatchInput(controller));
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
