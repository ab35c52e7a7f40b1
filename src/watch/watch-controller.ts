// watchAndFlash: the edit-build-flash loop. File changes are debounced (latest wins) into a build
// (sources mode) or a flash (outputs mode); a new change cancels a running build; a build that ends
// during a flash waits for it; failures are reported and the loop keeps watching. The monitor hands
// the port to the flasher (pause) and takes it back (resume). Every dependency is injected; keys and
// rendering are the CLI's (src/cli/watch), which calls the controller's methods and draws its events.

import { type Clock, realClock } from '../core/session/clock.js';
import { UsageError } from '../errors.js';
import { errorEvent, skippedLabels, verifyTimer, type WatchStage } from './cycle-parts.js';
import { MonitorSlot } from './monitor-slot.js';
import type { CycleTimes, FileWatcher, Planner, WatchAndFlashOptions, WatchEvent } from './watch-types.js';

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
  /** Bytes for the device through the monitor (dropped while it is off or paused). */
  send(bytes: Uint8Array): void;
  /** Ask for the key help (a `help` event naming the monitor state). */
  help(): void;
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
  private readonly closing = new AbortController();
  private readonly monitor: MonitorSlot;
  private watcher: FileWatcher | null = null;
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
    this.monitor = new MonitorSlot({
      factory: options.monitor,
      clock: this.clock,
      signal: this.closing.signal,
      emit: (e) => this.emit(e),
      fail: (err) => this.fail('monitor', err),
      changed: () => this.status(),
    });
    this.monitor.want(options.monitorOn ?? false);
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
    this.ready = this.start();
    this.ready.catch(() => {});
  }

  get monitorOn(): boolean {
    return this.monitor.on;
  }

  private emit(event: WatchEvent): void {
    if (!this.closed || event.type === 'closed') this.options.onEvent(event);
  }

  private fail(stage: WatchStage, err: unknown): void {
    this.emit(errorEvent(stage, err));
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
    await this.monitor.sync();
    if (this.options.initial ?? true) this.trigger();
    this.pump();
  }

  /** What a change asks for: a build (sources) or a flash (outputs). */
  private trigger(): void {
    if (this.options.mode === 'sources') this.buildNow();
    else this.requestFlash(false);
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
        this.trigger();
      },
      () => {},
    );
  }

  buildNow(): void {
    if (this.closed) return;
    if (!this.options.build) {
      const hint = 'Set build.command in espflash.config.ts, or activate ESP-IDF so idf.py is on PATH.';
      this.fail('build', new UsageError('watch/no-build', 'no build command to run', { hint }));
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

  /** Plan (and snapshot) the outputs; null after an error or close. Builds wait meanwhile. */
  private async plan(): Promise<Awaited<ReturnType<Planner>> | null> {
    try {
      const plan = await this.options.planner();
      return this.options.snapshot ? await this.options.snapshot(plan) : plan;
    } catch (err) {
      this.fail('plan', err);
      return null;
    } finally {
      this.planning = false;
      this.pump();
    }
  }

  private async runFlash(force: boolean): Promise<void> {
    const plan = await this.plan();
    if (plan === null || this.closed) {
      this.flashing = false;
      this.status();
      return;
    }
    const buildMs = this.lastBuildMs;
    this.lastBuildMs = undefined;
    await this.monitor.pause();
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
      const { bytesWritten } = summary;
      const verifyMs = verify.ms();
      this.emit({ type: 'flash-done', ms, bytesWritten, skipped: skippedLabels(summary), verifyMs });
      this.last = { ...(buildMs === undefined ? {} : { buildMs }), flashMs: ms, verifyMs, bytesWritten };
      this.emit({ type: 'cycle-done', times: this.last });
    } catch (err) {
      this.fail('flash', err);
    } finally {
      if (!this.closed) await this.monitor.resume();
      this.flashing = false;
      if (!this.closed) await this.monitor.sync();
      this.pump();
    }
  }

  async toggleMonitor(): Promise<void> {
    this.monitor.toggle();
    if (!this.flashing && !this.closed) await this.monitor.sync();
  }

  async reset(): Promise<void> {
    if (this.closed) return;
    try {
      if (this.flashing) {
        throw new UsageError('watch/busy', 'not resetting: the device is being flashed', {
          hint: 'Press r again once the flash is done (the flash resets the chip itself).',
        });
      }
      if (!(await this.monitor.reset())) {
        if (!this.options.resetDevice)
          throw new UsageError('watch/no-reset', 'no way to reset', { hint: 'Pass --port.' });
        await this.options.resetDevice();
      }
      this.emit({ type: 'reset' });
    } catch (err) {
      this.fail('reset', err);
    }
  }

  send(bytes: Uint8Array): void {
    this.monitor.send(bytes);
  }

  help(): void {
    this.emit({ type: 'help', monitor: this.monitorOn });
  }

  private get busy(): boolean {
    const queued = this.buildRequested || this.flashRequest !== null || this.debounce !== null;
    return this.building || this.flashing || queued;
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
    await this.monitor.close();
    for (const wake of this.idleWaiters.splice(0)) wake();
    this.emit({ type: 'closed' });
    this.resolveDone();
    return this.done;
  }
}
