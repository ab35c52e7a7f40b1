// Partition CSV -> PartitionTable, matching ESP-IDF v5.5's gen_esp32part.py: line handling,
// keywords, size suffixes, blank offsets filled by type alignment, negative sizes, then verify.

import type { CodeIn } from '../errors.js';
import type { Logger } from '../logger.js';
import { expandVars, pyStrip, splitLines } from './csv-text.js';
import { partitionError, rememberLine } from './diagnostics.js';
import { FieldError, parseIntField } from './int-parse.js';
import { DATA_SUBTYPE_UNDEFINED, subtypeKeywords, TYPE_KEYWORDS } from './keywords.js';
import {
  DEFAULT_TABLE_OFFSET,
  type ExtraSubtype,
  type Partition,
  type PartitionTable,
  PartitionType,
  type SecureBootVersion,
  TABLE_SECTOR_SIZE,
} from './types.js';
import { isPrimaryBootloaderOrTable, offsetAlignment, verifyPartitionTable } from './verify.js';

/** Options for {@link parsePartitionCsv}; the defaults match an ESP-IDF build with default settings. */
export interface ParsePartitionCsvOptions {
  /** Flash offset of the table (`--offset`, default 0x8000): blank offsets start at offset + 0x1000. */
  tableOffset?: number;
  /** Primary bootloader offset (`--primary-bootloader-offset`); required by `bootloader` rows. */
  bootloaderOffset?: number;
  /** Recovery bootloader offset (`--recovery-bootloader-offset`); required by `bootloader,recovery` rows. */
  recoveryBootloaderOffset?: number;
  /** Flash size in bytes; when set, the table must end within it. */
  flashSize?: number | null;
  /** Whether the binary gets the MD5 record (default true; `--disable-md5sum` = false). */
  md5?: boolean;
  /** Variables for `$VAR`/`${VAR}` expansion (default: none, so they stay literal). */
  env?: Record<string, string | undefined>;
  /** Run {@link verifyPartitionTable} (default true; `--no-verify` = false). */
  verify?: boolean;
  /** CSV path, for messages and error details. */
  file?: string;
  /** Custom subtype keywords (`--extra-partition-subtypes`). */
  extraSubtypes?: ExtraSubtype[];
  /** Secure boot version (`--secure`), which changes the app size alignment. */
  secure?: SecureBootVersion | null;
  /** Receives the generator's non-fatal warnings (names that look like other keywords). */
  logger?: Logger;
}

interface Row {
  partition: Partition;
  offset: number | null;
  size: number | null;
  line: number;
}

