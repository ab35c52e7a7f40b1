// The Node implementations of watchAndFlash's dependencies: build with runBuild, flash with
// flashProject, monitor with startMonitor on the same port, reset by pulsing the port's lines, and
// snapshot the planned images into a temp directory.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlashProjectOptions, flashProject } from '../api/flash-project.js';
import { runBuild } from '../build/run-build.js';
import { pulseHardReset } from '../core/connect/reset-sequences.js';
import { type Clock, realClock } from '../core/session/clock.js';
import { EspflashError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type MonitorOptions, startMonitor } from '../monitor/monitor-session.js';
import { openTransport } from '../node/open-transport.js';
import type { FlashPlan } from '../plan/types.js';
import { snapshotPlan } from './snapshot-plan.js';
import type { BuildRunner, Flasher, MonitorFactory } from './watch-types.js';

/** Options for {@link createBuildRunner}. */
export interface BuildRunnerOptions {
  projectDir: string;
  /** Config `build.command` (a string runs through the shell); default `idf.py build`. */
  command?: string[] | string;
  env?: Record<string, string | undefined>;
}

/** Builds with {@link runBuild} (cancelled through the loop's signal). */
export function createBuildRunner(options: BuildRunnerOptions): BuildRunner {
  return ({ signal, onOutput }) =>
    runBuild({
      projectDir: options.projectDir,
      signal,
      onOutput,
      ...(options.command ? { command: options.command } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
}

/** Device options for {@link createDeviceFlasher}: what `flashProject` takes besides the plan. */
export type DeviceFlasherOptions = Omit<
  FlashProjectOptions,
  'plan' | 'force' | 'signal' | 'onEvent' | 'buildDir' | 'overrides' | 'allowStale'
>;

/** Flashes with {@link flashProject}: connect, write + verify, reset per the plan, close. */
export function createDeviceFlasher(options: DeviceFlasherOptions): Flasher {
  return (plan, { force, signal, onEvent }) =>
    flashProject({ ...options, plan, force, signal, onEvent }).then((r) => r.summary);
}

/** Options for {@link createPortMonitor}: the monitor's settings without the transport. */
export type PortMonitorOptions = Omit<MonitorOptions, 'transport' | 'reopen'> & {
  port: string;
  logger?: Logger;
};

/** Starts {@link startMonitor} on `port`, reopening it after each flash. */
export function createPortMonitor(options: PortMonitorOptions): MonitorFactory {
  const { port, logger, ...monitor } = options;
  const open = () =>
    openTransport(port, {
      baud: monitor.baud,
      ...(logger ? { logger } : {}),
      ...(monitor.clock ? { clock: monitor.clock } : {}),
    });
  return async () => startMonitor({ ...monitor, transport: await open(), reopen: open });
}

/** Resets the chip into its app through `port` (the hard-reset pulse), for `r` without a monitor. */
export function createPortReset(port: string, clock: Clock = realClock): () => Promise<void> {
  return async () => {
    const t = await openTransport(port, { clock });
    try {
      if (!t.capabilities.modemLines) {
        throw new EspflashError('watch/no-reset-lines', `${t.description} has no DTR/RTS lines`, {
          hint: "Press the board's RESET (EN) button.",
        });
      }
      await pulseHardReset(t, clock);
    } finally {
      await t.close().catch(() => {});
    }
  };
}

/** Snapshots plans into a private temp directory (one sub-directory per cycle). */
export interface Snapshotter {
  snapshot(plan: FlashPlan): Promise<FlashPlan>;
  /** Remove the directory. */
  dispose(): Promise<void>;
}

/** A {@link Snapshotter} under the OS temp directory; the previous cycle's copy is removed. */
export function createSnapshotter(): Snapshotter {
  let root: string | null = null;
  let cycle = 0;
  return {
    async snapshot(plan) {
      root ??= await mkdtemp(join(tmpdir(), 'espflash-watch-'));
      if (cycle > 0) await rm(join(root, String(cycle)), { recursive: true, force: true });
      cycle += 1;
      return snapshotPlan(plan, join(root, String(cycle)));
    },
    async dispose() {
      if (root) await rm(root, { recursive: true, force: true });
    },
  };
}
