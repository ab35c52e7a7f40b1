// The watch loop's serial monitor: on/off as the user wants (never started during a flash), paused
// to release the port for the flasher and resumed after it, with retries while a USB port comes
// back from the chip's reset. Reports through the loop's event sink.

import type { Clock } from '../core/session/clock.js';
import { UsageError } from '../errors.js';
import type { MonitorFactory, MonitorHandle, WatchEvent } from './watch-types.js';

/** What the slot needs from the loop. */
export interface MonitorSlotOptions {
  factory: MonitorFactory | undefined;
  clock: Clock;
  /** Aborts retry sleeps when the loop closes. */
  signal: AbortSignal;
  emit: (event: WatchEvent) => void;
  fail: (err: unknown) => void;
  /** The monitor went on or off. */
  changed: () => void;
}

/** Attempts to take the port back after a flash (200 ms, doubling, between them). */
const RESUME_ATTEMPTS = 4;

/** Owns the monitor session of a watch loop. */
export class MonitorSlot {
  private handle: MonitorHandle | null = null;
  private wanted = false;

  constructor(private readonly options: MonitorSlotOptions) {}

  get on(): boolean {
    return this.handle !== null;
  }

  /** Say whether the monitor should run; call {@link sync} to act on it. */
  want(on: boolean): void {
    this.wanted = on;
  }

  toggle(): void {
    this.wanted = !this.wanted;
  }

  /** Start or stop the monitor to match what is wanted. */
  async sync(): Promise<void> {
    if (this.wanted && !this.handle) await this.start();
    else if (!this.wanted && this.handle) await this.stop();
  }

  private async start(): Promise<void> {
    if (!this.options.factory) {
      this.wanted = false;
      this.options.fail(
        new UsageError('watch/no-monitor', 'no serial monitor is available', {
          hint: 'Pass --port so the monitor knows which port to open.',
        }),
      );
      return;
    }
    try {
      const handle = await this.options.factory();
      this.handle = handle;
      handle.done.then(
        () => this.ended(handle, null),
        (err: unknown) => this.ended(handle, err),
      );
      this.options.emit({ type: 'monitor', state: 'on' });
      this.options.changed();
      // Turned off again while it was starting.
      if (!this.wanted) await this.stop();
    } catch (err) {
      this.wanted = false;
      this.options.fail(err);
    }
  }

  private async stop(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => {});
    this.options.emit({ type: 'monitor', state: 'off' });
    this.options.changed();
  }

  private ended(handle: MonitorHandle, err: unknown): void {
    if (this.handle !== handle || this.options.signal.aborted) return;
    this.handle = null;
    this.wanted = false;
    if (err !== null) this.options.fail(err);
    this.options.emit({ type: 'monitor', state: 'off' });
    this.options.changed();
  }

  /** Release the port for a flash. */
  async pause(): Promise<void> {
    if (!this.handle) return;
    await this.handle.pause().catch((err: unknown) => this.options.fail(err));
    this.options.emit({ type: 'monitor', state: 'paused' });
  }

  /** Take the port back after a flash; gives up (monitor off, error shown) after a few attempts. */
  async resume(): Promise<void> {
    if (!this.handle) return;
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handle.resume();
        this.options.emit({ type: 'monitor', state: 'resumed' });
        return;
      } catch (err) {
        if (attempt >= RESUME_ATTEMPTS || this.options.signal.aborted) {
          this.options.fail(err);
          this.wanted = false;
          await this.stop();
          return;
        }
        await this.options.clock.sleep(delay, this.options.signal).catch(() => {});
        delay *= 2;
      }
    }
  }

  /** Reset through the monitor's port; false when no monitor runs. */
  async reset(): Promise<boolean> {
    if (!this.handle) return false;
    await this.handle.reset();
    return true;
  }

  /** Typed keys to the device. */
  send(bytes: Uint8Array): void {
    void this.handle?.send(bytes);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => {});
  }
}