/** Parse a partition CSV (text already decoded; a leading BOM is dropped) into a table. */
export function parsePartitionCsv(text: string, options: ParsePartitionCsvOptions = {}): PartitionTable {
  const tableOffset = options.tableOffset ?? DEFAULT_TABLE_OFFSET;
  const { bootloaderOffset, file } = options;
  if (bootloaderOffset !== undefined && bootloaderOffset >= tableOffset) {
    throw partitionError(
      'bootloader-above-table',
      `Unsupported configuration: the primary bootloader offset 0x${bootloaderOffset.toString(16)} is not below the partition table offset 0x${tableOffset.toString(16)}`,
      { file, fix: 'Pass a bootloader offset below the table offset (--bootloader-offset / --offset).' },
    );
  }
  const env = options.env ?? {};
  const rows: Row[] = [];
  splitLines(text.replace(/^\uFEFF/, '')).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = pyStrip(expandVars(raw, env, { file, line: lineNo }));
    if (line === '' || line.startsWith('#')) return;
    rows.push(parseRow(line, lineNo, { ...options, tableOffset }));
  });
  fillOffsets(rows, tableOffset, file);
  const entries = rows.map((r) => r.partition);
  const table: PartitionTable = { entries, md5: options.md5 ?? true };
  if (options.verify ?? true) {
    verifyPartitionTable(table, {
      tableOffset,
      flashSize: options.flashSize ?? null,
      extraSubtypes: options.extraSubtypes ?? [],
      secure: options.secure ?? null,
      ...(file === undefined ? {} : { file }),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  return table;
}

type RowOptions = ParsePartitionCsvOptions & { tableOffset: number };

function parseRow(line: string, lineNo: number, options: RowOptions): Row {
  const fields = `${line},,,,`.split(',').map(pyStrip);
  const fail = (reason: CodeIn<'partition'>, message: string, fix?: string) =>
    partitionError(reason, `Error at line ${lineNo}: ${message}`, {
      file: options.file,
      line: lineNo,
      ...(fix ? { fix } : {}),
    });
  const field = (
    reason: CodeIn<'partition'>,
    text: string,
    keywords?: ReadonlyMap<string, number>,
  ): number => {
    try {
      return parseIntField(text, keywords);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      const idfNote =
        err.kind === 'unknown-keyword' && reason === 'invalid-subtype'
          ? 'Use a known keyword or a number; custom subtype names need --extra-subtype (ESP-IDF: build/config/extra_partition_subtypes.inc).'
          : undefined;
      throw fail(reason, err.message, idfNote);
    }
  };
  const [name = '', typeText = '', subtypeText = '', offsetText = '', sizeText = '', flagsText = ''] = fields;
  if (typeText === '') throw fail('invalid-type', "Field 'type' can't be left empty.");
  const type = field('invalid-type', typeText, TYPE_KEYWORDS);
  if (!isByte(type)) throw fail('out-of-range', `Type ${typeText} is out of range (0x00-0xff)`);
  let subtype: number;
  if (subtypeText === '') {
    if (type === PartitionType.APP)
      throw fail('invalid-subtype', 'App partition cannot have an empty subtype');
    subtype = DATA_SUBTYPE_UNDEFINED;
  } else {
    subtype = field('invalid-subtype', subtypeText, subtypeKeywords(type, options.extraSubtypes));
    if (!isByte(subtype)) throw fail('out-of-range', `SubType ${subtypeText} is out of range (0x00-0xff)`);
  }
  const offset = rowOffset({ type, subtype, text: offsetText, options, fail, field });
  const size = rowSize({ type, text: sizeText, options, fail, field });
  if (size === null) throw fail('empty-size', "Size field can't be empty");
  const flags = { encrypted: false, readonly: false };
  for (const flag of flagsText.split(':')) {
    if (flag === 'encrypted' || flag === 'readonly') flags[flag] = true;
    else if (flag.length > 0) throw fail('unknown-flag', `CSV flag column contains unknown flag '${flag}'`);
  }
  const partition: Partition = { name, type, subtype, offset: offset ?? 0, size, flags };
  rememberLine(partition, lineNo);
  return { partition, offset, size, line: lineNo };
}

interface FieldContext {
  options: RowOptions;
  text: string;
  type: number;
  fail: (reason: CodeIn<'partition'>, message: string, fix?: string) => Error;
  field: (reason: CodeIn<'partition'>, text: string) => number;
}

function rowOffset(c: FieldContext & { subtype: number }): number | null {
  if (c.type === PartitionType.BOOTLOADER && c.subtype === 0x00) {
    if (c.options.bootloaderOffset === undefined) {
      throw c.fail(
        'missing-bootloader-offset',
        'Primary bootloader offset is not provided',
        'Pass --bootloader-offset.',
      );
    }
    return c.options.bootloaderOffset;
  }
  if (c.type === PartitionType.BOOTLOADER && c.subtype === 0x02) {
    if (c.options.recoveryBootloaderOffset === undefined) {
      throw c.fail(
        'missing-bootloader-offset',
        'Recovery bootloader offset is not provided',
        'Pass --recovery-bootloader-offset.',
      );
    }
    return c.options.recoveryBootloaderOffset;
  }
  if (c.type === PartitionType.PARTITION_TABLE && c.subtype === 0x00) return c.options.tableOffset;
  return c.text === '' ? null : c.field('invalid-value', c.text);
}

function rowSize(c: FieldContext): number | null {
  if (c.type === PartitionType.BOOTLOADER) {
    if (c.options.bootloaderOffset === undefined) {
      throw c.fail(
        'missing-bootloader-offset',
        'Primary bootloader offset is not provided',
        'Pass --bootloader-offset.',
      );
    }
    return c.options.tableOffset - c.options.bootloaderOffset;
  }
  if (c.type === PartitionType.PARTITION_TABLE) return TABLE_SECTOR_SIZE;
  return c.text === '' ? null : c.field('invalid-value', c.text);
}

// Blank offsets follow the previous row's end, rounded up to the type's alignment; explicit
// offsets may not go backwards; a negative size -X means "up to address X".
function fillOffsets(rows: Row[], tableOffset: number, file: string | undefined): void {
  let lastEnd = tableOffset + TABLE_SECTOR_SIZE;
  const first = rows[0];
  for (const row of rows) {
    const p = row.partition;
    if (isPrimaryBootloaderOrTable(p)) continue;
    if (row.offset !== null && row.offset < lastEnd) {
      const isFirst = row === first || (first !== undefined && sameRow(row, first.partition));
      const message = isFirst
        ? `CSV Error at line ${row.line}: Partitions overlap. Partition sets offset ${hx(row.offset)}. But partition table occupies the whole sector ${hx(tableOffset)}. Use a free offset ${hx(lastEnd)} or higher.`
        : `CSV Error at line ${row.line}: Partitions overlap. Partition sets offset ${hx(row.offset)}. Previous partition ends ${hx(lastEnd)}`;
      throw partitionError('overlap', message, {
        file,
        line: row.line,
        fix: 'Leave the offset blank or use a higher one.',
      });
    }
    if (row.offset === null) {
      const align = offsetAlignment(p.type);
      if (lastEnd % align !== 0) lastEnd += align - (lastEnd % align);
      p.offset = lastEnd;
    } else {
      p.offset = row.offset;
    }
    if (p.size < 0) p.size = -p.size - p.offset;
    lastEnd = p.offset + p.size;
  }
}

// The generator compares rows by name, type, subtype, offset and size (the first row's offset is filled by now).
function sameRow(a: Row, y: Partition): boolean {
  const x = a.partition;
  return (
    x.name === y.name &&
    x.type === y.type &&
    x.subtype === y.subtype &&
    a.offset === y.offset &&
    x.size === y.size
  );
}

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}

function hx(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}
