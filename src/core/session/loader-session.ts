// One session with a ROM loader or flasher stub: flush-before-send, opcode matching, unsupported
// command detection, per-command timeouts, stale-reply protection, registers, and boot-log capture.

import type { ChipInfo } from '../../chips/chips.js';
import { EspflashError } from '../../errors.js';
import { type FlashEventSink, ignoreEvents } from '../../events.js';
import { type Logger, silentLogger } from '../../logger.js';
import { BootLogBuffer } from '../connect/boot-log.js';
import type { SecurityInfo } from '../connect/chip-detect.js';
import { packU32 } from '../protocol/bytes.js';
import { DEFAULT_TIMEOUT_MS, OP, timeoutFor } from '../protocol/opcodes.js';
import {
  commandHeader,
  decodeResponse,
  encodeCommand,
  isUnsupportedReply,
  ROM_INVALID_MESSAGE,
  readStatus,
  syncData,
} from '../protocol/packets.js';
import { statusError } from '../protocol/rom-errors.js';
import { SlipDecoder, slipEncode } from '../protocol/slip.js';
import { type Clock, realClock } from './clock.js';
import type { CommandRequest, CommandResponse, Loader } from './loader.js';
import {
  commandTimeout,
  frameTimeout,
  noMatchingReply,
  resyncTimeout,
  shortResponse,
  unsupportedCommand,
} from './session-errors.js';
import type { Transport } from './transport.js';

/** Frames skipped while waiting for a reply before giving up (esptool's limit). */
export const MAX_SKIPPED_FRAMES = 100;
/** Pause after an unsupported-command reply before draining the ROM's repeats. */
export const UNSUPPORTED_DRAIN_MS = 200;

/** Construction options for {@link LoaderSession}. */
export interface LoaderSessionOptions {
  transport: Transport;
  clock?: Clock;
  logger?: Logger;
  onEvent?: FlashEventSink;
  /** Aborts pending reads and sleeps. */
  signal?: AbortSignal;
  /** Bytes of boot-log noise kept for diagnosis. */
  bootLogLimit?: number;
}

/** Counters the connect diagnosis uses. */
export interface SessionStats {
  bytesReceived: number;
  framesReceived: number;
  badFrames: number;
}

/** Options for waiting for a reply without sending. */
export interface AwaitReplyOptions {
  op: number;
  timeoutMs: number;
  responseDataLength?: number;
  /** Treat a different opcode's "invalid message" reply as "unsupported" (default true). */
  detectUnsupported?: boolean;
}

/**
 * The {@link Loader} implementation over a Transport. The chip is unknown until connect detects it;
 * `chip` throws `loader/no-chip` before that. After a timed-out command a SYNC barrier runs before the
 * next command, so a late reply to the earlier command is never taken as the new command's reply.
 */
export class LoaderSession implements Loader {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onEvent: FlashEventSink;
  readonly signal: AbortSignal | undefined;
  /** Counters for diagnosis. */
  readonly stats: SessionStats = { bytesReceived: 0, framesReceived: 0, badFrames: 0 };

  /** Set by connect: the stub was already running and was reused. */
  stubReused = false;
  /** Set by connect: the decoded GET_SECURITY_INFO, when the loader answered it. */
  securityInfo: SecurityInfo | null = null;

  private chipInfo: ChipInfo | null = null;
  private stub = false;
  private sdm = false;
  private readonly decoder = new SlipDecoder();
  private queue: Uint8Array[] = [];
  private readonly noise: BootLogBuffer;
  private needsBarrier = false;
  /** Set once a resync SYNC went unanswered (see {@link barrier}). */
  private resyncFailure: EspflashError | null = null;

  constructor(options: LoaderSessionOptions) {
    this.transport = options.transport;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    this.onEvent = options.onEvent ?? ignoreEvents;
    this.signal = options.signal;
    this.noise = new BootLogBuffer(options.bootLogLimit);
  }

  get chip(): ChipInfo {
    if (!this.chipInfo) throw new EspflashError('loader/no-chip', 'The chip has not been detected yet');
    return this.chipInfo;
  }

