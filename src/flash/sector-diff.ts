// Pure sector diff for fast reflash: which 4 KiB flash sectors differ between the bytes a region last
// held and the bytes it must hold now, merged into write runs by a documented time-cost model.
//
// Cost model (milliseconds, one write run = one writeRegion call):
//   run      = overhead + transfer + md5
//   overhead = 2 round trips (FLASH_(DEFL_)BEGIN, FLASH_(DEFL_)END) × (roundTripMs + ~40 framed bytes)
//   md5      = the run's SPI_FLASH_MD5 (writeRegion verifies every run): one round trip plus
//              md5MsPerMiB × run bytes of device hashing
//   stub:  transfer = max(wire, erase + program)   (the stub ACKs and erases/programs while the next
//                                                  block is on the wire, so the two overlap)
//   ROM:   transfer = wire + erase + program       (FLASH_BEGIN erases first, each block is
//                                                  programmed before the reply)
//   wire     = bytes on the wire (deflated when compressing) × 10 bits / baud × SLIP/packet overhead
//   erase    = the SPI driver's erase plan: 4 KiB sectors up to a 64 KiB boundary, whole 64 KiB blocks
//              while one fits, sectors for the tail (so merging can turn 16 sector erases into one block)
//   program  = 256-byte pages × pageProgramMs
// A partial write also pays one whole-region MD5 (`verifyMs`); a full write is one run over it all.
// Maximal runs of changed sectors are always written as one run (merging contiguous work never costs
// more); gaps of unchanged sectors between them are bridged only where the model says one larger
// write is cheaper than two (dynamic programming over the changed segments).

import { deflate } from 'pako';

/** Flash sector (erase unit) size. */
export const SECTOR = 0x1000;
const BLOCK = 0x10000;
const PAGE = 0x100;
/** Bytes of one command frame plus its reply, SLIP-framed (header, 16–20 data bytes, status). */
const COMMAND_FRAME_BYTES = 40;
/** SLIP escaping and the 16-byte data-block header, as a factor on the payload's wire bytes. */
const FRAMING_FACTOR = 1.01;
/** Round trips per run that do not depend on its size: BEGIN, END and the run's MD5. */
const ROUND_TRIPS_PER_RUN = 3;
/** Unchanged sectors bridged at most (beyond this no erase saving can pay for the gap). */
const MAX_GAP_SECTORS = 32;

/**
 * The figures the merge decision uses. Flash times are the typical Winbond W25Q32JV datasheet values
 * (page program 0.7 ms, 4 KiB sector erase 45 ms, 64 KiB block erase 150 ms).
 */
export interface WriteCostModel {
  /** Link baud rate (bits per second, 10 bits per byte on the wire). */
  baud: number;
  /** Writing through the flasher stub (pipelined) rather than the ROM loader. */
  stub: boolean;
  /** FLASH_DEFL_* (deflated) rather than FLASH_* (raw) writes. */
  compress: boolean;
  /** Host + USB-serial turnaround per command (default 2 ms; FTDI with its default latency timer ~16). */
  roundTripMs: number;
  /** Device time to MD5 one MiB of flash (the stub's SPI_FLASH_MD5; default 200). */
  md5MsPerMiB: number;
  pageProgramMs: number;
  sectorEraseMs: number;
  blockEraseMs: number;
  /** Wire bytes of `bytes` when compressing (default: zlib level 1 size, a close, fast estimate; never more than raw). */
  compressedSize?: (bytes: Uint8Array) => number;
}

/** Default cost model for a link: stub + deflate unless told otherwise. */
export function defaultCostModel(options: Partial<WriteCostModel> & { baud: number }): WriteCostModel {
  const stub = options.stub ?? true;
  return {
    stub,
    compress: options.compress ?? stub,
    roundTripMs: 2,
    md5MsPerMiB: 200,
    pageProgramMs: 0.7,
    sectorEraseMs: 45,
    blockEraseMs: 150,
    ...options,
  };
}

