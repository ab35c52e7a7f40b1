// A readable, aligned text view of a table for terminals: one row per partition in flash order,
// with free gaps between partitions and the free space left at the end of the flash.

import { flagsText, formatCsvSize } from './csv-write.js';
import { subtypeName, typeName } from './lookup.js';
import { type ExtraSubtype, type PartitionTable, PartitionType, TABLE_SECTOR_SIZE } from './types.js';
import { tableFlashEnd } from './verify.js';

/** Options for {@link renderPartitionTable}. */
export interface RenderPartitionTableOptions {
  /** Flash size in bytes: adds the free space at the end (or how far the table overshoots). */
  flashSize?: number | null;
  /** Table offset: shows the table's own sector and starts gap accounting after it. */
  tableOffset?: number;
  extraSubtypes?: readonly ExtraSubtype[];
}

const HEADER = ['Name', 'Type', 'SubType', 'Offset', 'Size', 'End', 'Flags'];

/** Render the table as aligned columns (name, type, subtype, offset, size, end, flags) plus free gaps. */
export function renderPartitionTable(
  table: PartitionTable,
  options: RenderPartitionTableOptions = {},
): string {
  const extra = options.extraSubtypes ?? [];
  const hasTableRow = table.entries.some((p) => p.type === PartitionType.PARTITION_TABLE && p.subtype === 0);
  const items = table.entries.map((p) => ({
    offset: p.offset,
    size: p.size,
    cells: [
      p.name,
      typeName(p.type),
      subtypeName(p.type, p.subtype, extra),
      hx(p.offset),
      sizeText(p.size),
      hx(p.offset + p.size),
      flagsText(p),
    ],
  }));
  if (options.tableOffset !== undefined && !hasTableRow) {
    items.push(span('(partition table)', options.tableOffset, TABLE_SECTOR_SIZE));
  }
  items.sort((a, b) => a.offset - b.offset);
  const rows: string[][] = [];
  let cursor: number | null = null;
  for (const item of items) {
    if (cursor !== null && item.offset > cursor)
      rows.push(span('(free)', cursor, item.offset - cursor).cells);
    rows.push(item.cells);
    cursor = Math.max(cursor ?? 0, item.offset + item.size);
  }
  const lines = formatColumns([HEADER, ...rows]);
  const end = tableFlashEnd(table);
  const md5 = table.md5 ? 'with MD5' : 'no MD5';
  const summary = [`${table.entries.length} partition${table.entries.length === 1 ? '' : 's'}, ${md5}`];
  if (options.flashSize !== undefined && options.flashSize !== null) {
    const flash = options.flashSize;
    const tail =
      flash >= end
        ? `${sizeText(flash - end)} free at the end`
        : `ends ${sizeText(end - flash)} PAST the end`;
    summary.push(`flash ${sizeText(flash)}, ${tail}`);
  } else {
    summary.push(`partitions end at ${hx(end)}`);
  }
  return `${lines.join('\n')}\n${summary.join('; ')}`;
}

function span(
  label: string,
  offset: number,
  size: number,
): { offset: number; size: number; cells: string[] } {
  return { offset, size, cells: [label, '', '', hx(offset), sizeText(size), hx(offset + size), ''] };
}

function formatColumns(table: string[][]): string[] {
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  return table.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

function hx(n: number): string {
  return `0x${n.toString(16).padStart(6, '0')}`;
}

function sizeText(size: number): string {
  const short = formatCsvSize(size);
  return short.startsWith('0x') ? short : `${short} (0x${size.toString(16)})`;
}
