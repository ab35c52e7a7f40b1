// Fakes for the watch loop: a manual clock (debounce without wall time), a file watcher driven by
// the test, build/flash runners that finish when the test says so, and a monitor that logs calls.

import type { Clock } from '../../../src/core/session/clock.js';
import { EspflashError } from '../../../src/errors.js';
import type { FlashSummary } from '../../../src/flash/write-plan.js';
import type { FlashPlan } from '../../../src/plan/types.js';
import { sourced } from '../../../src/provenance.js';
import type {
  BuildRunner,
  FileWatcherFactory,
  Flasher,
  MonitorHandle,
  WatchEvent,
} from '../../../src/watch/watch-types.js';

/** Let pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** A clock that only moves when `advance` is called. */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  /** Sleeps not yet due. */
  readonly waiting: number;
}

export function manualClock(): ManualClock {
  let now = 0;
  let timers: Array<{ at: number; fire: () => void }> = [];
  return {
    now: () => now,
    get waiting() {
      return timers.length;
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = {
          at: now + ms,
          fire: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          timers = timers.filter((t) => t !== timer);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        timers.push(timer);
      });
    },
    async advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fire();
      await settle();
    },
  };
}

/** A file watcher whose changes the test fires. */
export function fakeWatcher(): {
  factory: FileWatcherFactory;
  change(path: string): void;
  closed: () => boolean;
  paths: () => string[];
} {
  let onChange: ((path: string) => void) | null = null;
  let closed = false;
  let paths: string[] = [];
  return {
    factory: (options) => {
      onChange = options.onChange;
      paths = options.paths;
      return {
        ready: Promise.resolve(),
        close: async () => {
          closed = true;
        },
      };
    },
    change: (path) => onChange?.(path),
    closed: () => closed,
    paths: () => paths,
  };
}

/** A promise with its resolve/reject outside. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One call of the fake build runner. */
export interface BuildCall {
  signal: AbortSignal;
  done: Deferred<{ ms: number }>;
}

/** A build runner whose builds end when the test resolves them; aborted builds reject like runBuild. */
export function fakeBuild(log: string[]): { run: BuildRunner; calls: BuildCall[] } {
  const calls: BuildCall[] = [];
  const run: BuildRunner = ({ signal, onOutput }) => {
    const done = deferred<{ ms: number }>();
    calls.push({ signal, done });
    log.push(`build-${calls.length}`);
    onOutput('[1/1] Linking', 'stdout');
    signal.addEventListener('abort', () =>
      done.reject(new EspflashError('build/cancelled', 'The build was cancelled')),
    );
    return done.promise;
  };
  return { run, calls };
}

/** One call of the fake flasher. */
export interface FlashCall {
  plan: FlashPlan;
  force: boolean;
  done: Deferred<FlashSummary>;
}

/** A flasher whose flashes end when the test resolves them (or the loop's signal aborts them). */
export function fakeFlasher(log: string[]): { flash: Flasher; calls: FlashCall[] } {
  const calls: FlashCall[] = [];
  const flash: Flasher = (plan, { force, signal }) => {
    const done = deferred<FlashSummary>();
    signal.addEventListener('abort', () => done.reject(new EspflashError('cli/interrupted', 'aborted')));
    calls.push({ plan, force, done });
    const n = calls.length;
    log.push(`flash-${n}`);
    return done.promise.finally(() => log.push(`flash-${n}-end`));
  };
  return { flash, calls };
}

/** A summary with an app written and the bootloader skipped. */
export function summary(bytesWritten = 1234): FlashSummary {
  const region = (index: number, label: string | null, role: string, status: 'written' | 'skipped') => ({
    index,
    offset: index * 0x8000,
    size: 100,
    label,
    role,
    file: `/b/${role}.bin`,
    status,
    md5: null,
    verified: true,
  });
  return {
    regions: [region(0, null, 'bootloader', 'skipped'), region(1, 'factory', 'app', 'written')],
    bytesWritten,
    ms: 5,
  };
}

/** A minimal plan (the fakes never read its files). */
export function fakePlan(): FlashPlan {
  return {
    chip: sourced('esp32', 'build'),
    flash: { mode: sourced('dio', 'build'), freq: sourced('40m', 'build'), size: sourced('4MB', 'build') },
    before: sourced('default_reset', 'default'),
    after: sourced('hard_reset', 'default'),
    stub: sourced(true, 'default'),
    regions: [],
    buildDir: '/project/build',
  };
}

/** A monitor that records what the loop asks of it. */
export function fakeMonitor(log: string[]): {
  factory: () => Promise<MonitorHandle>;
  sent: Uint8Array[];
  failResumes: number;
  end: (err?: unknown) => void;
} {
  const state = {
    sent: [] as Uint8Array[],
    failResumes: 0,
    end: (_err?: unknown) => {},
    factory: async (): Promise<MonitorHandle> => {
      log.push('monitor-start');
      const done = deferred<void>();
      state.end = (err) => (err === undefined ? done.resolve() : done.reject(err));
      return {
        pause: async () => void log.push('monitor-pause'),
        resume: async () => {
          log.push('monitor-resume');
          if (state.failResumes > 0) {
            state.failResumes -= 1;
            throw new EspflashError('port/busy', 'port is busy');
          }
        },
        reset: async () => void log.push('monitor-reset'),
        send: async (bytes) => void state.sent.push(bytes),
        close: async () => {
          log.push('monitor-close');
          done.resolve();
        },
        done: done.promise,
      };
    },
  };
  return state;
}

/** Events of one type. */
export function ofType<T extends WatchEvent['type']>(
  events: WatchEvent[],
  type: T,
): Array<Extract<WatchEvent, { type: T }>> {
  return events.filter((e): e is Extract<WatchEvent, { type: T }> => e.type === type);
}
