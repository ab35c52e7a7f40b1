// Reads a partition-table.bin from disk through src/partition and answers the few questions a
// plan asks of it (partition list, boot app, otadata, "is this an app partition").

import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { decodePartitionTable } from '../partition/binary.js';
import { findBootAppPartition } from '../partition/lookup.js';
import {
  type Partition,
  type PartitionTable,
  PartitionType,
  TABLE_BINARY_LENGTH,
} from '../partition/types.js';

/** The decoded table type of src/partition. */
export type DecodedTable = PartitionTable;

/**
 * Read and decode `file`; decoding errors (`partition/*`) propagate, a missing file throws ENOENT,
 * any other read failure (a directory, no permission) throws `partition/read-failed`.
 */
export async function readPartitionTableFile(file: string): Promise<DecodedTable> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    throw new UsageError('partition/read-failed', `Cannot read ${file}: ${(err as Error).message}`, {
      hint: `Rebuild with \`idf.py build\` so ${file} is a partition table file, or pass another --build-dir.`,
      details: { file },
      cause: err,
    });
  }
  // Secure Boot signs the table by appending a signature after the 0xC00-byte table (3140 bytes for v1).
  const table = bytes.length > TABLE_BINARY_LENGTH ? bytes.subarray(0, TABLE_BINARY_LENGTH) : bytes;
  return decodePartitionTable(table, { file });
}

/** The partitions of a decoded table, in table order. */
export function tablePartitions(table: DecodedTable): Partition[] {
  return table.entries;
}

/** The partition the 2nd-stage bootloader boots when otadata is blank (factory, else ota_0). */
export function bootAppPartition(table: DecodedTable): Partition | null {
  return findBootAppPartition(table) ?? null;
}

/** The data/ota (otadata) partition, if any. */
export function otaDataPartition(table: DecodedTable): Partition | null {
  return tablePartitions(table).find(isOtaDataPartition) ?? null;
}

/** Type app (0x00). */
export function isAppPartition(p: Partition): boolean {
  return p.type === PartitionType.APP;
}

/** Type data (0x01), subtype ota (0x00). */
export function isOtaDataPartition(p: Partition): boolean {
  return p.type === PartitionType.DATA && p.subtype === 0x00;
}