/** One write: `length` bytes at `start`, both relative to the region (start is sector aligned). */
export interface WriteRun {
  start: number;
  length: number;
  /** Sectors this run erases and programs (including unchanged ones it bridges). */
  sectors: number;
  /** Sectors inside the run whose bytes actually changed. */
  changedSectors: number;
}

/** Options for {@link diffSectors}. */
export interface SectorDiffOptions {
  /** Bytes the device holds at `offset` (confirmed by MD5). */
  old: Uint8Array;
  /** Bytes it must hold. */
  next: Uint8Array;
  /** Absolute flash offset of both (4 KiB aligned), for the 64 KiB erase-block arithmetic. */
  offset: number;
  model: WriteCostModel;
}

/** What to write. */
export interface SectorDiff {
  runs: WriteRun[];
  /** Sectors of `next` that differ from `old` (or lie beyond its end). */
  changedSectors: number;
  /** Sectors written in total (changed plus bridged). */
  sectorsWritten: number;
  /** Bytes written in total. */
  bytesWritten: number;
  /** Modelled time of the runs, and of rewriting the whole of `next` as one run. */
  estimatedMs: number;
  fullWriteMs: number;
  /** Modelled time of the whole-region MD5 a partial write needs on top of its runs. */
  verifyMs: number;
}

/** Whether sector `k` of `next` differs from `old` (bytes past `old`'s end always count as changed). */
function sectorChanged(old: Uint8Array, next: Uint8Array, k: number): boolean {
  const start = k * SECTOR;
  const end = Math.min(start + SECTOR, next.length);
  if (end > old.length) return true;
  for (let i = start; i < end; i++) if (old[i] !== next[i]) return true;
  return false;
}

/** Erase time of the absolute byte range `[start, end)` (sector aligned), as the driver plans it. */
export function eraseMs(model: WriteCostModel, start: number, end: number): number {
  let ms = 0;
  let at = start;
  while (at < end) {
    if (at % BLOCK === 0 && end - at >= BLOCK) {
      const blocks = Math.floor((end - at) / BLOCK);
      ms += blocks * model.blockEraseMs;
      at += blocks * BLOCK;
    } else {
      ms += model.sectorEraseMs;
      at += SECTOR;
    }
  }
  return ms;
}

/** Wire milliseconds of `bytes` payload bytes at the model's baud. */
function wireMs(model: WriteCostModel, bytes: number): number {
  return (bytes * FRAMING_FACTOR * 10 * 1000) / model.baud;
}

/** Modelled time of one SPI_FLASH_MD5 over `bytes` bytes (round trip plus device hashing). */
export function md5Ms(model: WriteCostModel, bytes: number): number {
  return model.roundTripMs + wireMs(model, COMMAND_FRAME_BYTES) + (model.md5MsPerMiB * bytes) / (1024 * 1024);
}

/** Modelled time of one run given its absolute range, payload size and wire bytes. */
export function runCostMs(
  model: WriteCostModel,
  run: { absStart: number; length: number; wireBytes: number },
): number {
  // BEGIN and END here; the run's MD5 round trip is part of md5Ms.
  const overhead = (ROUND_TRIPS_PER_RUN - 1) * (model.roundTripMs + wireMs(model, COMMAND_FRAME_BYTES));
  const wire = wireMs(model, run.wireBytes);
  const erase = eraseMs(model, run.absStart, run.absStart + Math.ceil(run.length / SECTOR) * SECTOR);
  const program = Math.ceil(run.length / PAGE) * model.pageProgramMs;
  const md5 = md5Ms(model, run.length);
  const transfer = model.stub ? Math.max(wire, erase + program) : wire + erase + program;
  return overhead + transfer + md5;
}

interface Span {
  /** First and one-past-last sector. */
  from: number;
  to: number;
  wireBytes: number;
}

