// Find how much of a region the device already holds correctly: one MD5 over a range, and when it
// differs, MD5 per chunk and then per 4 KiB sector to locate the first sector that does not verify.

import { flashMd5 } from '../ops/md5-region.js';
import { type HashFn, md5Hex } from '../protocol/md5.js';
import type { Loader } from '../session/loader.js';
import { FLASH_SECTOR_SIZE } from './flash-begin.js';

/** Chunk size of the coarse scan (4 sectors). */
export const SCAN_CHUNK = 0x4000;

/** Options for {@link firstMismatch}. */
export interface FirstMismatchOptions {
  /** Absolute address of the region's first byte. */
  offset: number;
  /** The bytes the region must hold. */
  data: Uint8Array;
  /** Range to check, relative to `offset`: `[from, to)`. `from` is known good. */
  from: number;
  to: number;
  hash?: HashFn | undefined;
}

/** The relative offset of the next absolute 4 KiB boundary at or after `rel` (0 stays 0). */
export function sectorCeil(offset: number, rel: number): number {
  if (rel <= 0) return 0;
  const abs = Math.ceil((offset + rel) / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE;
  return abs - offset;
}

/** The relative offset of the absolute 4 KiB boundary at or before `rel` (never below 0). */
export function sectorFloor(offset: number, rel: number): number {
  const abs = Math.floor((offset + rel) / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE;
  return Math.max(0, abs - offset);
}

/** Whether the device's MD5 of `[from, to)` matches the target bytes. */
export async function rangeMatches(loader: Loader, o: FirstMismatchOptions): Promise<boolean> {
  if (o.to <= o.from) return true;
  const want = md5Hex(o.data.subarray(o.from, o.to), o.hash);
  const got = await flashMd5(loader, { offset: o.offset + o.from, size: o.to - o.from });
  return got === want;
}

/**
 * The first sector boundary in `[from, to)` (relative, absolute-sector aligned) from which the
 * device's bytes differ from `data`, or `to` when the whole range verifies. Costs one MD5 when the
 * range is good, else one per {@link SCAN_CHUNK} up to the bad chunk plus one per sector inside it.
 */
export async function firstMismatch(loader: Loader, o: FirstMismatchOptions): Promise<number> {
  if (await rangeMatches(loader, o)) return o.to;
  let lo = o.from;
  while (lo < o.to) {
    const hi = Math.min(o.to, Math.max(sectorCeil(o.offset, lo + SCAN_CHUNK), lo + 1));
    if (!(await rangeMatches(loader, { ...o, from: lo, to: hi }))) {
      for (let s = lo; s < hi; ) {
        const e = Math.min(hi, Math.max(sectorCeil(o.offset, s + FLASH_SECTOR_SIZE), s + 1));
        if (!(await rangeMatches(loader, { ...o, from: s, to: e }))) return sectorFloor(o.offset, s);
        s = e;
      }
      // Every sector matched on its own: the earlier reply was damaged. Resume after the chunk.
      return sectorFloor(o.offset, lo);
    }
    lo = hi;
  }
  // The range verified chunk by chunk: the first MD5 reply was damaged in transit.
  return o.to;
}
