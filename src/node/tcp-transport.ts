// Transport over raw TCP (`socket://host:port`): QEMU's serial socket, ser2net in raw mode,
// `espflash sim --listen`. No modem lines and no baud rate: the far end owns both. For the loader
// protocol it can nudge the peer's delayed replies along (see `ackNudge`).

import { createConnection, type Socket } from 'node:net';
import { type Clock, realClock } from '../core/session/clock.js';
import { ReadQueue, transportClosedError } from '../core/session/read-queue.js';
import type { ModemSignals, Transport, TransportCapabilities } from '../core/session/transport.js';
import { EspflashError, UsageError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';

/** Where to connect. */
export interface SocketAddress {
  host: string;
  port: number;
}

/** Options for {@link connectSocket}. */
export interface ConnectSocketOptions extends SocketAddress {
  /** Used in error messages: `socket://127.0.0.1:5555`. */
  description: string;
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
}

/**
 * Open a TCP connection with Nagle off (the loader protocol is request/response). Fails with
 * `port/connection-refused`, `port/host-not-found`, `port/connect-timeout` or `port/connect-failed`.
 */
export function connectSocket(options: ConnectSocketOptions): Promise<Socket> {
  const { host, port, description } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new EspflashError('port/connect-timeout', `No answer from ${description} within ${timeoutMs} ms.`, {
          hint: 'Check the host and port in --port (socket://host:port or rfc2217://host:port) and any firewall in between.',
          details: { port: description, timeoutMs },
        }),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(mapConnectError({ description, host, port, error: err }));
    });
  });
}

function mapConnectError(options: SocketAddress & { description: string; error: NodeJS.ErrnoException }) {
  const { description, host, port, error } = options;
  const details = { port: description, host, tcpPort: port };
  if (error.code === 'ECONNREFUSED') {
    return new EspflashError(
      'port/connection-refused',
      `Nothing is listening on ${host}:${port} (${description}).`,
      {
        hint: 'Start the server first (`espflash sim --listen <port>`, ser2net, or QEMU with -serial tcp::<port>,server), or fix the port in --port.',
        details,
        cause: error,
      },
    );
  }
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new UsageError('port/host-not-found', `Host ${host} in ${description} could not be resolved.`, {
      hint: 'Fix the host name in --port (socket://host:port or rfc2217://host:port).',
      details,
      cause: error,
    });
  }
  return new EspflashError('port/connect-failed', `Could not connect to ${description}: ${error.message}`, {
    hint: 'Check the host and port in --port and that the server accepts connections.',
    details,
    cause: error,
  });
}

