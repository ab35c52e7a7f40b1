// The serial monitor: reads the device at the app's baud rate, decodes and styles lines into a sink,
// decodes crash backtraces, resets the chip on request, hands the port over for flashing
// (pause/resume) and reconnects when a USB port disappears and comes back.

import { pulseHardReset } from '../core/connect/reset-sequences.js';
import { type Clock, realClock } from '../core/session/clock.js';
import type { Transport } from '../core/session/transport.js';
import { isEspflashError } from '../errors.js';
import { createSymbolizer, resolveSymbolSource, type Symbolizer } from './addr2line.js';
import { LineDecoder } from './line-decoder.js';
import { dim } from './log-style.js';
import { MonitorOutput } from './monitor-output.js';

/** Options for {@link startMonitor}. */
export interface MonitorOptions {
  /** An open transport to the device; the session owns it from now on (closes it on `close`). */
  transport: Transport;
  /** The app's console baud rate (see resolveMonitorBaud); the host side is switched to it. */
  baud: number;
  /** Receives the text to show (styled lines, notices), in order. */
  sink: (text: string) => void;
  /** Also append plain output to this file. */
  logFile?: string;
  /** Prefix lines with the time they arrived. */
  timestamps?: boolean;
  /** ANSI colours in the sink (default false: escapes from the firmware are stripped). */
  color?: boolean;
  /** App ELF for backtrace decoding (default: from `buildDir`'s project_description.json). */
  elf?: string;
  /** addr2line prefix, e.g. `xtensa-esp32-elf-` (default: from the build, else from `chip`). */
  toolPrefix?: string;
  /** Build directory with project_description.json (ELF, tool prefix, target). */
  buildDir?: string;
  /** Chip name, when no build says it. */
  chip?: string;
  /** Reopen the port after it disappeared (USB unplug, re-enumeration) or after `pause`. */
  reopen?: () => Promise<Transport>;
  /** Aborting ends the session like `close`. */
  signal?: AbortSignal;
  /** Sleeps (reset pulse, reconnect backoff) and read timeouts (default: the real clock). */
  clock?: Clock;
  /** Wall clock for timestamps, epoch ms (default `Date.now`). */
  now?: () => number;
  /** Timestamps in UTC instead of local time. */
  utc?: boolean;
  /** Show a partial line after the device has been quiet this long (default 100 ms). */
  idleFlushMs?: number;
  /** Environment for addr2line (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Replaces the addr2line symbolizer (tests, other decoders). */
  symbolizer?: Symbolizer;
  /** Reconnect backoff: first delay and ceiling (default 250 ms doubling up to 2000 ms). */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** A running monitor. */
export interface MonitorSession {
  /** The transport in use right now (changes after a reconnect or resume). */
  readonly transport: Transport;
  /** Send bytes to the device (typed keys); dropped while paused or disconnected. */
  send(bytes: Uint8Array): Promise<void>;
  /** Reset the chip into its app: DTR false + RTS true, 100 ms, then both false. */
  reset(): Promise<void>;
  /** Stop reading; with `reopen`, also close the port so a flasher can open it. */
  pause(): Promise<void>;
  /** Reopen the port if `pause` closed it, and read again. */
  resume(): Promise<void>;
  /** End the session and close the port and log file. */
  close(): Promise<void>;
  /** Settles when the session ends: resolves after close/abort, rejects on an unrecoverable error. */
  done: Promise<void>;
}

/** Codes after which the port may come back. */
const DISCONNECT_CODES = new Set(['port/disconnected', 'transport/closed']);

/** Start monitoring. Output begins immediately; errors surface through `done`. */
export function startMonitor(options: MonitorOptions): MonitorSession {
  return new Session(options);
}

class Session implements MonitorSession {
  readonly done: Promise<void>;
  private current: Transport;
  private readonly clock: Clock;
  private readonly decoder: LineDecoder;
  private readonly stop = new AbortController();
  private output: MonitorOutput | null = null;
  private readAbort: AbortController | null = null;
  private paused = false;
  /** `pause` closed the port; `resume` must reopen it. */
  private released = false;
  private closed = false;
  private idle: { promise: Promise<void>; resolve: () => void } | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly options: MonitorOptions) {
    this.current = options.transport;
    this.clock = options.clock ?? realClock;
    this.decoder = new LineDecoder({
      timestamps: options.timestamps ?? false,
      ...(options.now ? { now: options.now } : {}),
      ...(options.utc ? { utc: true } : {}),
      ...(options.idleFlushMs !== undefined ? { idleFlushMs: options.idleFlushMs } : {}),
    });
    const onAbort = () => void this.close();
    if (options.signal?.aborted) this.closed = true;
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.done = this.run().finally(() => options.signal?.removeEventListener('abort', onAbort));
    // `done` is also awaited by close(); keep an unobserved rejection from crashing the process.
    this.done.catch(() => {});
  }

