// The virtual SPI NOR flash: erased bytes are 0xFF, erase works on 4 KiB sectors / 64 KiB blocks /
// the whole chip, and programming can only clear bits (AND), so writing over unerased data corrupts
// it exactly as on a real part. Addresses wrap at the chip size like a real 24-bit NOR device.

/** Erase and program geometry of the simulated part. */
export const SECTOR_SIZE = 0x1000;
export const BLOCK_SIZE = 0x10000;
export const PAGE_SIZE = 0x100;

/** Operation counters, for tests and benchmarks. */
export interface NorFlashCounters {
  sectorsErased: number;
  blocksErased: number;
  chipErases: number;
  /** Bytes passed to `program` (including 0xFF bytes). */
  bytesProgrammed: number;
  /** Number of `program` calls (page-program sequences). */
  writeOps: number;
  bytesRead: number;
}

/** Result of programming: whether the flash now holds exactly the requested bytes. */
export interface ProgramResult {
  /** False when some requested 1-bit landed on a 0-bit (data written over unerased flash). */
  verified: boolean;
  /** Pages touched, for the timing model. */
  pages: number;
}

/**
 * A NOR flash array. All offsets are taken modulo the size (a power of two), as a real part ignores
 * the address bits above its capacity.
 */
export class NorFlash {
  readonly size: number;
  private readonly data: Uint8Array;
  private readonly stats: NorFlashCounters = {
    sectorsErased: 0,
    blocksErased: 0,
    chipErases: 0,
    bytesProgrammed: 0,
    writeOps: 0,
    bytesRead: 0,
  };
  private listeners: Array<() => void> = [];
  /** Sector numbers whose cells cannot be programmed (bit 0 cannot be cleared). */
  private readonly badSectors: ReadonlySet<number>;

  /**
   * `size` must be a power of two of at least 64 KiB. `initial` (optional) is copied in. `badSectors`
   * (addresses anywhere inside 4 KiB sectors) model worn cells: programming there cannot clear bit 0.
   */
  constructor(options: { size: number; initial?: Uint8Array; badSectors?: readonly number[] }) {
    const { size } = options;
    if (size < BLOCK_SIZE || (size & (size - 1)) !== 0) {
      throw new RangeError(`flash size ${size} is not a power of two >= 64 KiB`);
    }
    this.size = size;
    this.data = new Uint8Array(size).fill(0xff);
    if (options.initial) this.data.set(options.initial.subarray(0, size));
    this.badSectors = new Set((options.badSectors ?? []).map((a) => this.wrap(a) >>> 12));
  }

  /** A snapshot of the counters. */
  get counters(): NorFlashCounters {
    return { ...this.stats };
  }

  /** Call `listener` after every change (used for flash-file persistence). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Copy of `length` bytes at `offset` (wrapping). */
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const start = this.wrap(offset);
    if (start + length <= this.size) out.set(this.data.subarray(start, start + length));
    else for (let i = 0; i < length; i++) out[i] = this.data[this.wrap(start + i)]!;
    this.stats.bytesRead += length;
    return out;
  }

  /** `length` bytes at `offset` without copying them where they do not wrap (a view; do not modify). */
  view(offset: number, length: number): Uint8Array {
    const start = this.wrap(offset);
    if (start + length > this.size) return this.read(offset, length);
    this.stats.bytesRead += length;
    return this.data.subarray(start, start + length);
  }

  /** The whole array (a view; do not modify). */
  contents(): Uint8Array {
    return this.data;
  }

  /** Erase the 4 KiB sector containing `offset`. */
  eraseSector(offset: number): void {
    const start = this.wrap(offset) & ~(SECTOR_SIZE - 1);
    this.data.fill(0xff, start, start + SECTOR_SIZE);
    this.stats.sectorsErased++;
    this.changed();
  }

  /** Erase the 64 KiB block containing `offset`. */
  eraseBlock(offset: number): void {
    const start = this.wrap(offset) & ~(BLOCK_SIZE - 1);
    this.data.fill(0xff, start, start + BLOCK_SIZE);
    this.stats.blocksErased++;
    this.changed();
  }

  /** Erase everything. */
  eraseChip(): void {
    this.data.fill(0xff);
    this.stats.chipErases++;
    this.changed();
  }

  /** Page-program `bytes` at `offset`: each byte becomes `old & new`. */
  program(offset: number, bytes: Uint8Array): ProgramResult {
    let verified = true;
    const start = this.wrap(offset);
    for (let i = 0; i < bytes.length; i++) {
      const at = start + i < this.size ? start + i : this.wrap(start + i);
      const want = bytes[i]!;
      const old = this.data[at]!;
      const now = (old & want) | (this.badSectors.size && this.badSectors.has(at >>> 12) ? old & 1 : 0);
      this.data[at] = now;
      if (now !== want) verified = false;
    }
    this.stats.bytesProgrammed += bytes.length;
    this.stats.writeOps++;
    if (bytes.length) this.changed();
    return { verified, pages: pagesTouched(offset, bytes.length) };
  }

  private wrap(offset: number): number {
    return (offset >>> 0) & (this.size - 1);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/** Number of 256-byte program pages a write of `length` bytes at `offset` touches. */
export function pagesTouched(offset: number, length: number): number {
  if (length <= 0) return 0;
  const first = Math.floor(offset / PAGE_SIZE);
  const last = Math.floor((offset + length - 1) / PAGE_SIZE);
  return last - first + 1;
}

/** One erase operation the flash controller issues. */
export interface EraseStep {
  kind: 'sector' | 'block';
  offset: number;
}

/**
 * How an SPI flash driver erases `[start, end)` (both 4 KiB aligned): 4 KiB sectors up to the next
 * 64 KiB boundary, 64 KiB blocks while a whole block remains, then sectors for the tail.
 */
export function planErase(start: number, end: number): EraseStep[] {
  const steps: EraseStep[] = [];
  let at = start;
  while (at < end) {
    if (at % BLOCK_SIZE === 0 && end - at >= BLOCK_SIZE) {
      steps.push({ kind: 'block', offset: at });
      at += BLOCK_SIZE;
    } else {
      steps.push({ kind: 'sector', offset: at });
      at += SECTOR_SIZE;
    }
  }
  return steps;
}

/** Round `value` up to a multiple of `unit`. */
export function alignUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

/** Round `value` down to a multiple of `unit`. */
export function alignDown(value: number, unit: number): number {
  return Math.floor(value / unit) * unit;
}
