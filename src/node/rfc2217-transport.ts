// Transport over Telnet with RFC 2217 COM-PORT-OPTION (`rfc2217://host:port`, e.g. ser2net or
// esp_rfc2217_server): option negotiation, line settings, DTR/RTS, purge, and IAC-escaped data.

import type { Socket } from 'node:net';
import { concatBytes } from '../core/protocol/bytes.js';
import { type Clock, realClock } from '../core/session/clock.js';
import { ReadQueue, transportClosedError } from '../core/session/read-queue.js';
import type { ModemSignals, Transport, TransportCapabilities } from '../core/session/transport.js';
import { EspflashError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import {
  COM_PORT,
  CONTROL,
  encodeComPortByte,
  encodeSetBaudRate,
  escapeIac,
  PARITY_NONE,
  PURGE,
  parseComPortReply,
  readBigEndianU32,
  STOPSIZE_ONE,
  TELNET_OPTION,
  TelnetDecoder,
  type TelnetEvent,
} from './rfc2217-codec.js';
import { connectSocket, formatHost, type SocketAddress, writeSocket } from './tcp-transport.js';
import { TelnetNegotiator } from './telnet-negotiation.js';

/** Options for {@link openRfc2217Transport}. */
export interface Rfc2217TransportOptions extends SocketAddress {
  /** Serial baud rate the server should use (default 115200). */
  baud?: number;
  clock?: Clock;
  logger?: Logger;
  /** TCP connect timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long to wait for the server's negotiation and baud-rate replies (default 3000 ms). */
  replyTimeoutMs?: number;
}

/** Options we enable on our side (WILL) and accept from the server (DO). ECHO is refused. */
const LOCAL_OPTIONS = new Set<number>([TELNET_OPTION.BINARY, TELNET_OPTION.SGA, TELNET_OPTION.COM_PORT]);
const REMOTE_OPTIONS = new Set<number>([TELNET_OPTION.BINARY, TELNET_OPTION.SGA]);

interface ReplyWaiter {
  resolve: (value: Uint8Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Connect to an RFC 2217 server and configure the serial side: 8N1 at `baud`, no flow control,
 * DTR and RTS off. Fails with `rfc2217/unsupported` when the server refuses COM-PORT-OPTION
 * (a raw TCP port: use `socket://`), and `rfc2217/no-reply` when it never answers.
 */
export async function openRfc2217Transport(options: Rfc2217TransportOptions): Promise<Transport> {
  const description = `rfc2217://${formatHost(options.host)}:${options.port}`;
  const socket = await connectSocket({
    host: options.host,
    port: options.port,
    description,
    ...(options.connectTimeoutMs === undefined ? {} : { timeoutMs: options.connectTimeoutMs }),
  });
  const transport = new Rfc2217Transport({
    socket,
    description,
    clock: options.clock ?? realClock,
    logger: options.logger ?? silentLogger,
    replyTimeoutMs: options.replyTimeoutMs ?? 3000,
  });
  try {
    await transport.start(options.baud ?? 115200);
  } catch (err) {
    await transport.close();
    throw err;
  }
  return transport;
}

class Rfc2217Transport implements Transport {
  readonly description: string;
  readonly capabilities: TransportCapabilities = { modemLines: true, baudRate: true, rawStream: false };
  /** Last NOTIFY-LINESTATE / NOTIFY-MODEMSTATE values from the server (diagnostics). */
  lineState = 0;
  modemState = 0;
  private currentBaud = 0;
  private signals: ModemSignals | null = null;
  private readonly socket: Socket;
  private readonly queue: ReadQueue;
  private readonly decoder = new TelnetDecoder();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly replyTimeoutMs: number;
  private readonly negotiator = new TelnetNegotiator({ local: LOCAL_OPTIONS, remote: REMOTE_OPTIONS });
  private readonly waiters = new Map<number, ReplyWaiter[]>();
  private comPortAgreed: ReplyWaiter | null = null;
  private pendingPurges = 0;
  private purgeTimer: AbortController | null = null;
  private ended: EspflashError | null = null;

  constructor(options: {
    socket: Socket;
    description: string;
    clock: Clock;
    logger: Logger;
    replyTimeoutMs: number;
  }) {
    this.socket = options.socket;
    this.description = options.description;
    this.clock = options.clock;
    this.logger = options.logger;
    this.replyTimeoutMs = options.replyTimeoutMs;
    this.queue = new ReadQueue({ clock: options.clock });
    this.socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) this.onEvent(event);
    });
    this.socket.on('error', (err) => this.logger.debug(`${this.description}: ${err.message}`));
    this.socket.on('close', () => this.end(transportClosedError(this.description), true));
  }

  get baudRate(): number {
    return this.currentBaud;
  }

  /** Negotiate Telnet options, then set 8N1, the baud rate, no flow control and both lines off. */
  async start(baud: number): Promise<void> {
    const agreed = new Promise<Uint8Array>((resolve, reject) => {
      this.comPortAgreed = { resolve, reject };
    });
    await this.send(concatBytes(...this.negotiator.hello()));
    await this.withTimeout(agreed, 'COM-PORT-OPTION negotiation');

    await this.send(
      concatBytes(
        encodeComPortByte(COM_PORT.SET_DATASIZE, 8),
        encodeComPortByte(COM_PORT.SET_PARITY, PARITY_NONE),
        encodeComPortByte(COM_PORT.SET_STOPSIZE, STOPSIZE_ONE),
        encodeComPortByte(COM_PORT.SET_CONTROL, CONTROL.NO_FLOW_CONTROL),
      ),
    );
    await this.setBaudRate(baud);
    await this.setSignals({ dtr: false, rts: false });
  }

  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    return this.queue.read(options);
  }

  async write(data: Uint8Array): Promise<void> {
    await this.send(escapeIac(data));
  }

  /**
   * RFC 2217 sets one line per request, so a change of both lines is two SET-CONTROL requests in
   * one TCP segment, DTR first (the order of esptool's classic reset). Unchanged lines are not resent.
   */
  async setSignals(signals: ModemSignals): Promise<void> {
    const previous = this.signals;
    const parts: Uint8Array[] = [];
    if (previous === null || previous.dtr !== signals.dtr) {
      parts.push(encodeComPortByte(COM_PORT.SET_CONTROL, signals.dtr ? CONTROL.DTR_ON : CONTROL.DTR_OFF));
    }
    if (previous === null || previous.rts !== signals.rts) {
      parts.push(encodeComPortByte(COM_PORT.SET_CONTROL, signals.rts ? CONTROL.RTS_ON : CONTROL.RTS_OFF));
    }
    this.signals = { dtr: signals.dtr, rts: signals.rts };
    if (parts.length) await this.send(concatBytes(...parts));
  }

  /** Sends SET-BAUDRATE and waits for the server to confirm the same rate. */
  async setBaudRate(baud: number): Promise<void> {
    const reply = this.expectReply(COM_PORT.SET_BAUDRATE);
    await this.send(encodeSetBaudRate(baud));
    const confirmed = readBigEndianU32(await this.withTimeout(reply, `SET-BAUDRATE ${baud}`));
    if (confirmed !== baud) {
      throw new EspflashError(
        'rfc2217/baud-rejected',
        `${this.description} was asked for ${baud} baud but reports ${confirmed ?? 'no rate'}.`,
        {
          hint: 'Pick a rate the serial adapter behind the server supports with --baud.',
          details: { port: this.description, requested: baud, confirmed },
        },
      );
    }
    this.currentBaud = baud;
  }

  /**
   * Drops local input and asks the server to purge its receive buffer. Until the server
   * acknowledges, arriving bytes are dropped too: TCP keeps order, so everything before the
   * acknowledgement is stale. Without an acknowledgement within the reply timeout, input resumes.
   */
  async flushInput(): Promise<void> {
    this.queue.clear();
    this.pendingPurges++;
    await this.send(encodeComPortByte(COM_PORT.PURGE_DATA, PURGE.RECEIVE));
    this.purgeTimer?.abort();
    const timer = new AbortController();
    this.purgeTimer = timer;
    this.clock.sleep(this.replyTimeoutMs, timer.signal).then(
      () => {
        this.logger.debug(`${this.description}: no PURGE-DATA acknowledgement; accepting input again`);
        this.pendingPurges = 0;
      },
      () => {
        // Acknowledged (or closed) in time.
      },
    );
  }

  async close(): Promise<void> {
    this.end(transportClosedError(this.description), false);
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  private async send(bytes: Uint8Array): Promise<void> {
    if (this.ended) throw this.ended;
    try {
      await writeSocket(this.socket, bytes);
    } catch (err) {
      throw transportClosedError(this.description, err);
    }
  }

  private end(error: EspflashError, drain: boolean): void {
    if (this.ended) return;
    this.ended = error;
    this.purgeTimer?.abort();
    this.queue.close(error, { drain });
    this.comPortAgreed?.reject(error);
    this.comPortAgreed = null;
    for (const list of this.waiters.values()) for (const w of list.splice(0)) w.reject(error);
  }

  private expectReply(subOption: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(subOption) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(subOption, list);
    });
  }

  private async withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    const timer = new AbortController();
    const timeout = this.clock.sleep(this.replyTimeoutMs, timer.signal).then(() => {
      throw new EspflashError(
        'rfc2217/no-reply',
        `${this.description} did not answer ${what} within ${this.replyTimeoutMs} ms.`,
        {
          hint: 'Check that the server speaks RFC 2217 (ser2net: `accepter: telnet(rfc2217),tcp,<port>`); for a raw TCP port use socket://host:port in --port.',
          details: { port: this.description, request: what },
        },
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      timer.abort();
      timeout.catch(() => {});
    }
  }

  private onEvent(event: TelnetEvent): void {
    if (event.type === 'data') {
      if (this.pendingPurges === 0) this.queue.push(event.bytes);
    } else if (event.type === 'negotiation') {
      this.onNegotiation(event.command, event.option);
    } else if (event.type === 'subnegotiation' && event.option === TELNET_OPTION.COM_PORT) {
      const reply = parseComPortReply(event.payload);
      if (reply) this.onComPortReply(reply.subOption, reply.value);
    }
  }

  private onComPortReply(subOption: number, value: Uint8Array): void {
    if (subOption === COM_PORT.NOTIFY_LINESTATE) {
      this.lineState = value[0] ?? 0;
      return;
    }
    if (subOption === COM_PORT.NOTIFY_MODEMSTATE) {
      this.modemState = value[0] ?? 0;
      return;
    }
    if (subOption === COM_PORT.PURGE_DATA && this.pendingPurges > 0) {
      this.pendingPurges--;
      if (this.pendingPurges === 0) this.purgeTimer?.abort();
    }
    const waiter = this.waiters.get(subOption)?.shift();
    if (waiter) waiter.resolve(value);
    else this.logger.debug(`${this.description}: COM-PORT reply ${subOption} [${[...value].join(' ')}]`);
  }

  private onNegotiation(command: number, option: number): void {
    const result = this.negotiator.receive(command, option);
    if (result.reply) this.send(result.reply).catch(() => {});
    if (result.local?.option === TELNET_OPTION.COM_PORT) this.settleComPort(result.local.enabled);
  }

  private settleComPort(accepted: boolean): void {
    const waiter = this.comPortAgreed;
    this.comPortAgreed = null;
    if (!waiter) return;
    if (accepted) {
      waiter.resolve(new Uint8Array(0));
      return;
    }
    waiter.reject(
      new EspflashError('rfc2217/unsupported', `${this.description} refused the RFC 2217 COM-PORT-OPTION.`, {
        hint: 'The server is not an RFC 2217 server; for a raw TCP serial bridge use socket://host:port in --port.',
        details: { port: this.description },
      }),
    );
  }
}
