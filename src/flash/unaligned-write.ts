// Writes that do not start or end on a 4 KiB sector boundary: flash is erased a sector at a time, so
// the bytes around the data in its first and last sector must be read back and merged, or the write
// refused where the loader cannot read them (ESP8266 ROM, Secure Download Mode).

import { hex } from '../core/protocol/bytes.js';
import { UsageError } from '../errors.js';

/** Flash erase unit: writes rewrite whole sectors. */
export const FLASH_SECTOR = 0x1000;

/** A byte range on flash. */
export interface FlashRange {
  offset: number;
  size: number;
}

/** The 4 KiB-aligned range covering `size` bytes at `offset`. */
export function sectorSpan(offset: number, size: number): FlashRange {
  const start = Math.floor(offset / FLASH_SECTOR) * FLASH_SECTOR;
  const end = Math.ceil((offset + size) / FLASH_SECTOR) * FLASH_SECTOR;
  return { offset: start, size: end - start };
}

/** What a merge needs from the device. */
export interface MergeSource {
  /** Whether the loader can read flash back (the stub, or a ROM with READ_FLASH_SLOW, outside SDM). */
  canRead: boolean;
  secureDownloadMode: boolean;
  /** Read one sector at an aligned address. */
  readSector(at: number): Promise<Uint8Array>;
}

/**
 * The sector-aligned span of `data` at `offset` with the old bytes around it read back (the partial
 * first and last sectors, once when they are the same one). Throws `flash/unaligned-write` naming
 * the ranges that would be erased when the device cannot read them.
 */
export async function mergeIntoSectors(options: {
  offset: number;
  data: Uint8Array;
  source: MergeSource;
}): Promise<{ span: FlashRange; bytes: Uint8Array }> {
  const { offset, data, source } = options;
  const span = sectorSpan(offset, data.length);
  const end = offset + data.length;
  const spanEnd = span.offset + span.size;
  if (span.offset === offset && spanEnd === end) return { span, bytes: data };
  const kept = [
    ...(offset > span.offset ? [{ offset: span.offset, size: offset - span.offset }] : []),
    ...(end < spanEnd ? [{ offset: end, size: spanEnd - end }] : []),
  ];
  if (!source.canRead) {
    const ranges = kept.map((k) => `${hex(k.offset)}..${hex(k.offset + k.size)}`).join(' and ');
    throw new UsageError(
      'flash/unaligned-write',
      `writing ${data.length} bytes at ${hex(offset)} rewrites the whole 4 KiB sectors ${hex(span.offset)}..${hex(spanEnd)}, which would erase ${ranges}, and this loader cannot read them back to keep them`,
      {
        hint: source.secureDownloadMode
          ? 'Pass an <offset> that is a multiple of 0x1000 and a file whose size is a multiple of 4 KiB (pad it with 0xFF).'
          : 'Drop --no-stub (the stub reads the neighbouring bytes back), or pass an <offset> and file size that are multiples of 4 KiB.',
        details: { offset, size: data.length, span, erased: kept },
      },
    );
  }
  const bytes = new Uint8Array(span.size);
  const reads = new Set<number>();
  if (offset > span.offset) reads.add(span.offset);
  if (end < spanEnd) reads.add(spanEnd - FLASH_SECTOR);
  for (const at of reads) bytes.set(await source.readSector(at), at - span.offset);
  bytes.set(data, offset - span.offset);
  return { span, bytes };
}
