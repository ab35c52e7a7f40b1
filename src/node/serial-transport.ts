// Transport over a local serial port with node-serialport: 8N1, no flow control, both modem lines
// always set together (serialport's set() fills unspecified lines with defaults; PROTOCOL.md §4.6).

import type { SerialPort } from 'serialport';
import { type Clock, realClock } from '../core/session/clock.js';
import { ReadQueue, transportClosedError } from '../core/session/read-queue.js';
import type { ModemSignals, Transport, TransportCapabilities } from '../core/session/transport.js';
import { type ErrorCode, EspflashError, UsageError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { listPorts } from './port-list.js';
import { loadSerialPort } from './serialport-loader.js';
import { disconnectedError, isNoModemLinesError, mapOpenError } from './transport-errors.js';

/** Options for {@link openSerialTransport}. */
export interface SerialTransportOptions {
  /** Device path: `/dev/ttyUSB0`, `/dev/cu.usbserial-1410`, `COM3`. */
  path: string;
  /** Initial baud rate (default 115200, what every ESP ROM loader starts at). */
  baud?: number;
  /** Receives the one-time debug line when the port has no modem lines. */
  logger?: Logger;
  /** Time source for read timeouts (default: the real clock). */
  clock?: Clock;
}

/** The default ROM loader baud rate. */
export const DEFAULT_BAUD = 115200;

function callback(run: (done: (err: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}

/**
 * Open a serial port as a Transport. The first action after opening drives DTR and RTS low
 * (de-asserted), so opening never leaves the chip in reset. A port whose modem lines cannot be set
 * (a pseudo-terminal) reports `capabilities.modemLines = false` and logs one debug line instead of
 * failing; the warning, when a reset was wanted, comes from the caller.
 * Open failures reject with `port/not-found` (listing existing ports), `port/permission-denied`,
 * `port/busy` (naming the holder on Linux) or `port/open-failed`.
 */
export async function openSerialTransport(options: SerialTransportOptions): Promise<Transport> {
  const { path } = options;
  const logger = options.logger ?? silentLogger;
  const { SerialPort } = await loadSerialPort();
  const port = new SerialPort({
    path,
    baudRate: options.baud ?? DEFAULT_BAUD,
    autoOpen: false,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    rtscts: false,
    xon: false,
    xoff: false,
    // HUPCL de-asserts DTR and RTS on close, so the chip is never left held in reset (or strapped
    // for download) after espflash exits. The kernel asserts both on open; we clear them at once.
    hupcl: true,
  });
  // An 'error' event without a listener would crash the process; failures surface through calls.
  port.on('error', (err) => logger.debug(`serial ${path}: ${err.message}`));

  try {
    await callback((done) => port.open(done));
  } catch (error) {
    throw await mapOpenError({
      path,
      error,
      listPaths: async () => (await listPorts()).map((p) => p.path),
    });
  }

  const transport = new SerialTransport({ port, path, logger, clock: options.clock ?? realClock });
  try {
    await transport.setSignals({ dtr: false, rts: false });
  } catch (err) {
    await transport.close();
    throw err;
  }
  return transport;
}

class SerialTransport implements Transport {
  readonly description: string;
  readonly capabilities: TransportCapabilities = { modemLines: true, baudRate: true, rawStream: false };
  private readonly port: SerialPort;
  private readonly logger: Logger;
  private readonly queue: ReadQueue;
  private endedWith: EspflashError | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: { port: SerialPort; path: string; logger: Logger; clock: Clock }) {
    this.port = options.port;
    this.description = options.path;
    this.logger = options.logger;
    this.queue = new ReadQueue({ clock: options.clock });
    this.port.on('data', (chunk: Buffer) => this.queue.push(chunk));
    this.port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.endedWith) return;
      this.endedWith = err?.disconnected
        ? disconnectedError(this.description, err)
        : transportClosedError(this.description, err ?? undefined);
      this.queue.close(this.endedWith, { drain: true });
    });
  }

  get baudRate(): number {
    return this.port.baudRate;
  }

  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    return this.queue.read(options);
  }

  async write(data: Uint8Array): Promise<void> {
    this.ensureOpen();
    const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    try {
      await callback((done) => this.port.write(chunk, done));
      await callback((done) => this.port.drain(done));
    } catch (err) {
      throw this.failure('port/write-failed', `Writing to ${this.description} failed`, err);
    }
  }

  async setSignals(signals: ModemSignals): Promise<void> {
    this.ensureOpen();
    if (!this.capabilities.modemLines) return;
    try {
      // Both lines in one call: one TIOCMSET on POSIX (PROTOCOL.md §4.6).
      await callback((done) => this.port.set({ dtr: signals.dtr, rts: signals.rts }, done));
    } catch (err) {
      if (isNoModemLinesError(err)) {
        this.capabilities.modemLines = false;
        // Only a fact about the port: whoever wanted a reset (connect, --after, monitor) says what
        // that means for this run, and nobody warns when no reset was asked for (--before no-reset).
        this.logger.debug(
          `${this.description} has no modem control lines (DTR/RTS cannot be set): no reset through DTR/RTS on this port`,
        );
        return;
      }
      throw this.failure('port/signals-failed', `Setting DTR/RTS on ${this.description} failed`, err);
    }
  }

  async setBaudRate(baud: number): Promise<void> {
    this.ensureOpen();
    try {
      await callback((done) => this.port.update({ baudRate: baud }, done));
    } catch (err) {
      if (!this.port.isOpen)
        throw this.failure('port/baud-failed', `Changing the baud rate of ${this.description} failed`, err);
      throw new UsageError(
        'port/baud-unsupported',
        `${this.description} does not accept ${baud} baud: ${String(err)}`,
        {
          hint: 'Pick a rate the adapter supports with --baud (115200, 460800 and 921600 work almost everywhere).',
          details: { port: this.description, baud },
          cause: err,
        },
      );
    }
  }

  async flushInput(): Promise<void> {
    this.ensureOpen();
    this.queue.clear();
    try {
      await callback((done) => this.port.flush(done));
    } catch (err) {
      throw this.failure('port/flush-failed', `Discarding input on ${this.description} failed`, err);
    }
    // Bytes the binding read before tcflush may still have been queued behind the flush.
    this.queue.clear();
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (!this.endedWith) this.endedWith = transportClosedError(this.description);
    this.queue.close(transportClosedError(this.description));
    this.closing = this.port.isOpen
      ? callback((done) => this.port.close(done)).catch((err) => {
          this.logger.debug(`closing ${this.description}: ${String(err)}`);
        })
      : Promise.resolve();
    return this.closing;
  }

  private ensureOpen(): void {
    if (this.endedWith) throw this.endedWith;
  }

  /** A disconnect beats the specific failure: the port is gone, say so. */
  private failure(code: ErrorCode, message: string, err: unknown): EspflashError {
    if (this.endedWith) return this.endedWith;
    if (!this.port.isOpen) return disconnectedError(this.description, err);
    return new EspflashError(code, `${message}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'Check the cable and the --port value; replug the board and retry.',
      details: { port: this.description },
      cause: err,
    });
  }
}
