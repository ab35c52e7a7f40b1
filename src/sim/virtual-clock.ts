// A discrete-event Clock: time stands still while code runs and jumps to the next timer whenever the
// process is otherwise idle. Tests and benchmarks run the timing model on it in (almost) no wall time.

import type { Clock } from '../core/session/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

type Defer = (fn: () => void) => void;
const defer: Defer =
  (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate ?? ((fn) => setTimeout(fn, 0));

/**
 * Simulated time. `sleep` resolves when every earlier timer has fired and the event loop has no
 * other immediate work, so concurrent activities (UART transfer overlapping a flash write) add up
 * the way they would on a device.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private scheduled = false;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    defer(() => this.fire());
  }

  private fire(): void {
    this.scheduled = false;
    if (this.timers.length === 0) return;
    let best = 0;
    for (let i = 1; i < this.timers.length; i++) {
      const a = this.timers[i]!;
      const b = this.timers[best]!;
      if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
    }
    const [timer] = this.timers.splice(best, 1);
    this.t = Math.max(this.t, timer!.at);
    timer!.resolve();
    if (this.timers.length) this.schedule();
  }
}
