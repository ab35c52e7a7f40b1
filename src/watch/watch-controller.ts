// watchAndFlash: the edit-build-flash loop. File changes are debounced (latest wins) into a build
// (sources mode) or a flash (outputs mode); a new change cancels a running build; a build that ends
// during a flash waits for it; failures are reported and the loop keeps watching. The monitor hands
// the port to the flasher (pause) and takes it back (resume). Every dependency is injected.

import { type Clock, realClock } from '../core/clock.js';
import { isEspflashError, UsageError } from '../errors.js';
import type { FlashEvent } from '../events.js';
import { createWatchKeys, type WatchKeyAction } from './watch-keys.js';
import type {
  CycleTimes,
  FileWatcher,
  MonitorHandle,
  WatchAndFlashOptions,
  WatchEvent,
} from './watch-types.js';

/** Default quiet time after the last change (config `watch.debounceMs`). */
export const DEFAULT_DEBOUNCE_MS = 300;

/** A running watch loop. */
export interface WatchController {
  /** Resolves once the file watcher is ready (changes from then on are seen). */
  readonly ready: Promise<void>;
  /** Resolves when the loop has closed (`close()`, the `q` key, or a watcher that failed to start). */
  readonly done: Promise<void>;
  readonly monitorOn: boolean;
  /** Build now (the `b` key); cancels and restarts a running build. */
  buildNow(): void;
  /** Flash every region again, unchanged ones included (the `f` key). */
  reflash(): void;
  /** Reset the chip through the monitor's port, or `resetDevice` (the `r` key). */
  reset(): Promise<void>;
  /** Monitor on/off (the `m` key). */
  toggleMonitor(): Promise<void>;
  /** Raw keyboard bytes (see watch-keys.ts). */
  input(bytes: Uint8Array): void;
  /** Resolves when nothing is pending or running (tests, scripted use). */
  idle(): Promise<void>;
  /** Stop watching, cancel a build, abort a flash, close the monitor. Idempotent. */
  close(): Promise<void>;
}

/** Start watching. Errors of a cycle become `error` events; the loop keeps going. */
export function watchAndFlash(options: WatchAndFlashOptions): WatchController {
  return new Controller(options);
}

class Controller implements WatchController {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  private readonly clock: Clock;
  private readonly keys = createWatchKeys();
  private readonly closing = new AbortController();
  private watcher: FileWatcher | null = null;
  private monitor: MonitorHandle | null = null;
  private monitorWanted: boolean;
  private pending = new Set<string>();
  private debounce: AbortController | null = null;
  private buildAbort: AbortController | null = null;
  private buildRequested = false;
  private building = false;
  private flashRequest: { force: boolean } | null = null;
  private flashing = false;
  /** The flash lane is planning/snapshotting: builds must not write outputs now. */
  private planning = false;
  private tasks = new Set<Promise<void>>();
  private lastBuildMs: number | undefined;
  private last: CycleTimes | null = null;
  private lastStatus = '';
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private resolveDone!: () => void;

  constructor(private readonly options: WatchAndFlashOptions) {
    if (options.mode === 'sources' && !options.build) {
      throw new UsageError('watch/no-build', 'watching sources needs a build command', {
        hint: 'Pass a build runner (CLI: --build uses idf.py build or the config key build.command).',
      });
    }
    this.clock = options.clock ?? realClock;
    this.monitorWanted = options.monitorOn ?? false;
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
    this.ready = this.start();
    this.ready.catch(() => {});
  }

  get monitorOn(): boolean {
    return this.monitor !== null;
  }

  private emit(event: WatchEvent): void {
    if (!this.closed || event.type === 'closed') this.options.onEvent(event);
  }

  private fail(stage: Extract<WatchEvent, { type: 'error' }>['stage'], err: unknown): void {
    if (isEspflashError(err)) {
      const details = Object.keys(err.details).length ? { details: err.details } : {};
      const hint = err.hint === undefined ? {} : { hint: err.hint };
      this.emit({ type: 'error', stage, code: err.code, message: err.message, ...hint, ...details });
    } else {
      const message = err instanceof Error ? err.message : String(err);
      this.emit({ type: 'error', stage, code: 'watch/unexpected', message });
    }
  }

  private async start(): Promise<void> {
    const { watch } = this.options;
    try {
      this.watcher = this.options.watchFiles({
        paths: watch.paths,
        ignored: watch.ignored,
        onChange: (path) => this.onChange(path),
        onError: (err) => this.fail('watch', err),
      });
      await this.watcher.ready;
    } catch (err) {
      this.fail('watch', err);
      await this.close();
      throw err;
    }
    this.emit({ type: 'watching', mode: this.options.mode, paths: watch.paths });
    if (this.monitorWanted) await this.syncMonitor();
    if (this.options.initial ?? true) {
      if (this.options.mode === 'sources') this.buildNow();
      else this.requestFlash(false);
    }
    this.pump();
  }

