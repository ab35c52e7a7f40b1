// Timing model of the virtual ESP32: UART wire time at the current baud, SPI NOR erase and program
// times, and waits on an injected Clock. Disabled, every delay is zero and nothing waits at all.

import type { Clock } from '../core/session/clock.js';
import { type EraseStep, pagesTouched } from './nor-flash.js';

/**
 * Typical (not maximum) figures from the Winbond W25Q32JV datasheet (rev. F), "AC Electrical
 * Characteristics": page program tPP 0.4-0.7 ms (0.7 ms used), sector erase 4 KB tSE 45 ms,
 * block erase 64 KB tBE2 150 ms, chip erase tCE 10 s (scaled linearly for other capacities).
 */
export const W25Q32_TIMING = {
  pageProgramMs: 0.7,
  sectorEraseMs: 45,
  blockEraseMs: 150,
  chipEraseMsPer4MB: 10_000,
} as const;

/** The figures the model uses (override for other parts). */
export interface FlashTiming {
  pageProgramMs: number;
  sectorEraseMs: number;
  blockEraseMs: number;
  chipEraseMsPer4MB: number;
}

/** UART frame: start bit, 8 data bits, stop bit. */
export const BITS_PER_BYTE = 10;

/** Durations and waits. One instance per device. */
export class TimingModel {
  readonly enabled: boolean;
  readonly clock: Clock;
  readonly flash: FlashTiming;
  /** Multiplier on erase times (a slow or worn flash part; the `slow-erase` fault). */
  readonly eraseFactor: number;

  constructor(options: { enabled: boolean; clock: Clock; flash?: FlashTiming; eraseFactor?: number }) {
    this.enabled = options.enabled;
    this.clock = options.clock;
    this.flash = options.flash ?? W25Q32_TIMING;
    this.eraseFactor = options.eraseFactor ?? 1;
  }

  /** Milliseconds `bytes` wire bytes take at `baud`. */
  wireMs(bytes: number, baud: number): number {
    return this.enabled ? (bytes * BITS_PER_BYTE * 1000) / baud : 0;
  }

  /** Milliseconds to run these erase steps. */
  eraseMs(steps: readonly EraseStep[]): number {
    if (!this.enabled) return 0;
    let ms = 0;
    for (const s of steps) ms += s.kind === 'block' ? this.flash.blockEraseMs : this.flash.sectorEraseMs;
    return ms * this.eraseFactor;
  }

  /** Milliseconds for a whole-chip erase of `size` bytes. */
  chipEraseMs(size: number): number {
    return this.enabled ? (this.eraseFactor * this.flash.chipEraseMsPer4MB * size) / (4 * 1024 * 1024) : 0;
  }

  /** Milliseconds to page-program `length` bytes at `offset`. */
  programMs(offset: number, length: number): number {
    return this.enabled ? pagesTouched(offset, length) * this.flash.pageProgramMs : 0;
  }

  /** Wait `ms` of (simulated or real) time; returns at once when disabled or `ms` is 0. */
  async delay(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.enabled || ms <= 0) {
      if (signal?.aborted) throw signal.reason;
      return;
    }
    await this.clock.sleep(ms, signal);
  }

  /** Wait until the clock reads `at`. */
  async until(at: number, signal?: AbortSignal): Promise<void> {
    await this.delay(at - this.clock.now(), signal);
  }
}
