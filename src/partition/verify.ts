// Table validation with ESP-IDF v5.5's rules and wording: alignment, app size, read-only and NVS
// rules, unique names, overlaps, one 8 KiB otadata, fits the flash, fits the 0xC00-byte binary.

import type { CodeIn } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { partitionRowCsv } from './csv-write.js';
import { partitionError } from './diagnostics.js';
import { allSubtypeKeywords, subtypeKeywords, TYPE_KEYWORDS } from './keywords.js';
import {
  ENTRY_SIZE,
  type ExtraSubtype,
  NVS_RW_MIN_SIZE,
  OTADATA_SIZE,
  type Partition,
  type PartitionTable,
  PartitionType,
  type SecureBootVersion,
  TABLE_BINARY_LENGTH,
  TABLE_SECTOR_SIZE,
} from './types.js';

/** Options for {@link verifyPartitionTable}. */
export interface VerifyPartitionTableOptions {
  /** Flash offset of the table: nothing but the primary bootloader/table rows may start below offset + 0x1000. */
  tableOffset: number;
  /** Flash size in bytes; when set, the partition with the highest offset must end within it. */
  flashSize?: number | null;
  /** The CSV (or binary) the table came from, for messages and details. */
  file?: string;
  extraSubtypes?: readonly ExtraSubtype[];
  secure?: SecureBootVersion | null;
  /** Receives warnings (a name that is another type's/subtype's keyword). */
  logger?: Logger;
}

/** Offset alignment of a partition type: 64 KiB for apps, 4 KiB for everything else. */
export function offsetAlignment(type: number): number {
  return type === PartitionType.APP ? 0x10000 : 0x1000;
}

/** The primary bootloader and primary partition-table rows (they live below the table's end). */
export function isPrimaryBootloaderOrTable(p: Partition): boolean {
  return (
    (p.type === PartitionType.BOOTLOADER || p.type === PartitionType.PARTITION_TABLE) && p.subtype === 0x00
  );
}

/** Largest entry count the binary can hold (94 with the MD5 record, 95 without). */
export function maxEntries(md5: boolean): number {
  // entries (+ MD5 record) must stay strictly shorter than 0xC00 bytes, leaving room for the end marker
  return Math.ceil(TABLE_BINARY_LENGTH / ENTRY_SIZE) - 1 - (md5 ? 1 : 0);
}

/** Throw a `partition/*` UsageError (the generator's message) for the first rule the table breaks. */
export function verifyPartitionTable(table: PartitionTable, options: VerifyPartitionTableOptions): void {
  const { file } = options;
  const extra = options.extraSubtypes ?? [];
  for (const p of table.entries) verifyOne(p, { ...options, extra });
  checkDuplicateNames(table, file, extra);
  checkOverlaps(table, options.tableOffset, file);
  checkOtadata(table, file, { subtype: 0x00, label: 'otadata', keyword: 'ota', code: '0' });
  checkOtadata(table, file, { subtype: 0x90, label: 'TEE otadata', keyword: 'tee_ota', code: '0x90' });
  if (options.flashSize !== undefined && options.flashSize !== null)
    checkFits(table, options.flashSize, file);
  checkEntryCount(table, file);
}

function verifyOne(p: Partition, o: VerifyPartitionTableOptions & { extra: readonly ExtraSubtype[] }): void {
  const invalid = (reason: CodeIn<'partition'>, what: string, fix: string) =>
    partitionError(reason, `Partition ${p.name} invalid: ${what}`, { file: o.file, partition: p, fix });
  const align = offsetAlignment(p.type);
  if (!Number.isInteger(p.offset) || p.offset < 0 || p.offset > 0xffffffff) {
    throw invalid(
      'out-of-range',
      `Offset ${hx(p.offset)} is outside the 32-bit address space`,
      'Use a smaller offset.',
    );
  }
  if (p.offset % align) {
    throw invalid(
      'misaligned',
      `Offset ${hx(p.offset)} is not aligned to ${hx(align)}`,
      `Use a multiple of ${hx(align)}.`,
    );
  }
  if (!Number.isInteger(p.size) || p.size < 0 || p.offset + p.size > 0x100000000) {
    throw invalid(
      'invalid-size',
      `Size ${hx(p.size)} at offset ${hx(p.offset)} is negative or beyond 4 GiB`,
      'A negative size -X means "up to address X", which must lie after the offset.',
    );
  }
  if (p.type === PartitionType.APP) {
    const sizeAlign = o.secure === 'v1' ? 0x10000 : 0x1000;
    if (p.size % sizeAlign) {
      throw invalid(
        'misaligned-size',
        `Size ${hx(p.size)} is not aligned to ${hx(sizeAlign)}`,
        `App sizes must be multiples of ${hx(sizeAlign)}.`,
      );
    }
  }
  const isData = p.type === PartitionType.DATA;
  if (isData && (p.subtype === 0x00 || p.subtype === 0x03) && p.flags.readonly) {
    throw invalid(
      'readonly-not-allowed',
      `'${p.name}' partition of type ${p.type} and subtype ${p.subtype} is always read-write and cannot be read-only`,
      'Remove the readonly flag.',
    );
  }
  if (isData && p.subtype === 0x02 && p.size < NVS_RW_MIN_SIZE && !p.flags.readonly) {
    throw invalid(
      'nvs-too-small',
      `'${p.name}' partition of type ${p.type} and subtype ${p.subtype} of this size (${hx(p.size)}) must be flagged as 'readonly' (the size of read/write NVS has to be at least ${hx(NVS_RW_MIN_SIZE)})`,
      `Make it at least ${hx(NVS_RW_MIN_SIZE)} bytes or flag it readonly.`,
    );
  }
  warnAboutName(p, o.extra, o.logger ?? silentLogger);
}

