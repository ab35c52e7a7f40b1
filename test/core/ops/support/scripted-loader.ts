// A small fake Loader for flash-op unit tests: an in-memory NOR flash (erase to 0xFF), a register
// map with the SPI user-command engine for RDID, and a log of every command, signal and sleep.

import { Inflate } from 'pako';
import { type ChipName, chipInfo } from '../../../../src/chips/chips.js';
import { readU32, toHex } from '../../../../src/core/protocol/bytes.js';
import { md5 } from '../../../../src/core/protocol/md5.js';
import { OP } from '../../../../src/core/protocol/opcodes.js';
import { dataChecksum } from '../../../../src/core/protocol/packets.js';
import type { Clock } from '../../../../src/core/session/clock.js';
import type { CommandRequest, CommandResponse, Loader } from '../../../../src/core/session/loader.js';
import type { ModemSignals, Transport } from '../../../../src/core/session/transport.js';
import { EspflashError } from '../../../../src/errors.js';
import type { FlashEvent } from '../../../../src/events.js';
import { silentLogger } from '../../../../src/logger.js';

export interface ScriptedLoaderOptions {
  chip: ChipName;
  stub: boolean;
  flashSize?: number;
  sdm?: boolean;
  /** 24-bit JEDEC id W0 returns after RDID (default Winbond 4 MB: 0x1640ef). */
  jedecId?: number;
  modemLines?: boolean;
  baudRate?: number;
  securityInfo?: Uint8Array;
  /** Registers with preset values. */
  registers?: Record<number, number>;
  /** Flip this flash byte whenever a write programs it (a bad flash cell). */
  corruptAt?: number;
  /** Make the stub's READ_FLASH digest frame wrong. */
  badReadDigest?: boolean;
}

interface WriteState {
  compressed: boolean;
  offset: number;
  blockSize: number;
  blocks: number;
  seq: number;
  inflater: Inflate | null;
  cursor: number;
  /** The stub erases just in time: sectors below this were erased during this write. */
  erasedEnd: number;
}

export class ScriptedLoader implements Loader {
  readonly chip;
  readonly isStub: boolean;
  readonly secureDownloadMode: boolean;
  readonly transport: Transport & { signals: Array<ModemSignals & { at: number }> };
  readonly clock: Clock & { sleeps: number[] };
  readonly logger = silentLogger;
  readonly events: FlashEvent[] = [];
  readonly onEvent = (e: FlashEvent) => {
    this.events.push(e);
  };
  readonly flash: Uint8Array;
  readonly log: CommandRequest[] = [];
  readonly regWrites: Array<{ address: number; value: number; mask?: number }> = [];
  readonly acks: number[] = [];
  private readonly regs = new Map<number, number>();
  private write: WriteState | null = null;
  private readFrames: Uint8Array[] = [];
  private readSent = 0;
  private readAcked = 0;
  private now = 0;

  constructor(private readonly options: ScriptedLoaderOptions) {
    this.chip = chipInfo(options.chip);
    this.isStub = options.stub;
    this.secureDownloadMode = options.sdm ?? false;
    this.flash = new Uint8Array(options.flashSize ?? 4 << 20).fill(0xff);
    for (const [a, v] of Object.entries(options.registers ?? {})) this.regs.set(Number(a), v);
    const clockSleeps: number[] = [];
    this.clock = {
      sleeps: clockSleeps,
      now: () => this.now,
      sleep: async (ms) => {
        clockSleeps.push(ms);
        this.now += ms;
      },
    };
    const signals: Array<ModemSignals & { at: number }> = [];
    this.transport = {
      signals,
      description: 'fake://device',
      capabilities: { modemLines: options.modemLines ?? true, baudRate: true, rawStream: false },
      baudRate: options.baudRate ?? 115200,
      read: async () => new Uint8Array(0),
      write: async () => {},
      setSignals: async (s) => {
        signals.push({ ...s, at: this.now });
      },
      setBaudRate: async () => {},
      flushInput: async () => {},
      close: async () => {},
    };
  }

  /** Opcodes sent, in order. */
  get ops(): number[] {
    return this.log.map((c) => c.op);
  }

  async readReg(address: number): Promise<number> {
    this.log.push({ op: OP.READ_REG });
    return this.regs.get(address) ?? 0;
  }

  async writeReg(address: number, value: number, options: { mask?: number } = {}): Promise<void> {
    this.log.push({ op: OP.WRITE_REG });
    this.regWrites.push({ address, value, ...(options.mask === undefined ? {} : { mask: options.mask }) });
    const mask = options.mask ?? 0xffffffff;
    const old = this.regs.get(address) ?? 0;
    this.regs.set(address, ((old & ~mask) | (value & mask)) >>> 0);
    const spi = this.chip.spi;
    if (address === spi.base && value & (1 << 18)) {
      // SPI user command: RDID puts the id into W0; the busy bit clears at once.
      if (((this.regs.get(spi.usr2) ?? 0) & 0xff) === 0x9f)
        this.regs.set(spi.w0, this.options.jedecId ?? 0x1640ef);
      this.regs.set(spi.base, 0);
    }
  }

