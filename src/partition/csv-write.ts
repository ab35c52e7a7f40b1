// PartitionTable -> CSV text in the generator's output format (what `gen_esp32part.py x.bin` prints):
// keywords where known, unknown numbers in decimal, offsets in hex, sizes with K/M when divisible.

import { keywordFor, subtypeKeywords, TYPE_KEYWORDS } from './keywords.js';
import type { ExtraSubtype, Partition, PartitionTable } from './types.js';

/** Options for {@link partitionTableToCsv}. */
export interface PartitionCsvOptions {
  /** Custom subtype keywords to print by name (`--extra-partition-subtypes`). */
  extraSubtypes?: readonly ExtraSubtype[];
}

/** The whole table as CSV: two comment lines, one row per partition, trailing newline. */
export function partitionTableToCsv(table: PartitionTable, options: PartitionCsvOptions = {}): string {
  const rows = ['# ESP-IDF Partition Table', '# Name, Type, SubType, Offset, Size, Flags'];
  for (const p of table.entries) rows.push(partitionRowCsv(p, options));
  return `${rows.join('\n')}\n`;
}

/** One CSV row, e.g. `nvs,data,nvs,0x9000,24K,` or `romfs,data,143,0x200000,1M,encrypted`. */
export function partitionRowCsv(p: Partition, options: PartitionCsvOptions = {}): string {
  return [
    p.name,
    keywordFor(TYPE_KEYWORDS, p.type) ?? String(p.type),
    keywordFor(subtypeKeywords(p.type, options.extraSubtypes), p.subtype) ?? String(p.subtype),
    `0x${p.offset.toString(16)}`,
    formatCsvSize(p.size),
    flagsText(p),
  ].join(',');
}

/** `NNM` when divisible by 1 MiB, `NNK` when divisible by 1 KiB, else lowercase hex (`0 -> 0M`, as the generator does). */
export function formatCsvSize(size: number): string {
  if (size % 0x100000 === 0) return `${size / 0x100000}M`;
  if (size % 0x400 === 0) return `${size / 0x400}K`;
  return `0x${size.toString(16)}`;
}

/** Colon-separated flag names in bit order (`encrypted:readonly`). */
export function flagsText(p: Partition): string {
  const names: string[] = [];
  if (p.flags.encrypted) names.push('encrypted');
  if (p.flags.readonly) names.push('readonly');
  return names.join(':');
}
