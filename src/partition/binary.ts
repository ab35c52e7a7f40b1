// PartitionTable <-> the 0xC00-byte binary ESP-IDF flashes at the table offset: 32-byte records
// (magic AA 50), optional MD5 record (EB EB + FF*14 + digest), an all-FF end marker, FF padding.

import { readU16, readU32, writeU32 } from '../core/protocol/bytes.js';
import { md5 } from '../core/protocol/md5.js';
import { type CodeIn, UsageError } from '../errors.js';
import { ENTRY_SIZE, type Partition, type PartitionTable, TABLE_BINARY_LENGTH } from './types.js';
import { maxEntries } from './verify.js';

const MAGIC = 0x50aa; // bytes AA 50 read as little-endian u16
const MD5_MAGIC = 0xebeb;
const NAME_BYTES = 16;
const KNOWN_FLAGS = 0b11;

/** Whether `bytes` start like a binary table (first record's magic AA 50). */
export function looksLikeBinaryTable(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0xaa && bytes[1] === 0x50;
}

/** Encode to exactly 0xC00 bytes; names longer than 16 UTF-8 bytes are cut to 16 bytes. */
export function encodePartitionTable(table: PartitionTable): Uint8Array {
  const count = table.entries.length;
  const length = (count + (table.md5 ? 1 : 0)) * ENTRY_SIZE;
  if (length >= TABLE_BINARY_LENGTH) {
    throw new UsageError(
      'partition/too-many-entries',
      `Binary partition table length (${length}) longer than max`,
      {
        hint: `Remove partitions: at most ${maxEntries(table.md5)} fit${table.md5 ? ' (one more without the MD5 record)' : ''}.`,
        details: { entries: count },
      },
    );
  }
  const out = new Uint8Array(TABLE_BINARY_LENGTH).fill(0xff);
  for (const [i, p] of table.entries.entries()) out.set(encodeEntry(p), i * ENTRY_SIZE);
  if (table.md5) {
    const at = count * ENTRY_SIZE;
    out[at] = 0xeb;
    out[at + 1] = 0xeb;
    out.set(md5(out.subarray(0, at)), at + 16);
  }
  return out;
}

function encodeEntry(p: Partition): Uint8Array {
  const fits = (n: number, max: number) => Number.isInteger(n) && n >= 0 && n <= max;
  for (const [field, value, max] of [
    ['type', p.type, 0xff],
    ['subtype', p.subtype, 0xff],
    ['offset', p.offset, 0xffffffff],
    ['size', p.size, 0xffffffff],
  ] as const) {
    if (!fits(value, max)) {
      throw new UsageError(
        'partition/out-of-range',
        `Partition ${p.name}: ${field} ${value} does not fit the binary format`,
        {
          hint: `The ${field} must be an integer from 0 to 0x${max.toString(16)}.`,
          details: { partition: p.name, field, value },
        },
      );
    }
  }
  const e = new Uint8Array(ENTRY_SIZE);
  e[0] = 0xaa;
  e[1] = 0x50;
  e[2] = p.type;
  e[3] = p.subtype;
  writeU32(e, 4, p.offset);
  writeU32(e, 8, p.size);
  e.set(new TextEncoder().encode(p.name).subarray(0, NAME_BYTES), 12);
  writeU32(e, 28, (p.flags.encrypted ? 1 : 0) | (p.flags.readonly ? 2 : 0));
  return e;
}

/**
 * Decode a binary table (0xC00 bytes as generated, a signed table, or a 4 KiB sector read from flash).
 * Stops at the all-FF end marker; checks each record's magic, the MD5 record, and flag bits.
 */
export function decodePartitionTable(bytes: Uint8Array, options: { file?: string } = {}): PartitionTable {
  const file = options.file ?? 'partition table';
  const fail = (
    reason: CodeIn<'partition'>,
    message: string,
    hint: string,
    extra: Record<string, unknown> = {},
  ) =>
    new UsageError(`partition/${reason}`, `${file}: ${message}`, {
      hint,
      details: { ...(options.file === undefined ? {} : { file: options.file }), ...extra },
    });
  const regenerate = `Regenerate ${file} (idf.py partition-table) or pass the CSV instead.`;
  const entries: Partition[] = [];
  let md5Seen = false;
  const hashed: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += ENTRY_SIZE) {
    const record = bytes.subarray(at, at + ENTRY_SIZE);
    // Like the generator, a ragged tail only matters when it is reached before the end marker
    // (a signed table carries its signature after the 0xC00 bytes).
    if (record.length < ENTRY_SIZE) {
      throw fail('truncated', `length ${bytes.length} is not a multiple of 32 bytes`, regenerate, {
        length: bytes.length,
      });
    }
    if (record.every((b) => b === 0xff)) return { entries, md5: md5Seen };
    const where = { offset: at, entry: at / ENTRY_SIZE };
    const magic = readU16(record, 0);
    if (magic === MD5_MAGIC) {
      const expected = md5(concat(hashed));
      const stored = record.subarray(16);
      if (!stored.every((b, i) => b === expected[i])) {
        throw fail(
          'bad-md5',
          `MD5 checksums don't match! (computed: 0x${toHex(expected)}, parsed: 0x${toHex(stored)})`,
          `The table at byte 0x${at.toString(16)} is corrupt. ${regenerate}`,
          where,
        );
      }
      md5Seen = true;
      continue;
    }
    if (magic !== MAGIC) {
      throw fail(
        'bad-magic',
        `entry ${where.entry} at byte 0x${at.toString(16)} has magic ${toHex(record.subarray(0, 2))}, expected aa50`,
        `This is not a partition table, or it is corrupt. ${regenerate}`,
        where,
      );
    }
    hashed.push(record);
    entries.push(
      decodeEntry(record, (reason, message) =>
        fail(reason, `entry ${where.entry}: ${message}`, regenerate, where),
      ),
    );
  }
  throw fail('truncated', 'Partition table is missing an end-of-table marker', regenerate, {
    length: bytes.length,
  });
}

function decodeEntry(
  record: Uint8Array,
  fail: (reason: CodeIn<'partition'>, message: string) => Error,
): Partition {
  const nameField = record.subarray(12, 28);
  const nul = nameField.indexOf(0);
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(nul < 0 ? nameField : nameField.subarray(0, nul));
  } catch {
    throw fail('bad-name', `name bytes ${toHex(nameField)} are not valid UTF-8`);
  }
  const flags = readU32(record, 28);
  if (flags & ~KNOWN_FLAGS) {
    throw fail(
      'unknown-flags',
      `partition '${name}' has unknown flag bits 0x${(flags >>> 0).toString(16).padStart(8, '0')}`,
    );
  }
  return {
    name,
    type: record[2]!,
    subtype: record[3]!,
    offset: readU32(record, 4),
    size: readU32(record, 8),
    flags: { encrypted: (flags & 1) !== 0, readonly: (flags & 2) !== 0 },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.length * ENTRY_SIZE);
  for (const [i, p] of parts.entries()) out.set(p, i * ENTRY_SIZE);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