  private onChange(path: string): void {
    if (this.closed) return;
    this.pending.add(path);
    this.debounce?.abort();
    const debounce = new AbortController();
    this.debounce = debounce;
    this.clock.sleep(this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS, debounce.signal).then(
      () => {
        if (this.debounce !== debounce || this.closed) return;
        this.debounce = null;
        const files = [...this.pending].sort();
        this.pending.clear();
        this.emit({ type: 'change', files });
        if (this.options.mode === 'sources') this.buildNow();
        else this.requestFlash(false);
      },
      () => {},
    );
  }

  buildNow(): void {
    if (this.closed) return;
    if (!this.options.build) {
      this.fail('build', new UsageError('watch/no-build', 'no build command to run', {
        hint: 'Set build.command in espflash.config.ts, or activate ESP-IDF so idf.py is on PATH.',
      }));
      return;
    }
    this.buildRequested = true;
    this.buildAbort?.abort(new Error('superseded by a newer change'));
    this.pump();
  }

  reflash(): void {
    this.requestFlash(true);
  }

  private requestFlash(force: boolean): void {
    if (this.closed) return;
    this.flashRequest = { force: force || (this.flashRequest?.force ?? false) };
    this.pump();
  }

  /** Start whatever may start now. Builds wait for planning; flashes wait for builds and flashes. */
  private pump(): void {
    if (this.closed) return;
    if (this.buildRequested && !this.building && !this.planning) {
      this.building = true;
      this.buildRequested = false;
      this.track(this.runBuild());
    }
    if (this.flashRequest && !this.flashing && !this.building) {
      const { force } = this.flashRequest;
      this.flashRequest = null;
      this.flashing = true;
      this.planning = true;
      this.track(this.runFlash(force));
    }
    this.status();
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private async runBuild(): Promise<void> {
    const abort = new AbortController();
    this.buildAbort = abort;
    this.emit({ type: 'build-start' });
    try {
      const result = await this.options.build!({
        signal: abort.signal,
        onOutput: (line, stream) => this.emit({ type: 'build-output', line, stream }),
      });
      this.lastBuildMs = result.ms;
      this.emit({ type: 'build-done', ms: result.ms });
      this.requestFlash(false);
    } catch (err) {
      if (abort.signal.aborted) this.emit({ type: 'build-cancelled' });
      else {
        this.fail('build', err);
        // The outputs are in an unknown state: keep the last good firmware on the device.
        this.flashRequest = null;
      }
    } finally {
      this.buildAbort = null;
      this.building = false;
      this.pump();
    }
  }

  private async runFlash(force: boolean): Promise<void> {
    let plan: Awaited<ReturnType<WatchAndFlashOptions['planner']>>;
    try {
      plan = await this.options.planner();
      if (this.options.snapshot) plan = await this.options.snapshot(plan);
    } catch (err) {
      this.fail('plan', err);
      this.flashing = false;
      return;
    } finally {
      this.planning = false;
      this.pump();
    }
    if (this.closed) {
      this.flashing = false;
      return;
    }
    const buildMs = this.lastBuildMs;
    this.lastBuildMs = undefined;
    if (this.monitor) {
      await this.monitor.pause().catch((err: unknown) => this.fail('monitor', err));
      this.emit({ type: 'monitor', state: 'paused' });
    }
    this.emit({ type: 'flash-start', force });
    const verify = verifyTimer(this.clock);
    const started = this.clock.now();
    try {
      const summary = await this.options.flasher(plan, {
        force,
        signal: this.closing.signal,
        onEvent: (event) => {
          verify.onEvent(event);
          this.emit({ type: 'flash-progress', event });
        },
      });
      const ms = Math.round(this.clock.now() - started);
      const skipped = summary.regions.filter((r) => r.status === 'skipped').map((r) => r.label ?? r.role);
      const { bytesWritten } = summary;
      this.emit({ type: 'flash-done', ms, bytesWritten, skipped, verifyMs: verify.ms() });
      this.last = { ...(buildMs === undefined ? {} : { buildMs }), flashMs: ms, verifyMs: verify.ms(), bytesWritten };
      this.emit({ type: 'cycle-done', times: this.last });
    } catch (err) {
      this.fail('flash', err);
    } finally {
      if (this.monitor && !this.closed) await this.resumeMonitor();
      this.flashing = false;
      if (!this.closed) await this.syncMonitor();
      this.pump();
    }
  }

  /** Take the port back after a flash, retrying while a USB port re-enumerates after reset. */
  private async resumeMonitor(): Promise<void> {
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.monitor!.resume();
        this.emit({ type: 'monitor', state: 'resumed' });
        return;
      } catch (err) {
        if (attempt >= 4 || this.closed) {
          this.fail('monitor', err);
          this.monitorWanted = false;
          const monitor = this.monitor;
          this.monitor = null;
          await monitor?.close().catch(() => {});
          this.emit({ type: 'monitor', state: 'off' });
          return;
        }
        await this.clock.sleep(delay, this.closing.signal).catch(() => {});
        delay *= 2;
      }
    }
  }

  /** Start or stop the monitor to match what the user wants (never while flashing). */
  private async syncMonitor(): Promise<void> {
    if (this.flashing || this.closed) return;
    if (this.monitorWanted && !this.monitor) {
      if (!this.options.monitor) {
        this.monitorWanted = false;
        this.fail('monitor', new UsageError('watch/no-monitor', 'no monitor is available', {
          hint: 'Pass --port so the monitor knows which port to open.',
        }));
        return;
      }
      try {
        const monitor = await this.options.monitor();
        this.monitor = monitor;
        monitor.done.then(
          () => this.monitorEnded(monitor, null),
          (err: unknown) => this.monitorEnded(monitor, err),
        );
        this.emit({ type: 'monitor', state: 'on' });
      } catch (err) {
        this.monitorWanted = false;
        this.fail('monitor', err);
      }
    } else if (!this.monitorWanted && this.monitor) {
      const monitor = this.monitor;
      this.monitor = null;
      await monitor.close().catch(() => {});
      this.emit({ type: 'monitor', state: 'off' });
    }
    this.status();
  }

  private monitorEnded(monitor: MonitorHandle, err: unknown): void {
    if (this.monitor !== monitor || this.closed) return;
    this.monitor = null;
    this.monitorWanted = false;
    if (err !== null) this.fail('monitor', err);
    this.emit({ type: 'monitor', state: 'off' });
    this.status();
  }

  async toggleMonitor(): Promise<void> {
    this.monitorWanted = !this.monitorWanted;
    await this.syncMonitor();
  }

  async reset(): Promise<void> {
    if (this.closed) return;
    if (this.flashing) {
      this.fail('reset', new UsageError('watch/busy', 'not resetting: the device is being flashed', {
        hint: 'Press r again once the flash is done (the flash resets the chip itself).',
      }));
      return;
    }
    try {
      if (this.monitor) await this.monitor.reset();
      else if (this.options.resetDevice) await this.options.resetDevice();
      else throw new UsageError('watch/no-reset', 'no way to reset the device', { hint: 'Pass --port.' });
      this.emit({ type: 'reset' });
    } catch (err) {
      this.fail('reset', err);
    }
  }

  input(bytes: Uint8Array): void {
    for (const action of this.keys.feed(bytes, this.monitorOn)) this.act(action);
  }

  private act(action: WatchKeyAction): void {
    switch (action.type) {
      case 'send':
        void this.monitor?.send(action.bytes);
        return;
      case 'reset':
        void this.reset();
        return;
      case 'reflash':
        this.reflash();
        return;
      case 'build':
        this.buildNow();
        return;
      case 'toggle-monitor':
        void this.toggleMonitor();
        return;
      case 'help':
        this.emit({ type: 'help', monitor: this.monitorOn });
        return;
      case 'quit':
        void this.close();
        return;
    }
  }

  private get busy(): boolean {
    return this.building || this.flashing || this.buildRequested || this.flashRequest !== null || this.debounce !== null;
  }

  /** Emit `status` when what the loop is doing changed; wake `idle()` waiters. */
  private status(): void {
    const state = { building: this.building, flashing: this.flashing, monitor: this.monitorOn };
    const key = JSON.stringify(state);
    if (key !== this.lastStatus && !this.closed) {
      this.lastStatus = key;
      this.emit({ type: 'status', ...state, last: this.last });
    }
    if (!this.busy || this.closed) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  idle(): Promise<void> {
    if (!this.busy || this.closed) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    if (this.closed) return this.done;
    this.closed = true;
    this.debounce?.abort();
    this.buildAbort?.abort(new Error('watch closed'));
    this.closing.abort(new Error('watch closed'));
    await this.watcher?.close().catch(() => {});
    await Promise.allSettled([...this.tasks]);
    await this.monitor?.close().catch(() => {});
    this.monitor = null;
    for (const wake of this.idleWaiters.splice(0)) wake();
    this.emit({ type: 'closed' });
    this.resolveDone();
    return this.done;
  }
}

/** Sums the time the device spends verifying each written region (last block → region-verified). */
function verifyTimer(clock: Clock): { onEvent(e: FlashEvent): void; ms(): number } {
  const written = new Map<number, number>();
  let total = 0;
  return {
    onEvent(e) {
      if (e.type === 'region-progress' && e.written >= e.total) written.set(e.index, clock.now());
      if (e.type === 'region-verified' && written.has(e.index)) total += clock.now() - written.get(e.index)!;
    },
    ms: () => Math.round(total),
  };
}