  get transport(): Transport {
    return this.current;
  }

  async send(bytes: Uint8Array): Promise<void> {
    if (this.paused || this.closed) return;
    await this.current.write(bytes).catch(() => {});
  }

  async reset(): Promise<void> {
    const t = this.current;
    if (t.capabilities.modemLines) await pulseHardReset(t, this.clock, { signal: this.stop.signal });
    // Checked again: a serial port learns at the first setSignals that it has no lines (a pty).
    if (!t.capabilities.modemLines) {
      this.notice(`${t.description} has no DTR/RTS lines: press the board's RESET (EN) button`);
    }
  }

  async pause(): Promise<void> {
    if (this.paused || this.closed) return;
    this.paused = true;
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.idle = { promise, resolve };
    this.readAbort?.abort(new Error('monitor paused'));
    await promise;
    if (this.options.reopen && !this.released) {
      this.released = true;
      await this.current.close().catch(() => {});
    }
  }

  async resume(): Promise<void> {
    if (!this.paused || this.closed) return;
    if (this.released) {
      this.current = await this.options.reopen!();
      this.released = false;
      await this.applyBaud();
    }
    this.paused = false;
    this.wake?.();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.stop.abort(new Error('monitor closed'));
      this.readAbort?.abort(new Error('monitor closed'));
      this.wake?.();
    }
    await this.done.catch(() => {});
  }

  private async run(): Promise<void> {
    try {
      const source = await resolveSymbolSource({
        ...(this.options.elf !== undefined ? { elf: this.options.elf } : {}),
        ...(this.options.toolPrefix !== undefined ? { toolPrefix: this.options.toolPrefix } : {}),
        ...(this.options.buildDir !== undefined ? { buildDir: this.options.buildDir } : {}),
        ...(this.options.chip !== undefined ? { chip: this.options.chip } : {}),
      });
      const symbolizer =
        this.options.symbolizer ??
        createSymbolizer({ source, ...(this.options.env ? { env: this.options.env } : {}) });
      this.output = new MonitorOutput({
        sink: this.options.sink,
        color: this.options.color ?? false,
        symbolizer,
        arch: source.arch,
        ...(this.options.logFile !== undefined ? { logFile: this.options.logFile } : {}),
      });
      await this.output.open();
      await this.applyBaud();
      await this.loop(this.output);
      const rest = this.decoder.end();
      if (rest) await this.output.line(rest);
    } finally {
      this.closed = true;
      await this.output?.close();
      if (!this.released) await this.current.close().catch(() => {});
    }
  }

  private async loop(output: MonitorOutput): Promise<void> {
    while (!this.closed) {
      if (this.paused) {
        this.idle?.resolve();
        await new Promise<void>((r) => {
          this.wake = r;
        });
        this.wake = null;
        continue;
      }
      const abort = new AbortController();
      this.readAbort = abort;
      let chunk: Uint8Array;
      try {
        chunk = await this.current.read({
          timeoutMs: this.decoder.hasPartial ? this.decoder.idleFlushMs : 1000,
          signal: abort.signal,
        });
      } catch (err) {
        if (this.closed) return;
        if (this.paused && abort.signal.aborted) continue;
        if (isEspflashError(err) && DISCONNECT_CODES.has(err.code) && this.options.reopen) {
          await this.reconnect(err.message);
          continue;
        }
        throw err;
      } finally {
        this.readAbort = null;
      }
      if (chunk.length === 0) {
        const partial = this.decoder.flushIdle();
        if (partial) await output.line(partial);
        continue;
      }
      for (const piece of this.decoder.push(chunk)) await output.line(piece);
    }
  }

  /** Retry `reopen` with backoff until it works, the session closes, or a pause takes the port. */
  private async reconnect(why: string): Promise<void> {
    const description = this.current.description;
    this.notice(`${why} Waiting for ${description} to come back (Ctrl+] to quit)`);
    await this.current.close().catch(() => {});
    const maxMs = this.options.backoff?.maxMs ?? 2000;
    let delay = this.options.backoff?.initialMs ?? 250;
    while (!this.closed && !this.paused) {
      try {
        this.current = await this.options.reopen!();
        await this.applyBaud();
        this.notice(`Reconnected to ${this.current.description}`);
        return;
      } catch {
        await this.clock.sleep(delay, this.stop.signal).catch(() => {});
        delay = Math.min(delay * 2, maxMs);
      }
    }
    if (this.paused) this.released = true;
  }

  /** An espflash notice on a line of its own (usable before the output is set up). */
  private notice(text: string): void {
    this.options.sink(`${dim(`--- ${text} ---`, this.options.color ?? false)}\n`);
  }

  private async applyBaud(): Promise<void> {
    const t = this.current;
    if (t.capabilities.baudRate && t.baudRate !== this.options.baud) await t.setBaudRate(this.options.baud);
  }
}
