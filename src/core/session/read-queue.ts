// The receive side shared by every Transport: buffers bytes that arrive while nobody reads and
// hands them to pending reads in FIFO order, with clock-driven timeouts, abort and close semantics.

import { EspflashError } from '../../errors.js';
import { concatBytes } from '../protocol/bytes.js';
import { type Clock, realClock } from './clock.js';

interface Waiter {
  resolve: (bytes: Uint8Array) => void;
  reject: (reason: unknown) => void;
  cleanup: () => void;
}

/** The `transport/closed` error a transport's reads and writes reject with after it closed. */
export function transportClosedError(description: string, cause?: unknown): EspflashError {
  return new EspflashError('transport/closed', `The connection to ${description} is closed.`, {
    hint: 'Reopen the port (check the cable, the --port value, or whether the server is still running).',
    details: { port: description },
    cause,
  });
}

/**
 * An unbounded byte buffer with blocking reads, implementing the read half of the Transport
 * contract: `read` resolves with everything buffered (at least one byte), or an empty array on
 * timeout; it rejects on abort, and after `close`.
 */
export class ReadQueue {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private readonly waiters: Waiter[] = [];
  private closedWith: EspflashError | null = null;
  private drainBeforeReject = false;
  private readonly clock: Clock;
  private readonly maxRead: number;

  /** `maxRead` caps the bytes one read returns (default: everything buffered). */
  constructor(options: { clock?: Clock; maxRead?: number } = {}) {
    this.clock = options.clock ?? realClock;
    this.maxRead = options.maxRead ?? Number.POSITIVE_INFINITY;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.size;
  }

  /** True once `close` was called. */
  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Append received bytes (copied); the oldest pending read gets them at once. */
  push(bytes: Uint8Array): void {
    if (this.closedWith || bytes.length === 0) return;
    // A plain copy: callers may reuse their buffer, and Node Buffers must not leak into the core.
    this.chunks.push(new Uint8Array(bytes));
    this.size += bytes.length;
    while (this.size > 0 && this.waiters.length > 0) {
      const waiter = this.waiters.shift()!;
      waiter.cleanup();
      waiter.resolve(this.take());
    }
  }

  /** Discard everything buffered. */
  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  /**
   * Stop for good: pending and later reads reject with `error`. With `drain`, bytes already
   * buffered are still handed out first (a peer that hung up after its last reply).
   */
  close(error: EspflashError, options: { drain?: boolean } = {}): void {
    if (this.closedWith) return;
    this.closedWith = error;
    this.drainBeforeReject = options.drain === true && this.size > 0;
    if (!this.drainBeforeReject) this.clear();
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }

  /** Read per the Transport contract. */
  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.size > 0 && (!this.closedWith || this.drainBeforeReject)) return Promise.resolve(this.take());
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (options.timeoutMs <= 0) return Promise.resolve(new Uint8Array(0));

    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = new AbortController();
      const onAbort = () => {
        this.remove(waiter);
        waiter.cleanup();
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => {
          timer.abort();
          signal?.removeEventListener('abort', onAbort);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.clock.sleep(options.timeoutMs, timer.signal).then(
        () => {
          if (!this.remove(waiter)) return;
          waiter.cleanup();
          resolve(new Uint8Array(0));
        },
        () => {
          // Cancelled because data, abort or close settled the read first.
        },
      );
    });
  }

  private remove(waiter: Waiter): boolean {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return false;
    this.waiters.splice(index, 1);
    return true;
  }

  private take(): Uint8Array {
    const all = this.chunks.length === 1 ? this.chunks[0]! : concatBytes(...this.chunks);
    if (all.length <= this.maxRead) {
      this.chunks = [];
      this.size = 0;
      return all;
    }
    const out = all.subarray(0, this.maxRead);
    this.chunks = [all.subarray(this.maxRead)];
    this.size = all.length - this.maxRead;
    return out;
  }
}