  /** The detected chip, or null before detection. */
  get detectedChip(): ChipInfo | null {
    return this.chipInfo;
  }

  get isStub(): boolean {
    return this.stub;
  }

  get secureDownloadMode(): boolean {
    return this.sdm;
  }

  /** Current host-side baud rate. */
  get baud(): number {
    return this.transport.baudRate;
  }

  /** Status bytes the current responder sends: 2 (stub, ESP8266 ROM), 4 (ESP32+ ROM), null (unknown). */
  get statusLength(): 2 | 4 | null {
    if (this.stub) return 2;
    return this.chipInfo ? this.chipInfo.romStatusBytes : null;
  }

  /** Record the detected chip. */
  setChip(chip: ChipInfo): void {
    this.chipInfo = chip;
  }

  /** Switch between ROM and stub rules. */
  setStub(stub: boolean): void {
    this.stub = stub;
  }

  setSecureDownloadMode(sdm: boolean): void {
    this.sdm = sdm;
  }

  /** Text seen outside SLIP frames (boot log, garbage), bounded to the last few KiB. */
  get bootLog(): string {
    return this.noise.text();
  }

  /** Drop the captured boot log. */
  clearBootLog(): void {
    this.noise.clear();
  }

  /** Discard everything received and not yet consumed (OS buffer, decoder state, queued frames). */
  async flushInput(): Promise<void> {
    await this.transport.flushInput();
    this.decoder.reset();
    this.queue = [];
  }

  /**
   * Read whatever arrives until the line is quiet for `quietMs` (at most `maxMs`), keeping noise in the
   * boot log and discarding frames. Used right after a reset to capture the ROM banner.
   */
  async drainInput(options: { quietMs: number; maxMs?: number }): Promise<void> {
    const end = this.clock.now() + (options.maxMs ?? options.quietMs * 10);
    for (;;) {
      const left = end - this.clock.now();
      if (left <= 0) break;
      const chunk = await this.transport.read({
        timeoutMs: Math.min(options.quietMs, left),
        signal: this.signal,
      });
      if (chunk.length === 0) break;
      this.ingest(chunk);
    }
    this.queue = [];
  }

  async command(request: CommandRequest): Promise<CommandResponse> {
    if (this.needsBarrier && request.op !== OP.SYNC) await this.barrier(request.op);
    await this.flushInput();
    const header = commandHeader({ op: request.op, data: request.data, checksum: request.checksum });
    await this.transport.write(slipEncode(header, request.data ?? new Uint8Array(0)));
    if (request.expectResponse === false) return { value: 0, data: new Uint8Array(0) };
    try {
      return await this.awaitReply({
        op: request.op,
        timeoutMs: request.timeoutMs ?? timeoutFor(request.op),
        responseDataLength: request.responseDataLength ?? 0,
      });
    } catch (err) {
      if (err instanceof EspflashError && err.code.startsWith('timeout/') && request.op !== OP.SYNC) {
        this.needsBarrier = true;
      }
      throw err;
    }
  }

  /**
   * Wait for the reply to `op` without sending: skips frames that are not responses or belong to
   * other opcodes (at most {@link MAX_SKIPPED_FRAMES}), decodes the status, throws coded errors.
   */
  async awaitReply(options: AwaitReplyOptions): Promise<CommandResponse> {
    const { op, timeoutMs } = options;
    const respLen = options.responseDataLength ?? 0;
    const deadline = this.clock.now() + timeoutMs;
    for (let skipped = 0; skipped <= MAX_SKIPPED_FRAMES; skipped++) {
      const frame = await this.nextFrame(deadline);
      if (!frame) throw commandTimeout(op, timeoutMs);
      const reply = decodeResponse(frame);
      if (!reply) continue;
      if (reply.op !== op) {
        if (options.detectUnsupported !== false && isUnsupportedReply(reply)) await this.unsupported(op);
        continue;
      }
      const status = readStatus(reply.data, respLen);
      if (status.kind === 'error') {
        // A ROM repeats its "invalid message" reply: let the repeats arrive and drop them, so they are
        // not mistaken for the next command's "unsupported" answer.
        if (status.byte0 === 1 && status.byte1 === ROM_INVALID_MESSAGE) await this.drainRepeats();
        throw statusError({ op, byte0: status.byte0, byte1: status.byte1 });
      }
      if (status.kind === 'short') {
        throw shortResponse({ op, length: status.length, expected: respLen });
      }
      return { value: reply.value, data: status.payload };
    }
    throw noMatchingReply(op, MAX_SKIPPED_FRAMES);
  }