function warnAboutName(p: Partition, extra: readonly ExtraSubtype[], logger: Logger): void {
  const typeOfName = TYPE_KEYWORDS.get(p.name);
  if (typeOfName !== undefined && typeOfName !== p.type) {
    logger.warn(
      `Partition has name '${p.name}' which is a partition type, but does not match this partition's type (${hx(p.type)}). Mistake in partition table?`,
    );
  }
  if (allSubtypeKeywords(extra).has(p.name) && subtypeKeywords(p.type, extra).get(p.name) !== p.subtype) {
    logger.warn(
      `Partition has name '${p.name}' which is a partition subtype, but this partition has non-matching type ${hx(p.type)} and subtype ${hx(p.subtype)}. Mistake in partition table?`,
    );
  }
}

function checkDuplicateNames(
  table: PartitionTable,
  file: string | undefined,
  extra: readonly ExtraSubtype[],
): void {
  const counts = new Map<string, number>();
  for (const p of table.entries) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  const dups = table.entries
    .filter((p) => (counts.get(p.name) ?? 0) > 1)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (dups.length === 0) return;
  const rows = dups.map((p) => partitionRowCsv(p, { extraSubtypes: extra }));
  throw partitionError(
    'duplicate-name',
    ['A list of partitions that have the same name:', ...rows, 'Partition names must be unique'].join('\n'),
    { file, partition: dups[1], fix: 'Give every partition its own name.', extra: { name: dups[0]!.name } },
  );
}

function checkOverlaps(table: PartitionTable, tableOffset: number, file: string | undefined): void {
  const tableEnd = tableOffset + TABLE_SECTOR_SIZE;
  let last: Partition | undefined;
  for (const p of [...table.entries].sort((a, b) => a.offset - b.offset)) {
    if (p.offset < tableEnd && !isPrimaryBootloaderOrTable(p)) {
      throw partitionError('overlaps-table', `Partition offset ${hx(p.offset)} is below ${hx(tableEnd)}`, {
        file,
        partition: p,
        fix: `The table at ${hx(tableOffset)} owns up to ${hx(tableEnd)}; move the partition or the table (--offset).`,
      });
    }
    if (last && p.offset < last.offset + last.size) {
      throw partitionError(
        'overlap',
        `Partition at ${hx(p.offset)} overlaps ${hx(last.offset)}-${hx(last.offset + last.size - 1)}`,
        { file, partition: p, fix: `'${p.name}' overlaps '${last.name}'.` },
      );
    }
    last = p;
  }
}

function checkOtadata(
  table: PartitionTable,
  file: string | undefined,
  kind: { subtype: number; label: string; keyword: string; code: string },
): void {
  const found = table.entries.filter((p) => p.type === PartitionType.DATA && p.subtype === kind.subtype);
  if (found.length > 1) {
    throw partitionError(
      'duplicate-otadata',
      `Found multiple ${kind.label} partitions. Only one partition can be defined with type="data"(1) and subtype="${kind.keyword}"(${kind.code}).`,
      { file, partition: found[1], fix: `Keep one data/${kind.keyword} partition.` },
    );
  }
  if (found.length === 1 && found[0]!.size !== OTADATA_SIZE) {
    throw partitionError('otadata-size', `${kind.label} partition must have size = 0x2000`, {
      file,
      partition: found[0],
      fix: 'Set its size to 0x2000 (8K).',
    });
  }
}

/** Where the table ends in flash: the end of the partition with the highest offset (0 when empty). */
export function tableFlashEnd(table: PartitionTable): number {
  let last: Partition | undefined;
  for (const p of table.entries) if (!last || p.offset > last.offset) last = p;
  return last ? last.offset + last.size : 0;
}

function checkFits(table: PartitionTable, flashSize: number, file: string | undefined): void {
  const end = tableFlashEnd(table);
  if (flashSize >= end) return;
  const mib = 1024 * 1024;
  const sizeText = flashSize % mib === 0 ? `${flashSize / mib}MB` : `${flashSize} bytes`;
  throw partitionError(
    'does-not-fit',
    `Partitions tables occupies ${pyFixed1(end / mib)}MB of flash (${end} bytes) which does not fit in configured flash size ${sizeText}. Change the flash size in menuconfig under the 'Serial Flasher Config' menu.`,
    { file, fix: 'Shrink the partitions or pass a larger --flash-size.', extra: { end, flashSize } },
  );
}

function checkEntryCount(table: PartitionTable, file: string | undefined): void {
  const length = (table.entries.length + (table.md5 ? 1 : 0)) * ENTRY_SIZE;
  if (length >= TABLE_BINARY_LENGTH) {
    throw partitionError('too-many-entries', `Binary partition table length (${length}) longer than max`, {
      file,
      fix: `At most ${maxEntries(table.md5)} partitions fit${table.md5 ? ` (${maxEntries(false)} without the MD5 record: --no-md5)` : ''}.`,
      extra: { entries: table.entries.length },
    });
  }
}

/** Python's `'%.1f' % x`: round half to even on exact binary ties (JS toFixed rounds them up). */
export function pyFixed1(x: number): string {
  // A binary double sits exactly halfway between two tenths only when 4x is an odd integer (x.25, x.75).
  const quarters = x * 4;
  if (Number.isInteger(quarters) && quarters % 2 !== 0) {
    const floor = Math.floor(x * 10);
    return ((floor % 2 === 0 ? floor : floor + 1) / 10).toFixed(1);
  }
  return x.toFixed(1);
}

function hx(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}
