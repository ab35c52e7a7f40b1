// The watch loop's vocabulary: the events it emits, the dependencies it is given (build runner,
// planner, flasher, monitor, file watcher, clock) and the NDJSON form of its events for `--json`.

import type { Clock } from '../core/session/clock.js';
import type { FlashEvent, FlashEventSink } from '../events.js';
import type { FlashSummary } from '../flash/write-plan.js';
import type { Logger } from '../logger.js';
import type { FlashPlan } from '../plan/types.js';

/** What a change triggers: `sources` rebuilds then flashes; `outputs` flashes the build as it is. */
export type WatchMode = 'sources' | 'outputs';

/** Timings of the last complete cycle (milliseconds; absent parts did not run). */
export interface CycleTimes {
  buildMs?: number;
  flashMs: number;
  /** Time the device spent on MD5 checks of written regions (part of `flashMs`). */
  verifyMs: number;
  bytesWritten: number;
}

/** Everything the loop reports. `type` is the discriminator. */
export type WatchEvent =
  | { type: 'watching'; mode: WatchMode; paths: string[] }
  | { type: 'change'; files: string[] }
  | { type: 'build-start' }
  | { type: 'build-output'; line: string; stream: 'stdout' | 'stderr' }
  | { type: 'build-done'; ms: number }
  | { type: 'build-cancelled' }
  | { type: 'flash-start'; force: boolean }
  | { type: 'flash-progress'; event: FlashEvent }
  | { type: 'flash-done'; ms: number; bytesWritten: number; skipped: string[]; verifyMs: number }
  | { type: 'cycle-done'; times: CycleTimes }
  | { type: 'monitor'; state: 'on' | 'off' | 'paused' | 'resumed' }
  | { type: 'reset' }
  | {
      type: 'error';
      stage: 'build' | 'plan' | 'flash' | 'monitor' | 'reset' | 'watch';
      code: string;
      message: string;
      hint?: string;
      details?: Record<string, unknown>;
    }
  /** What the loop is doing now (emitted when it changes), with the last cycle's timings. */
  | { type: 'status'; building: boolean; flashing: boolean; monitor: boolean; last: CycleTimes | null }
  /** The user asked for the key help. */
  | { type: 'help'; monitor: boolean }
  | { type: 'closed' };

/** Receiver of watch events; must not throw. */
export type WatchEventSink = (event: WatchEvent) => void;

/** Runs the project build; rejects with the build's coded error (`build/failed`, `build/cancelled`). */
export type BuildRunner = (options: {
  signal: AbortSignal;
  onOutput: (line: string, stream: 'stdout' | 'stderr') => void;
}) => Promise<{ ms: number }>;

/** Derives the flash plan from the build output as it is now. */
export type Planner = () => Promise<FlashPlan>;

/** Connects, writes + verifies the plan, resets per the plan, disconnects. */
export type Flasher = (
  plan: FlashPlan,
  options: { force: boolean; signal: AbortSignal; onEvent: FlashEventSink },
) => Promise<FlashSummary>;

/** A running serial monitor the loop can hand the port to and take it back from. */
export interface MonitorHandle {
  /** Stop reading and release the port (for the flasher). */
  pause(): Promise<void>;
  /** Take the port back and continue the log. */
  resume(): Promise<void>;
  /** Pulse the reset line. */
  reset(): Promise<void>;
  /** Send typed keys to the device. */
  send(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Settles when the monitor ends on its own (or after close). */
  done: Promise<void>;
}

/** Starts a monitor on the device's port. */
export type MonitorFactory = () => Promise<MonitorHandle>;

/** A running file watcher. */
export interface FileWatcher {
  /** Resolves once the initial scan is done and changes are reported. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Options for a {@link FileWatcherFactory}. */
export interface FileWatchOptions {
  /** Files and directories to watch (directories recursively). */
  paths: string[];
  /** True for paths to leave out (directories are then not descended). */
  ignored: (path: string) => boolean;
  /** A watched file was added, changed or removed. */
  onChange: (path: string) => void;
  onError: (error: unknown) => void;
}

/** Creates the file watcher (chokidar in Node, a fake in tests). */
export type FileWatcherFactory = (options: FileWatchOptions) => FileWatcher;

/** Options for `watchAndFlash`. */
export interface WatchAndFlashOptions {
  mode: WatchMode;
  /** What to watch and what to leave out (see `sourceWatchSpec` / `outputWatchSpec`). */
  watch: { paths: string[]; ignored: (path: string) => boolean };
  watchFiles: FileWatcherFactory;
  planner: Planner;
  flasher: Flasher;
  /** Copies the planned images aside before flashing (see `snapshotPlan`); default: flash in place. */
  snapshot?: (plan: FlashPlan) => Promise<FlashPlan>;
  /** Needed in `sources` mode and for the `b` key. */
  build?: BuildRunner;
  /** Needed for `--monitor` and the `m` key. */
  monitor?: MonitorFactory;
  /** Start with the monitor on. */
  monitorOn?: boolean;
  /** Pulse reset when the monitor is off (the `r` key). */
  resetDevice?: () => Promise<void>;
  /** Quiet time after the last change before a cycle starts (default 300 ms). */
  debounceMs?: number;
  /** Run one cycle at start (default true). */
  initial?: boolean;
  onEvent: WatchEventSink;
  clock?: Clock;
  logger?: Logger;
}

/** The `--json` line for an event, or null for events that are not part of the stream. */
export function watchEventToJson(event: WatchEvent): Record<string, unknown> | null {
  switch (event.type) {
    case 'build-output':
    case 'flash-progress':
    case 'status':
    case 'help':
      return null;
    case 'flash-start':
      return { event: 'flash-start', ...(event.force ? { force: true } : {}) };
    case 'error': {
      const { type, stage, ...rest } = event;
      return { event: 'error', ...rest, stage };
    }
    default: {
      const { type, ...rest } = event;
      return { event: type, ...rest };
    }
  }
}
