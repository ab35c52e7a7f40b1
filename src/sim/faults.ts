// Fault injection for the virtual ESP32: seeded byte corruption and frame drops on the wire, reply
// stalls, and a failing status on a chosen flash data block. Deterministic for a given seed.

/** Faults to inject. Every field is optional; the default is a perfect device. */
export interface SimFaults {
  /** PRNG seed (default 1). The same seed and traffic give the same faults. */
  seed?: number;
  /** Probability (0..1) that a wire byte (either direction) has one bit flipped. */
  corruptRate?: number;
  /** Probability (0..1) that a reply frame from the device is lost entirely. */
  dropRate?: number;
  /** Extra milliseconds before every reply (a slow or stalled device). */
  stallMs?: number;
  /**
   * Fail the flash DATA block with this sequence number (first write session only unless
   * `repeat`): the ROM answers with a flash-write error, the stub reports 0xC4 deferred.
   */
  statusErrorOnBlock?: { seq: number; repeat?: boolean };
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

/** Applies {@link SimFaults}; one per device. */
export class FaultInjector {
  readonly config: SimFaults;
  private readonly random: () => number;
  private blockFaultUsed = false;
  /** Counters, for tests. */
  readonly stats = { bytesCorrupted: 0, framesDropped: 0, blockErrors: 0 };

  constructor(config: SimFaults = {}) {
    this.config = config;
    this.random = seededRandom(config.seed ?? 1);
  }

  /** Flip bits in place according to `corruptRate`. */
  corrupt(bytes: Uint8Array): Uint8Array {
    const rate = this.config.corruptRate ?? 0;
    if (rate <= 0) return bytes;
    let out = bytes;
    for (let i = 0; i < bytes.length; i++) {
      if (this.random() < rate) {
        if (out === bytes) out = bytes.slice();
        out[i] = out[i]! ^ (1 << Math.floor(this.random() * 8));
        this.stats.bytesCorrupted++;
      }
    }
    return out;
  }

  /** Whether to lose this reply frame. */
  dropReply(): boolean {
    const rate = this.config.dropRate ?? 0;
    if (rate > 0 && this.random() < rate) {
      this.stats.framesDropped++;
      return true;
    }
    return false;
  }

  /** Whether the flash data block `seq` must fail. */
  failBlock(seq: number): boolean {
    const f = this.config.statusErrorOnBlock;
    if (!f || f.seq !== seq || (this.blockFaultUsed && !f.repeat)) return false;
    this.blockFaultUsed = true;
    this.stats.blockErrors++;
    return true;
  }

  get stallMs(): number {
    return this.config.stallMs ?? 0;
  }
}
