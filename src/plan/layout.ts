// Gives every build entry its role (bootloader, partition-table, app, otadata, data) and the label of
// the partition it lands in, using entry names, file names, content and the decoded partition table.

import { basename, resolve } from 'node:path';
import type { Partition } from '../partition/types.js';
import type { BuildEntry, BuildOutput } from '../project/build-output.js';
import { fileStartsWith, PARTITION_TABLE_MAGIC_BYTES } from '../project/file-magic.js';
import {
  isAppPartition,
  isOtaDataPartition,
  readPartitionTableFile,
  tablePartitions,
} from '../project/partition-file.js';
import type { Source } from '../provenance.js';
import type { RegionRole } from './types.js';

/** A region before hashing: role and label known, size and sha256 not yet. */
export interface DraftRegion {
  offset: number;
  file: string;
  role: RegionRole;
  label: string | null;
  encrypted: boolean;
  source: Source;
  /** Build entry name, for messages (`storage`, `phy`, …); falls back to the role. */
  entry: string;
  /** The partition the region starts in, when known. */
  partition: Partition | null;
}

/** The layout: regions sorted by offset plus the decoded partition table (null when the build has none). */
export interface Layout {
  regions: DraftRegion[];
  partitions: Partition[] | null;
}

/** Assign roles and labels. Decoding errors of the partition table propagate (`partition/*`). */
export async function buildLayout(build: BuildOutput): Promise<Layout> {
  const named = await Promise.all(
    build.entries.map(async (e) => ({ entry: e, role: await roleFromEntry(e, build) })),
  );
  const tableEntry = named.find((n) => n.role === 'partition-table')?.entry ?? null;
  const partitions = tableEntry ? await readPartitions(tableEntry.file) : null;

  const regions = named.map(({ entry, role }): DraftRegion => {
    const partition =
      partitions?.find((p) => entry.offset >= p.offset && entry.offset < p.offset + p.size) ?? null;
    const finalRole = role ?? roleFromPartition(entry, partition);
    return {
      offset: entry.offset,
      file: entry.file,
      role: finalRole,
      label: partition?.name ?? null,
      encrypted: entry.encrypted,
      source: entry.source,
      entry: entry.name ?? finalRole,
      partition,
    };
  });
  regions.sort((a, b) => a.offset - b.offset);
  return { regions, partitions };
}

async function readPartitions(file: string): Promise<Partition[] | null> {
  try {
    return tablePartitions(await readPartitionTableFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // reported as project/missing-image
    throw err;
  }
}

/** Role from the entry name, the file name, or (for unnamed files) the partition-table magic. */
async function roleFromEntry(entry: BuildEntry, build: BuildOutput): Promise<RegionRole | null> {
  switch (entry.name) {
    case 'bootloader':
      return 'bootloader';
    case 'partition-table':
    case 'partition_table':
      return 'partition-table';
    case 'app':
      return 'app';
    case 'otadata':
      return 'otadata';
    case null:
      break;
    default:
      return 'data';
  }
  const name = basename(entry.file);
  if (name === 'bootloader.bin') return 'bootloader';
  if (name === 'partition-table.bin') return 'partition-table';
  if (name === 'ota_data_initial.bin') return 'otadata';
  const appBin = build.description?.appBin;
  if (appBin && resolve(build.buildDir, appBin) === entry.file) return 'app';
  if (await fileStartsWith(entry.file, PARTITION_TABLE_MAGIC_BYTES)) return 'partition-table';
  return null;
}

function roleFromPartition(entry: BuildEntry, partition: Partition | null): RegionRole {
  if (partition && isAppPartition(partition) && partition.offset === entry.offset) return 'app';
  if (partition && isOtaDataPartition(partition)) return 'otadata';
  return 'data';
}
