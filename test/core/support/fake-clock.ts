// Virtual time for protocol tests: timers fire in time order whenever the program is idle (after the
// microtask queue drains), so timeouts and reset waits cost no wall-clock time and are deterministic.

import type { Clock } from '../../../src/core/session/clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** An auto-advancing fake clock. */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private scheduled = false;

  now(): number {
    return this.t;
  }

  /** Run `fire` at now + ms (virtual); returns a cancel function. */
  schedule(ms: number, fire: () => void): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fire, cancelled: false };
    this.timers.push(timer);
    this.kick();
    return () => {
      timer.cancelled = true;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.schedule(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    this.timers = this.timers.filter((x) => !x.cancelled);
    if (this.timers.length === 0) return;
    let next = this.timers[0]!;
    for (const x of this.timers) if (x.at < next.at || (x.at === next.at && x.seq < next.seq)) next = x;
    this.timers.splice(this.timers.indexOf(next), 1);
    this.t = Math.max(this.t, next.at);
    next.fire();
    if (this.timers.length > 0) this.kick();
  }
}