/** Write to a socket, resolving once the bytes are handed to the OS. */
export function writeSocket(socket: Socket, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

/** Options for {@link openTcpTransport}. */
export interface TcpTransportOptions extends SocketAddress {
  /** Nominal baud rate reported by `baudRate` (default 115200); changing it has no effect on the wire. */
  baud?: number;
  /** Time source for read timeouts. */
  clock?: Clock;
  logger?: Logger;
  /** Connect timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * For the loader protocol only (never for a console): when received data stops inside a reply
   * frame, or after any chunk once the peer has sent a whole frame, send one NUL byte so our ACK goes
   * out at once. A server with Nagle on (QEMU's serial socket, ser2net without
   * nodelay) holds the rest of the reply until that ACK, which Linux otherwise delays up to 40 ms on
   * request/response traffic. SLIP receivers drop bytes outside frames, so the loader ignores it.
   */
  ackNudge?: boolean;
  /**
   * Once the link rate is known (a baud switch the far end follows), send long writes in ~1 ms
   * slices at that rate instead of in one burst: the far end (QEMU's UART, a ser2net port) cannot
   * pass bytes on faster, and QEMU's UART takes a steady stream with less overhead than a burst.
   */
  pace?: boolean;
}

/** The byte sent by `ackNudge`: outside any SLIP frame, so the loader drops it. */
export const ACK_NUDGE = Uint8Array.of(0x00);
const SLIP_END = 0xc0;

/**
 * Connect to a raw TCP serial endpoint. Capabilities are `{ modemLines: false, baudRate: false, rawStream: true }`:
 * `setSignals` resolves without effect and `setBaudRate` only updates the nominal rate. When the
 * peer closes, buffered bytes can still be read, then reads reject with `transport/closed`.
 */
export async function openTcpTransport(options: TcpTransportOptions): Promise<Transport> {
  const description = `socket://${formatHost(options.host)}:${options.port}`;
  const socket = await connectSocket({
    host: options.host,
    port: options.port,
    description,
    ...(options.connectTimeoutMs === undefined ? {} : { timeoutMs: options.connectTimeoutMs }),
  });
  return new TcpTransport({
    socket,
    description,
    baud: options.baud ?? 115200,
    clock: options.clock ?? realClock,
    logger: options.logger ?? silentLogger,
    ackNudge: options.ackNudge ?? false,
    pace: options.pace ?? false,
  });
}

/** Writes up to this long go out at once even when pacing. */
const PACE_MIN_WRITE = 256;
/** Smallest paced slice. */
const PACE_MIN_SLICE = 32;

/** `[::1]` for IPv6 literals, the host unchanged otherwise. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

class TcpTransport implements Transport {
  readonly description: string;
  readonly capabilities: TransportCapabilities = { modemLines: false, baudRate: false, rawStream: true };
  private nominalBaud: number;
  private readonly socket: Socket;
  private readonly queue: ReadQueue;
  private ended: EspflashError | null = null;
  private readonly ackNudge: boolean;
  private readonly pace: boolean;
  private readonly clock: Clock;
  /** Bytes per ms to pace long writes at, once a baud switch said what the link runs at. */
  private paceRate: number | null = null;
  /** A paced write is between slices: a nudge now would land inside its frame. */
  private pacing = false;
  /** Incoming SLIP state for `ackNudge`: inside a frame, and its length so far. */
  private rxInFrame = false;
  private rxFrameBytes = 0;
  /** A whole frame came back: the peer speaks SLIP, so NULs between frames are safe from now on. */
  private rxFramed = false;

  constructor(options: {
    socket: Socket;
    description: string;
    baud: number;
    clock: Clock;
    logger: Logger;
    ackNudge: boolean;
    pace: boolean;
  }) {
    this.socket = options.socket;
    this.description = options.description;
    this.nominalBaud = options.baud;
    this.ackNudge = options.ackNudge;
    this.pace = options.pace;
    this.clock = options.clock;
    this.queue = new ReadQueue({ clock: options.clock });
    this.socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      if (this.ackNudge) this.nudgeIfMidFrame(chunk);
    });
    this.socket.on('error', (err) => options.logger.debug(`${this.description}: ${err.message}`));
    this.socket.on('close', () => {
      if (this.ended) return;
      this.ended = transportClosedError(this.description);
      this.queue.close(this.ended, { drain: true });
    });
  }

  get baudRate(): number {
    return this.nominalBaud;
  }

  /** Track frames in `chunk` and send a nudge when the peer may be holding bytes for our ACK. */
  private nudgeIfMidFrame(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (b !== SLIP_END) {
        if (this.rxInFrame) this.rxFrameBytes++;
      } else if (!this.rxInFrame || this.rxFrameBytes === 0) {
        this.rxInFrame = true;
        this.rxFrameBytes = 0;
      } else {
        this.rxInFrame = false;
        this.rxFramed = true;
      }
    }
    // Mid-frame: the rest may wait for our ACK. After whole frames more may follow (a SYNC is
    // answered 8 times), so once the peer has framed anything, every chunk is acknowledged at once.
    if (!(this.rxInFrame || this.rxFramed) || this.pacing || this.ended || this.socket.destroyed) return;
    this.socket.write(ACK_NUDGE, () => {});
  }

  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    return this.queue.read(options);
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.ended) throw this.ended;
    if (this.paceRate !== null && data.length > PACE_MIN_WRITE) return this.writePaced(data, this.paceRate);
    try {
      await writeSocket(this.socket, data);
    } catch (err) {
      throw transportClosedError(this.description, err);
    }
  }

  /** `data` in slices of about 1 ms of wire time, catching up when a timer fires late. */
  private async writePaced(data: Uint8Array, bytesPerMs: number): Promise<void> {
    const slice = Math.max(PACE_MIN_SLICE, Math.floor(bytesPerMs));
    const t0 = this.clock.now();
    let sent = 0;
    this.pacing = true;
    try {
      while (sent < data.length) {
        if (this.ended) throw this.ended;
        const owed = Math.floor((this.clock.now() - t0) * bytesPerMs) - sent;
        const n = Math.min(data.length - sent, Math.max(slice, owed));
        await writeSocket(this.socket, data.subarray(sent, sent + n));
        sent += n;
        const ahead = t0 + sent / bytesPerMs - this.clock.now();
        if (sent < data.length && ahead > 0) await this.clock.sleep(ahead);
      }
    } catch (err) {
      throw err === this.ended ? err : transportClosedError(this.description, err);
    } finally {
      this.pacing = false;
    }
  }

  async setSignals(_signals: ModemSignals): Promise<void> {
    if (this.ended) throw this.ended;
  }

  async setBaudRate(baud: number): Promise<void> {
    if (this.ended) throw this.ended;
    this.nominalBaud = baud;
    // 10 bits per byte on the wire.
    if (this.pace) this.paceRate = baud / 10 / 1000;
  }

  async flushInput(): Promise<void> {
    this.queue.clear();
  }

  async close(): Promise<void> {
    if (!this.ended) this.ended = transportClosedError(this.description);
    this.queue.close(this.ended);
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}
