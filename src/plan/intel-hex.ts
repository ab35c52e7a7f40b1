// Intel HEX encoding of sparse flash contents (`espflash merge-bin --format hex`): data records
// (type 00) of 16 or 32 bytes, extended linear address records (type 04) for the upper 16 address
// bits, one end-of-file record (type 01); every record ends with its two's-complement checksum.

import { UsageError } from '../errors.js';

/** Bytes at an absolute address. */
export interface HexSegment {
  address: number;
  bytes: Uint8Array;
}

/** Options for {@link encodeIntelHex}. */
export interface IntelHexOptions {
  /** Data bytes per record (default 16; at most 255). */
  recordBytes?: number;
  /** Line ending (default `\n`). */
  eol?: string;
}

/** Record types used here. */
export const HEX_RECORD = { data: 0x00, eof: 0x01, extendedLinearAddress: 0x04 } as const;

/** Largest address + 1 a HEX file with 32-bit linear addresses can describe. */
const ADDRESS_LIMIT = 2 ** 32;

const HEX_DIGITS = '0123456789ABCDEF';

/** One record line without the line ending: `:LLAAAATT<data>CC`, upper-case hex. */
export function hexRecord(type: number, address16: number, data: Uint8Array): string {
  let sum = data.length + (address16 >> 8) + (address16 & 0xff) + type;
  let text = `:${byteHex(data.length)}${byteHex(address16 >> 8)}${byteHex(address16 & 0xff)}${byteHex(type)}`;
  for (const b of data) {
    sum += b;
    text += byteHex(b);
  }
  return text + byteHex(-sum & 0xff);
}

function byteHex(b: number): string {
  return HEX_DIGITS[(b >> 4) & 0xf]! + HEX_DIGITS[b & 0xf]!;
}

/**
 * Encode `segments` (in any order, touching segments join, overlaps refused) as Intel HEX text.
 * A record never crosses a gap or a 64 KiB boundary. When any byte lies at or above 64 KiB, an
 * extended linear address record precedes the first data record and each change of the upper
 * 16 address bits; below 64 KiB none is written.
 */
export function encodeIntelHex(segments: HexSegment[], options: IntelHexOptions = {}): string {
  const recordBytes = options.recordBytes ?? 16;
  if (!Number.isInteger(recordBytes) || recordBytes < 1 || recordBytes > 255) {
    throw new UsageError(
      'merge/bad-hex-record-size',
      `${recordBytes} data bytes per HEX record is not possible`,
      {
        hint: 'Pass --hex-record-bytes 16 or 32.',
        details: { recordBytes },
      },
    );
  }
  const eol = options.eol ?? '\n';
  const sorted = segments.filter((s) => s.bytes.length > 0).sort((a, b) => a.address - b.address);
  const end = sorted.reduce((max, s) => Math.max(max, s.address + s.bytes.length), 0);
  if (end > ADDRESS_LIMIT) {
    throw new UsageError('merge/hex-address-range', 'Intel HEX addresses end at 4 GiB', {
      hint: 'Check the region offsets in the plan (espflash plan).',
      details: { end },
    });
  }
  const needsUpper = end > 0x10000;
  const lines: string[] = [];
  let upper = -1;
  for (const run of runs(sorted)) {
    let at = 0;
    while (at < run.bytes.length) {
      const address = run.address + at;
      const high = Math.floor(address / 0x10000);
      if (needsUpper && high !== upper) {
        lines.push(hexRecord(HEX_RECORD.extendedLinearAddress, 0, new Uint8Array([high >> 8, high & 0xff])));
        upper = high;
      }
      const low = address % 0x10000;
      const count = Math.min(recordBytes, 0x10000 - low, run.bytes.length - at);
      lines.push(hexRecord(HEX_RECORD.data, low, run.bytes.subarray(at, at + count)));
      at += count;
    }
  }
  lines.push(hexRecord(HEX_RECORD.eof, 0, new Uint8Array(0)));
  return lines.join(eol) + eol;
}

/** Join sorted touching segments into one run each (records flow across them); overlaps are refused. */
function runs(sorted: HexSegment[]): HexSegment[] {
  const groups: HexSegment[][] = [];
  let previousEnd = -1;
  for (const segment of sorted) {
    if (segment.address < previousEnd) {
      throw new UsageError('merge/overlap', `HEX segments overlap at 0x${segment.address.toString(16)}`, {
        hint: 'Pass regions that do not overlap (see espflash plan).',
        details: { address: segment.address },
      });
    }
    if (segment.address === previousEnd) groups[groups.length - 1]!.push(segment);
    else groups.push([segment]);
    previousEnd = segment.address + segment.bytes.length;
  }
  return groups.map((group) => {
    if (group.length === 1) return group[0]!;
    const bytes = new Uint8Array(group.reduce((n, s) => n + s.bytes.length, 0));
    let at = 0;
    for (const s of group) {
      bytes.set(s.bytes, at);
      at += s.bytes.length;
    }
    return { address: group[0]!.address, bytes };
  });
}
