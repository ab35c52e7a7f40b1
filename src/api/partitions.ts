// Find the partition table a device command should use: the one on the device (0x8000 by default),
// else the build's partition-table.bin. Labels resolve to offsets through it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hex } from '../core/protocol/bytes.js';
import { isEspflashError, UsageError } from '../errors.js';
import { decodePartitionTable } from '../partition/binary.js';
import { findPartitionByLabel } from '../partition/lookup.js';
import type { Partition, PartitionTable } from '../partition/types.js';
import type { Device } from './device.js';

/** ESP-IDF's default partition table offset. */
export const DEFAULT_PARTITION_TABLE_OFFSET = 0x8000;
/** Bytes of a binary partition table. */
export const PARTITION_TABLE_SIZE = 0xc00;

/** A table and where it came from. */
export interface LoadedPartitionTable {
  table: PartitionTable;
  /** `device @ 0x8000` or the build file's path. */
  source: string;
}

/** Options for {@link loadPartitionTable}. */
export interface LoadPartitionTableOptions {
  device: Device;
  /** Where the table sits on flash (default 0x8000). */
  offset?: number;
  /** Build directory to fall back to (`partition_table/partition-table.bin`). */
  buildDir?: string | null;
}

/** Read the device's table; when it is missing or invalid, use the build's. */
export async function loadPartitionTable(options: LoadPartitionTableOptions): Promise<LoadedPartitionTable> {
  const offset = options.offset ?? DEFAULT_PARTITION_TABLE_OFFSET;
  let deviceError: unknown;
  try {
    const bytes = await options.device.readFlash(offset, PARTITION_TABLE_SIZE);
    const table = decodePartitionTable(bytes, { file: `partition table on the device at ${hex(offset)}` });
    if (table.entries.length > 0) return { table, source: `device @ ${hex(offset)}` };
    deviceError = new Error('empty table');
  } catch (err) {
    if (!isEspflashError(err) || !err.code.startsWith('partition/')) throw err;
    deviceError = err;
  }
  if (options.buildDir) {
    const file = join(options.buildDir, 'partition_table', 'partition-table.bin');
    const bytes = await readFile(file).catch(() => null);
    if (bytes) return { table: decodePartitionTable(new Uint8Array(bytes), { file }), source: file };
  }
  throw new UsageError(
    'partition/none-on-device',
    `No valid partition table on the device at ${hex(offset)}, and no build to take one from`,
    {
      hint: 'Flash the project first (espflash flash), pass --partition-table-offset, or run from the project so the build is found.',
      details: { offset },
      cause: deviceError,
    },
  );
}

/** The partition labelled `label`, or `partition/unknown-label` listing the labels there are. */
export function partitionByLabel(loaded: LoadedPartitionTable, label: string): Partition {
  const p = findPartitionByLabel(loaded.table, label);
  if (p) return p;
  const labels = loaded.table.entries.map((e) => e.name);
  throw new UsageError(
    'partition/unknown-label',
    `No partition labelled "${label}" in the table (${loaded.source}); labels: ${labels.join(', ')}`,
    {
      hint: `Use one of: ${labels.join(', ')}.`,
      details: { label, labels, source: loaded.source },
    },
  );
}
