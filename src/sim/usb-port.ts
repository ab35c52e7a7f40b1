// The virtual chip's USB side for the disconnect fault: whether the port is gone (re-enumerating),
// until when, and who to tell when it vanishes. Hosts (transports, the TCP server) subscribe.

import type { Clock } from '../core/session/clock.js';

/** USB presence of one virtual chip. */
export class UsbPort {
  private readonly clock: Clock;
  private goneUntil = 0;
  private pending = false;
  private listeners: Array<() => void> = [];

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** The port is gone: a disconnect happened and its gone time has not passed yet. */
  get unplugged(): boolean {
    return this.pending && this.clock.now() < this.goneUntil;
  }

  /** A disconnect happened and no host has reopened the port since (output goes nowhere meanwhile). */
  get awaitingReplug(): boolean {
    return this.pending;
  }

  /** Call `listener` when the port vanishes. Returns an unsubscribe function. */
  onUnplug(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** The port vanishes for `goneMs` of clock time; every listener is told. */
  unplug(goneMs: number): void {
    this.goneUntil = this.clock.now() + goneMs;
    this.pending = true;
    for (const l of this.listeners) l();
  }

  /** A host reopened the port. Returns whether it had been unplugged. */
  replug(): boolean {
    const was = this.pending;
    this.pending = false;
    return was;
  }
}