  async readFrame(timeoutMs: number): Promise<Uint8Array> {
    const frame = await this.nextFrame(this.clock.now() + timeoutMs);
    if (!frame) {
      throw frameTimeout(timeoutMs);
    }
    return frame;
  }

  async writeFrame(payload: Uint8Array): Promise<void> {
    await this.transport.write(slipEncode(payload));
  }

  async readReg(address: number): Promise<number> {
    const r = await this.command({ op: OP.READ_REG, data: packU32(address) });
    return r.value >>> 0;
  }

  /**
   * WRITE_REG with mask (default all bits). `delayUs` appends esptool's second record: a harmless
   * write of 0 with mask 0 to the chip's UART date register carrying the delay, run after the write.
   */
  async writeReg(
    address: number,
    value: number,
    options: { mask?: number; delayUs?: number } = {},
  ): Promise<void> {
    const first = packU32(address, value, options.mask ?? 0xffffffff, 0);
    const delay = options.delayUs ?? 0;
    const data =
      delay > 0 ? new Uint8Array([...first, ...packU32(this.chip.uartDateReg, 0, 0, delay)]) : first;
    await this.command({ op: OP.WRITE_REG, data });
  }

  /** Close the transport. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  /** Send SYNC and wait for its first reply: every late reply to an earlier command precedes it. */
  private async barrier(op: number): Promise<void> {
    // An unanswered resync SYNC may still be answered later, ahead of replies to commands sent after
    // it; its late reply would pass for the next resync's, and a stale reply for a real command.
    // Replies can no longer be told apart, so the session stays failed (reconnect to recover).
    if (this.resyncFailure)
      throw resyncTimeout({ op, timeoutMs: DEFAULT_TIMEOUT_MS, cause: this.resyncFailure });
    this.logger.debug('resynchronising after a timed-out command');
    await this.flushInput();
    await this.transport.write(slipEncode(encodeCommand({ op: OP.SYNC, data: syncData() })));
    try {
      await this.awaitReply({ op: OP.SYNC, timeoutMs: DEFAULT_TIMEOUT_MS, detectUnsupported: false });
    } catch (err) {
      if (!(err instanceof EspflashError) || !err.code.startsWith('timeout/')) throw err;
      this.resyncFailure = err;
      throw resyncTimeout({ op, timeoutMs: DEFAULT_TIMEOUT_MS, cause: err });
    }
    this.needsBarrier = false;
  }

  private async drainRepeats(): Promise<void> {
    await this.clock.sleep(UNSUPPORTED_DRAIN_MS, this.signal);
    await this.flushInput();
  }

  private async unsupported(op: number): Promise<never> {
    await this.drainRepeats();
    throw unsupportedCommand(op, this.stub);
  }

  /** The next decoded frame, or null once `deadline` passes. */
  private async nextFrame(deadline: number): Promise<Uint8Array | null> {
    for (;;) {
      const queued = this.queue.shift();
      if (queued) return queued;
      const left = deadline - this.clock.now();
      if (left <= 0) return null;
      const chunk = await this.transport.read({ timeoutMs: left, signal: this.signal });
      if (chunk.length === 0) return null;
      this.ingest(chunk);
    }
  }

  private ingest(chunk: Uint8Array): void {
    this.stats.bytesReceived += chunk.length;
    const r = this.decoder.feed(chunk);
    this.stats.framesReceived += r.frames.length;
    this.stats.badFrames += r.badFrames;
    this.noise.append(r.noise);
    for (const f of r.frames) this.queue.push(f);
  }
}
