// Fault injection for the virtual ESP32: what can go wrong (SimFaults) and the per-device runtime that
// decides, deterministically from a seed and the host's traffic, when each fault fires.

import { STUB_ERR } from './protocol.js';

/** Where a one-shot fault fires: after `atByte` host bytes reached the device, or at DATA block `atBlock`. */
export interface FaultTrigger {
  /** Fire once the device has received this many host bytes in total (the byte itself is lost). */
  atByte?: number;
  /** Fire when a FLASH_DATA / FLASH_DEFL_DATA block with this sequence number arrives. */
  atBlock?: number;
}

/** The USB port vanishes (re-enumeration) and comes back after `goneMs`. */
export interface DisconnectFault extends FaultTrigger {
  /** How long the port is gone, in device-clock milliseconds (default 1000). */
  goneMs?: number;
  /** The chip loses power too and boots from flash when the port returns (default false: keeps running). */
  resetsChip?: boolean;
}

/**
 * A failing status on a flash DATA block. `code` is a stub status byte (0xC0-0xFF) or a ROM error in
 * esptool's `0x01xx` form; the other loader gets the equivalent (see {@link statusForLoader}).
 */
export interface StatusFault {
  seq: number;
  /** Fire every time (default: only the first time block `seq` arrives). */
  repeat?: boolean;
  /** Default: 0xC4 on the stub (deferred), 0x0108 on the ROM. */
  code?: number;
}

/** Delay the reply to one opcode. */
export interface StallFault {
  op: number;
  ms: number;
  /** Every reply to `op` (default: the first only). */
  repeat?: boolean;
}

/** Faults to inject. Every field is optional; the default is a perfect device. */
export interface SimFaults {
  /** PRNG seed (default 1). The same seed and host traffic give the same faults. */
  seed?: number;
  /** Probability (0..1) that a wire byte (either direction) has one bit flipped. */
  corruptRate?: number;
  /** Host-to-device corruption rate; overrides `corruptRate` for that direction. */
  corruptRxRate?: number;
  /** Device-to-host corruption rate; overrides `corruptRate` for that direction. */
  corruptTxRate?: number;
  /** Probability (0..1) that a reply frame from the device is lost entirely. */
  dropRate?: number;
  /** Extra milliseconds before every reply (a slow or stalled device). */
  stallMs?: number;
  /** Extra delay before the reply to chosen opcodes. */
  stallReplies?: StallFault[];
  /** Fail a flash DATA block (first time only unless `repeat`). */
  statusErrorOnBlock?: StatusFault;
  /** The USB port disappears mid-write and re-enumerates. */
  disconnect?: DisconnectFault;
  /** The chip resets (watchdog) mid-write and comes back in the ROM loader, forgetting the stub. */
  resetToRom?: FaultTrigger;
  /** Seeded random bytes (printable and binary) the UART emits before the banner after each reset. */
  bootNoise?: number;
  /** The boot strap is ignored: the chip always boots the app and never enters the ROM loader. */
  ignoreBootStrap?: boolean;
  /** The chip never answers: no boot log, no replies. */
  silent?: boolean;
  /** Multiplier on flash erase times of the timing model (default 1). */
  eraseSlowdown?: number;
  /** 4 KiB sectors (any address inside) whose cells cannot be programmed: bit 0 stays 1. */
  badSectors?: number[];
}

/** mulberry32: small, fast, good enough for fault injection. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ROM reason byte <-> stub status byte for the same failure. */
const STUB_TO_ROM: Record<number, number> = { 192: 0x05, 193: 0x07, 196: 0x08, 199: 0x0b };
const ROM_TO_STUB: Record<number, number> = { 5: 0xc0, 7: 0xc1, 8: 0xc4, 11: 0xc7 };

/**
 * The status bytes a status fault produces on the running loader: the stub's code (`[code, 0]`) or the
 * ROM's (`[1, reason]`), mapping between them (C0<->05, C1<->07, C4<->08, C7<->0B, else 0xC4 / 0x06).
 * `immediate` is true when the loader reports it in the reply to that block (ROM always; the stub for
 * C0, C1, C2, C3, C6), false for the stub's deferred write errors.
 */
export function statusForLoader(
  code: number | undefined,
  stub: boolean,
): { bytes: [number, number]; immediate: boolean } {
  const given = code ?? (stub ? STUB_ERR.FAILED_SPI_OP : 0x0108);
  const isRom = given >= 0x100 && given < 0x200;
  if (!stub) return { bytes: [1, isRom ? given & 0xff : (STUB_TO_ROM[given] ?? 0x06)], immediate: true };
  const s = isRom ? (ROM_TO_STUB[given & 0xff] ?? STUB_ERR.FAILED_SPI_OP) : given;
  return { bytes: [s, 0], immediate: [0xc0, 0xc1, 0xc2, 0xc3, 0xc6].includes(s) };
}

/** What a byte-triggered fault does, and after how many bytes of the current chunk. */
export interface ByteTrigger {
  kind: 'disconnect' | 'reset';
  /** Bytes of the chunk delivered before the fault. */
  keep: number;
}

/** Counters, for tests and reports. */
export interface FaultStats {
  bytesCorrupted: number;
  framesDropped: number;
  blockErrors: number;
  disconnects: number;
  resets: number;
  stalls: number;
}