/**
 * The changed 4 KiB sectors of `next` relative to `old`, merged into write runs by the cost model.
 * Identical input gives no runs; a shrunk `next` writes nothing past its own end.
 */
export function diffSectors(options: SectorDiffOptions): SectorDiff {
  const { old, next, offset, model } = options;
  if (offset % SECTOR !== 0) throw new RangeError(`diffSectors: offset ${offset} is not 4 KiB aligned`);
  const sizeOf = (bytes: Uint8Array): number => {
    if (!model.compress) return bytes.length;
    // writeRegion sends data that does not shrink uncompressed.
    const packed = model.compressedSize ? model.compressedSize(bytes) : deflate(bytes, { level: 1 }).length;
    return Math.min(bytes.length, packed);
  };
  const bytesOf = (from: number, to: number) =>
    next.subarray(from * SECTOR, Math.min(to * SECTOR, next.length));
  const sectors = Math.ceil(next.length / SECTOR);

  // Maximal segments of changed sectors.
  const segments: Span[] = [];
  let changedSectors = 0;
  for (let k = 0; k < sectors; k++) {
    if (!sectorChanged(old, next, k)) continue;
    changedSectors++;
    const last = segments.at(-1);
    if (last && last.to === k) last.to = k + 1;
    else segments.push({ from: k, to: k + 1, wireBytes: 0 });
  }
  for (const s of segments) s.wireBytes = sizeOf(bytesOf(s.from, s.to));
  // Wire bytes of the gap before segment i (only gaps short enough to bridge).
  const gapWire = segments.map((s, i) => {
    const prev = segments[i - 1];
    if (!prev || s.from - prev.to > MAX_GAP_SECTORS) return Number.POSITIVE_INFINITY;
    return sizeOf(bytesOf(prev.to, s.from));
  });

  const cost = (i: number, j: number, wire: number): number => {
    const from = segments[i]!.from;
    const to = segments[j]!.to;
    const length = Math.min(to * SECTOR, next.length) - from * SECTOR;
    return runCostMs(model, { absStart: offset + from * SECTOR, length, wireBytes: wire });
  };

  // best[j]: cheapest cover of segments[0..j); choice[j]: where its last run starts.
  const best: number[] = [0];
  const choice: number[] = [0];
  for (let j = 0; j < segments.length; j++) {
    let wire = segments[j]!.wireBytes;
    let bestCost = best[j]! + cost(j, j, wire);
    let bestFrom = j;
    for (let i = j - 1; i >= 0; i--) {
      const gap = gapWire[i + 1]!;
      if (!Number.isFinite(gap)) break;
      wire += gap + segments[i]!.wireBytes;
      const c = best[i]! + cost(i, j, wire);
      if (c < bestCost) {
        bestCost = c;
        bestFrom = i;
      }
    }
    best.push(bestCost);
    choice.push(bestFrom);
  }

  const runs: WriteRun[] = [];
  for (let j = segments.length; j > 0; j = choice[j]!) {
    const i = choice[j]!;
    const from = segments[i]!.from;
    const to = segments[j - 1]!.to;
    let changed = 0;
    for (let k = i; k < j; k++) changed += segments[k]!.to - segments[k]!.from;
    runs.unshift({
      start: from * SECTOR,
      length: Math.min(to * SECTOR, next.length) - from * SECTOR,
      sectors: to - from,
      changedSectors: changed,
    });
  }
  const fullWriteMs =
    next.length === 0
      ? 0
      : runCostMs(model, { absStart: offset, length: next.length, wireBytes: sizeOf(next) });
  return {
    runs,
    changedSectors,
    sectorsWritten: runs.reduce((n, r) => n + r.sectors, 0),
    bytesWritten: runs.reduce((n, r) => n + r.length, 0),
    estimatedMs: best[segments.length]!,
    fullWriteMs,
    verifyMs: md5Ms(model, next.length),
  };
}