  async readFrame(_timeoutMs: number): Promise<Uint8Array> {
    if (this.readSent > this.readAcked && this.readSent < this.readFrames.length - 1) {
      throw new Error('fake: host read a frame before acknowledging the previous one');
    }
    const frame = this.readFrames[this.readSent];
    if (!frame) throw new EspflashError('timeout/read-frame', 'no frame');
    this.readSent++;
    return frame;
  }

  async writeFrame(payload: Uint8Array): Promise<void> {
    const total = readU32(payload, 0);
    this.acks.push(total);
    this.readAcked = this.readSent;
  }

  async command(req: CommandRequest): Promise<CommandResponse> {
    this.log.push(req);
    const d = req.data ?? new Uint8Array(0);
    const w = (i: number) => readU32(d, i * 4);
    const ok = (data: Uint8Array = new Uint8Array(0)) => ({ value: 0, data });
    switch (req.op) {
      case OP.SPI_ATTACH:
      case OP.SPI_SET_PARAMS:
      case OP.RUN_USER_CODE:
        return ok();
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN: {
        const compressed = req.op === OP.FLASH_DEFL_BEGIN;
        if (!this.isStub && !compressed) this.erase(w(3), w(0));
        if (!this.isStub && compressed) this.erase(w(3), w(0));
        this.write = {
          compressed,
          offset: w(3),
          blockSize: w(2),
          blocks: w(1),
          seq: 0,
          inflater: compressed ? new Inflate() : null,
          cursor: w(3),
          erasedEnd: w(3) - (w(3) % 0x1000),
        };
        return ok();
      }
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA: {
        const st = this.write;
        if (!st) throw new EspflashError('stub/not-in-flash-mode', 'no begin');
        const len = w(0);
        const payload = d.subarray(16);
        if (payload.length !== len) throw new EspflashError('stub/bad-data-len', 'length mismatch');
        if (req.checksum !== dataChecksum(payload))
          throw new EspflashError('stub/bad-data-checksum', 'checksum');
        if (w(1) !== st.seq) throw new EspflashError('rom/invalid-input', `seq ${w(1)} != ${st.seq}`);
        st.seq++;
        if (st.inflater) {
          const chunks: Uint8Array[] = [];
          st.inflater.onData = (c) => chunks.push(c as Uint8Array);
          st.inflater.push(payload, 2);
          for (const c of chunks) this.program(st, c);
        } else {
          this.program(st, payload);
        }
        return ok();
      }
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END:
        this.write = null;
        return ok();
      case OP.SPI_FLASH_MD5: {
        const digest = md5(this.flash.subarray(w(0), w(0) + w(1)));
        if (this.isStub) return ok(digest);
        return ok(new TextEncoder().encode(toHex(digest).toUpperCase()));
      }
      case OP.ERASE_FLASH:
        this.flash.fill(0xff);
        return ok();
      case OP.ERASE_REGION:
        this.erase(w(0), w(1));
        return ok();
      case OP.READ_FLASH: {
        const [offset, size, packet] = [w(0), w(1), w(2)];
        const data = this.flash.slice(offset, offset + size);
        this.readFrames = [];
        for (let at = 0; at < size; at += packet) this.readFrames.push(data.slice(at, at + packet));
        const digest = md5(data);
        if (this.options.badReadDigest) digest[0] = digest[0]! ^ 0xff;
        this.readFrames.push(digest);
        this.readSent = 0;
        this.readAcked = 0;
        return ok();
      }
      case OP.READ_FLASH_SLOW: {
        const out = new Uint8Array(64);
        out.set(this.flash.subarray(w(0), w(0) + w(1)));
        return ok(out);
      }
      case OP.GET_SECURITY_INFO:
        return ok(this.options.securityInfo ?? new Uint8Array(this.chip.securityInfoLength ?? 0));
      default:
        throw new EspflashError('rom/invalid-message', `unhandled op ${req.op}`);
    }
  }

  private erase(offset: number, size: number): void {
    const start = offset - (offset % 0x1000);
    const end = Math.min(this.flash.length, Math.ceil((offset + size) / 0x1000) * 0x1000);
    this.flash.fill(0xff, start, end);
  }

  private program(st: WriteState, bytes: Uint8Array): void {
    const end = st.cursor + bytes.length;
    if (this.isStub && end > st.erasedEnd) {
      this.erase(st.erasedEnd, end - st.erasedEnd);
      st.erasedEnd = Math.ceil(end / 0x1000) * 0x1000;
    }
    // NOR flash: programming can only clear bits.
    for (let i = 0; i < bytes.length && st.cursor + i < this.flash.length; i++) {
      this.flash[st.cursor + i]! &= bytes[i]!;
    }
    const at = this.options.corruptAt;
    if (at !== undefined && at >= st.cursor && at < st.cursor + bytes.length) this.flash[at]! ^= 0x01;
    st.cursor += bytes.length;
  }
}

/** Deterministic pseudo-random bytes (compressible to a degree, like real firmware). */
export function sampleBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = i % 4 === 0 ? (x >>> 16) & 0xff : (i >> 6) & 0xff;
  }
  return out;
}
