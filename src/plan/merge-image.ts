// One image of a whole flash plan (`espflash merge-bin`): the regions' bytes at their offsets in a
// single raw file (gaps 0xFF, optionally filled to the flash size, optionally starting at a target
// offset) or as Intel HEX. Pure: the caller reads the files and patches the bootloader header.

import { hex } from '../core/protocol/bytes.js';
import { UsageError } from '../errors.js';
import { encodeIntelHex } from './intel-hex.js';

/** One region's final bytes (already patched) at its flash offset. */
export interface MergeRegion {
  offset: number;
  bytes: Uint8Array;
  /** For messages: partition label, role or file name. */
  label: string;
}

/** Options for {@link mergeLayout} and {@link mergeRaw}. */
export interface MergeRawOptions {
  regions: MergeRegion[];
  /** Flash offset the output's first byte lands at (default 0); no region may start below it. */
  targetOffset?: number;
  /** Pad the output with 0xFF up to this flash size in bytes (the file then ends at this offset). */
  fillSize?: number;
}

/** Where the output lies on flash. */
export interface MergeLayout {
  /** Regions sorted by offset. */
  regions: MergeRegion[];
  /** Flash offset of the output's first byte. */
  start: number;
  /** Flash offset just after the output's last byte (fill included). */
  end: number;
}

/** The value bytes of an erased NOR flash, used for every gap. */
export const ERASED = 0xff;

/**
 * Check the regions can share one image and say where it lies. Throws (UsageError)
 * `merge/no-regions`, `merge/overlap`, `merge/below-target-offset`, `merge/exceeds-fill-size`.
 */
export function mergeLayout(options: MergeRawOptions): MergeLayout {
  const start = options.targetOffset ?? 0;
  const regions = [...options.regions].sort((a, b) => a.offset - b.offset);
  if (regions.length === 0) {
    throw new UsageError('merge/no-regions', 'the plan has no regions to merge', {
      hint: 'Check --only/--to: they selected nothing (espflash plan shows the regions).',
    });
  }
  const first = regions[0]!;
  if (first.offset < start) {
    throw new UsageError(
      'merge/below-target-offset',
      `${first.label} starts at ${hex(first.offset)}, below --target-offset ${hex(start)}`,
      {
        hint: `Pass --target-offset ${hex(first.offset)} or lower, or leave ${first.label} out with --only.`,
        details: { label: first.label, offset: first.offset, targetOffset: start },
      },
    );
  }
  let end = start;
  let last: MergeRegion | null = null;
  for (const r of regions) {
    if (last && r.offset < last.offset + last.bytes.length) {
      throw new UsageError(
        'merge/overlap',
        `${r.label} at ${hex(r.offset)} overlaps ${last.label} (${hex(last.offset)}..${hex(last.offset + last.bytes.length)})`,
        {
          hint: 'Fix the offsets in the partition table or build/flasher_args.json, or pick regions with --only.',
          details: { offset: r.offset, label: r.label, overlaps: last.label },
        },
      );
    }
    end = Math.max(end, r.offset + r.bytes.length);
    last = r;
  }
  if (options.fillSize !== undefined) {
    if (end > options.fillSize) {
      const over = regions.find((r) => r.offset + r.bytes.length > options.fillSize!)!;
      throw new UsageError(
        'merge/exceeds-fill-size',
        `${over.label} ends at ${hex(over.offset + over.bytes.length)}, beyond the ${hex(options.fillSize)}-byte flash of --fill-flash-size`,
        {
          hint: 'Pass a larger --fill-flash-size (the board’s flash size), or use a partition table that fits.',
          details: { label: over.label, end: over.offset + over.bytes.length, fillSize: options.fillSize },
        },
      );
    }
    end = options.fillSize;
  }
  return { regions, start, end };
}

/** The raw image: `layout.end - layout.start` bytes, each region at `offset - start`, gaps 0xFF. */
export function mergeRaw(options: MergeRawOptions): Uint8Array {
  const layout = mergeLayout(options);
  const out = new Uint8Array(layout.end - layout.start).fill(ERASED);
  for (const r of layout.regions) out.set(r.bytes, r.offset - layout.start);
  return out;
}

/** Intel HEX of the regions at their absolute flash offsets (gaps are left out, not filled). */
export function mergeHex(regions: MergeRegion[], options: { recordBytes?: number } = {}): string {
  const layout = mergeLayout({ regions });
  return encodeIntelHex(
    layout.regions.map((r) => ({ address: r.offset, bytes: r.bytes })),
    options.recordBytes === undefined ? {} : { recordBytes: options.recordBytes },
  );
}