/** Salts so each fault kind draws from its own stream (order of rx/tx activity does not matter). */
const STREAM = { rx: 0x9e3779b9, tx: 0x85ebca6b, drop: 0xc2b2ae35, noise: 0x27d4eb2f } as const;

/** Applies {@link SimFaults}; one per device, lives as long as the device. */
export class FaultInjector {
  readonly config: SimFaults;
  readonly stats: FaultStats = {
    bytesCorrupted: 0,
    framesDropped: 0,
    blockErrors: 0,
    disconnects: 0,
    resets: 0,
    stalls: 0,
  };
  private readonly rx: () => number;
  private readonly tx: () => number;
  private readonly drop: () => number;
  private readonly noise: () => number;
  private blockFaultUsed = false;
  private disconnectUsed = false;
  private resetUsed = false;
  private readonly stallsUsed = new Set<number>();
  private hostBytes = 0;

  constructor(config: SimFaults = {}) {
    this.config = config;
    const seed = config.seed ?? 1;
    this.rx = seededRandom(seed ^ STREAM.rx);
    this.tx = seededRandom(seed ^ STREAM.tx);
    this.drop = seededRandom(seed ^ STREAM.drop);
    this.noise = seededRandom(seed ^ STREAM.noise);
  }

  /** Host bytes the device has received so far (counted before corruption). */
  get hostBytesReceived(): number {
    return this.hostBytes;
  }

  /** Flip bits according to the rate of direction `dir` (a copy when anything changed). */
  corrupt(bytes: Uint8Array, dir: 'rx' | 'tx' = 'rx'): Uint8Array {
    const c = this.config;
    const rate = (dir === 'rx' ? c.corruptRxRate : c.corruptTxRate) ?? c.corruptRate ?? 0;
    if (rate <= 0) return bytes;
    const random = dir === 'rx' ? this.rx : this.tx;
    let out = bytes;
    for (let i = 0; i < bytes.length; i++) {
      if (random() < rate) {
        if (out === bytes) out = bytes.slice();
        out[i] = out[i]! ^ (1 << Math.floor(random() * 8));
        this.stats.bytesCorrupted++;
      }
    }
    return out;
  }

  /** Whether to lose this reply frame. */
  dropReply(): boolean {
    const rate = this.config.dropRate ?? 0;
    if (rate > 0 && this.drop() < rate) {
      this.stats.framesDropped++;
      return true;
    }
    return false;
  }

  /** Count `length` incoming host bytes; returns the byte-triggered fault that fires inside them, if any. */
  takeHostBytes(length: number): ByteTrigger | null {
    const before = this.hostBytes;
    this.hostBytes += length;
    const d = this.config.disconnect;
    const r = this.config.resetToRom;
    const hits: ByteTrigger[] = [];
    if (d?.atByte !== undefined && !this.disconnectUsed && d.atByte < this.hostBytes) {
      hits.push({ kind: 'disconnect', keep: Math.max(0, d.atByte - before) });
    }
    if (r?.atByte !== undefined && !this.resetUsed && r.atByte < this.hostBytes) {
      hits.push({ kind: 'reset', keep: Math.max(0, r.atByte - before) });
    }
    if (hits.length === 0) return null;
    const first = hits.reduce((a, b) => (b.keep < a.keep ? b : a));
    this.hostBytes = before + first.keep;
    this.markUsed(first.kind);
    return first;
  }

  /** The block-triggered fault (disconnect or reset) for DATA block `seq`, if one fires now. */
  blockTrigger(seq: number): 'disconnect' | 'reset' | null {
    if (this.config.disconnect?.atBlock === seq && !this.disconnectUsed) {
      this.markUsed('disconnect');
      return 'disconnect';
    }
    if (this.config.resetToRom?.atBlock === seq && !this.resetUsed) {
      this.markUsed('reset');
      return 'reset';
    }
    return null;
  }

  /** Whether the flash data block `seq` must fail (see {@link statusForLoader} for the code). */
  failBlock(seq: number): boolean {
    const f = this.config.statusErrorOnBlock;
    if (!f || f.seq !== seq || (this.blockFaultUsed && !f.repeat)) return false;
    this.blockFaultUsed = true;
    this.stats.blockErrors++;
    return true;
  }

  /** Extra delay before the reply to `op`: `stallMs` plus any matching stall fault. */
  stallFor(op: number): number {
    let ms = this.config.stallMs ?? 0;
    for (const [i, s] of (this.config.stallReplies ?? []).entries()) {
      if (s.op !== op || (this.stallsUsed.has(i) && !s.repeat)) continue;
      this.stallsUsed.add(i);
      this.stats.stalls++;
      ms += s.ms;
    }
    return ms;
  }

  /** Boot noise for one reset: seeded bytes, each printable ASCII or arbitrary binary with equal odds. */
  bootNoise(): Uint8Array {
    const n = this.config.bootNoise ?? 0;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.noise() < 0.5 ? 0x20 + Math.floor(this.noise() * 95) : Math.floor(this.noise() * 256);
    }
    return out;
  }

  /** Stall (`stallMs`) configured for every reply, for reports. */
  get stallMs(): number {
    return this.config.stallMs ?? 0;
  }

  private markUsed(kind: 'disconnect' | 'reset'): void {
    if (kind === 'disconnect') {
      this.disconnectUsed = true;
      this.stats.disconnects++;
    } else {
      this.resetUsed = true;
      this.stats.resets++;
    }
  }
}
