// A scripted device behind the Transport interface for protocol unit tests: decodes what the host
// writes, hands each request to a responder, records everything (requests, raw frames, DTR/RTS with
// virtual timestamps, bauds, flushes) and delivers replies late, chunked, duplicated or with noise.

import { concatBytes, packU32, readU16, readU32 } from '../../../src/core/protocol/bytes.js';
import { SlipDecoder, slipEncode } from '../../../src/core/protocol/slip.js';
import type { ModemSignals, Transport, TransportCapabilities } from '../../../src/core/session/transport.js';
import { EspflashError } from '../../../src/errors.js';
import type { FakeClock } from './fake-clock.js';

/** A request as the device saw it. */
export interface SentRequest {
  op: number;
  data: Uint8Array;
  checksum: number;
  /** Virtual time it arrived. */
  at: number;
}

/** Reply description for {@link ScriptedChip.reply}. */
export interface ReplySpec {
  op: number;
  value?: number;
  payload?: Uint8Array;
  /** Status bytes (default `[0, 0]`; give 4 for an ESP32-family ROM). */
  status?: number[];
  /** Virtual ms until it arrives (default 1). */
  delayMs?: number;
}

/** Called for every request the host sends. */
export type Responder = (request: SentRequest, device: ScriptedChip) => void;

export interface ScriptedChipOptions {
  clock: FakeClock;
  responder?: Responder;
  /** Called for every raw frame that is not a request (READ_FLASH ACKs). */
  onRawFrame?: (frame: Uint8Array, device: ScriptedChip) => void;
  /** Called after every DTR/RTS change. */
  onSignals?: (lines: ModemSignals, previous: ModemSignals, device: ScriptedChip) => void;
  capabilities?: Partial<TransportCapabilities>;
  baudRate?: number;
  description?: string;
  /** Largest chunk one read returns (1 = byte at a time). */
  chunkSize?: number;
}

/** Encode a response frame payload (unframed). */
export function responseFrame(spec: Omit<ReplySpec, 'delayMs'>): Uint8Array {
  const body = concatBytes(spec.payload ?? new Uint8Array(0), Uint8Array.from(spec.status ?? [0, 0]));
  const head = new Uint8Array(8);
  head[0] = 1;
  head[1] = spec.op;
  head[2] = body.length & 0xff;
  head[3] = body.length >> 8;
  head.set(packU32(spec.value ?? 0), 4);
  return concatBytes(head, body);
}

/** The fake device; it is the host's Transport. */
export class ScriptedChip implements Transport {
  readonly description: string;
  readonly capabilities: TransportCapabilities;
  baudRate: number;
  readonly clock: FakeClock;
  /** Every decoded request, in order. */
  readonly sent: SentRequest[] = [];
  /** Every raw frame the host wrote (requests included). */
  readonly frames: Uint8Array[] = [];
  /** Every setSignals call with its virtual time. */
  readonly signalLog: Array<ModemSignals & { at: number }> = [];
  /** Host baud changes in order. */
  readonly bauds: number[] = [];
  flushes = 0;
  closed = false;
  lines: ModemSignals = { dtr: false, rts: false };
  responder: Responder | undefined;

  private readonly options: ScriptedChipOptions;
  private rx: number[] = [];
  private readonly decoder = new SlipDecoder();
  private waiter: { resolve: (b: Uint8Array) => void; cancel: () => void } | null = null;

  constructor(options: ScriptedChipOptions) {
    this.options = options;
    this.clock = options.clock;
    this.responder = options.responder;
    this.description = options.description ?? 'fake://device';
    this.capabilities = { modemLines: true, baudRate: true, rawStream: false, ...options.capabilities };
    this.baudRate = options.baudRate ?? 115200;
  }

  /** Bytes arrive at the host after `delayMs` virtual ms (0 = now). */
  deliver(bytes: Uint8Array, delayMs = 0): void {
    const push = () => {
      if (this.closed) return;
      this.rx.push(...bytes);
      this.wake();
    };
    if (delayMs <= 0) push();
    else this.clock.schedule(delayMs, push);
  }

  /** Deliver a SLIP frame. */
  sendFrame(payload: Uint8Array, delayMs = 1): void {
    this.deliver(slipEncode(payload), delayMs);
  }

  /** Deliver a response frame. */
  reply(spec: ReplySpec): void {
    this.sendFrame(responseFrame(spec), spec.delayMs ?? 1);
  }

  /** Deliver ASCII text (boot log, noise). */
  text(text: string, delayMs = 0): void {
    this.deliver(new TextEncoder().encode(text), delayMs);
  }

  /** Requests with opcode `op`. */
  requests(op: number): SentRequest[] {
    return this.sent.filter((r) => r.op === op);
  }

  async read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    if (this.closed) throw new EspflashError('transport/closed', 'closed');
    if (this.rx.length > 0) return this.take();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiter?.cancel();
        this.waiter = null;
        reject(options.signal?.reason);
      };
      const cancelTimer = this.clock.schedule(options.timeoutMs, () => {
        this.waiter = null;
        options.signal?.removeEventListener('abort', onAbort);
        resolve(new Uint8Array(0));
      });
      this.waiter = {
        resolve: (b) => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(b);
        },
        cancel: cancelTimer,
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.closed) throw new EspflashError('transport/closed', 'closed');
    for (const frame of this.decoder.feed(data).frames) {
      this.frames.push(frame);
      if (frame.length >= 8 && frame[0] === 0 && readU16(frame, 2) === frame.length - 8) {
        const req: SentRequest = {
          op: frame[1]!,
          data: frame.slice(8),
          checksum: readU32(frame, 4),
          at: this.clock.now(),
        };
        this.sent.push(req);
        this.responder?.(req, this);
      } else {
        this.options.onRawFrame?.(frame, this);
      }
    }
  }

  async setSignals(signals: ModemSignals): Promise<void> {
    const previous = this.lines;
    this.lines = { ...signals };
    this.signalLog.push({ ...signals, at: this.clock.now() });
    this.options.onSignals?.(this.lines, previous, this);
  }

  async setBaudRate(baud: number): Promise<void> {
    this.baudRate = baud;
    this.bauds.push(baud);
  }

  async flushInput(): Promise<void> {
    this.flushes++;
    this.rx = [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private take(): Uint8Array {
    const n = Math.min(this.rx.length, this.options.chunkSize ?? 4096);
    return Uint8Array.from(this.rx.splice(0, n));
  }

  private wake(): void {
    if (!this.waiter || this.rx.length === 0) return;
    const w = this.waiter;
    this.waiter = null;
    w.cancel();
    w.resolve(this.take());
  }
}
