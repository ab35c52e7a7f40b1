// Last-resort layout for a build dir without flasher_args.json or arg files: bootloader at the chip's
// ROM offset, partition table at CONFIG_PARTITION_TABLE_OFFSET (else 0x8000), app in the boot app partition.

import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { type ChipName, chipInfo, parseChipName } from '../chips/chips.js';
import { hex } from '../core/protocol/bytes.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Sourced, sourced } from '../provenance.js';
import type { BuildEntry } from './build-output.js';
import { fileStartsWith, IMAGE_MAGIC_BYTES } from './file-magic.js';
import { probeImageChip } from './image-probe.js';
import { bootAppPartition, otaDataPartition, readPartitionTableFile } from './partition-file.js';
import { configNumber, type SdkConfig } from './sdkconfig.js';

/** Default `CONFIG_PARTITION_TABLE_OFFSET`. */
export const DEFAULT_PARTITION_TABLE_OFFSET = 0x8000;

/** Files in the build root that are ESP images but never the app. */
const NOT_APPS = new Set(['ota_data_initial.bin', 'phy_init_data.bin']);

/** Options for {@link readBareBuild}. */
export interface BareBuildOptions {
  buildDir: string;
  /** Chip given by the user (`--chip`); wins over everything else. */
  chip: ChipName | null;
  /** Target named by the build (project_description.json / sdkconfig), unvalidated. */
  target: string | null;
  /** App binary named by project_description.json, relative to the build dir. */
  appBin: string | null;
  sdkconfig: SdkConfig | null;
  logger: Logger;
}

/** The derived layout. */
export interface BareBuild {
  entries: BuildEntry[];
  /** The chip the bootloader image header names, when that is how the chip was found. */
  chip: Sourced<string> | null;
}

/**
 * Derive the layout of a bare build. Returns null when the dir lacks bootloader/bootloader.bin or
 * partition_table/partition-table.bin (not a bare build). Throws `project/unknown-chip`,
 * `project/no-app-image`, `project/ambiguous-app` or `project/no-app-partition` when it cannot decide.
 */
export async function readBareBuild(options: BareBuildOptions): Promise<BareBuild | null> {
  const { buildDir } = options;
  const bootloader = join(buildDir, 'bootloader', 'bootloader.bin');
  const tableFile = join(buildDir, 'partition_table', 'partition-table.bin');
  if (!(await isFile(bootloader)) || !(await isFile(tableFile))) return null;

  const probed = await probeImageChip(bootloader);
  const chip = options.chip ?? (options.target ? parseChipName(options.target) : null) ?? probed;
  if (!chip) {
    throw new UsageError('project/unknown-chip', `Cannot tell which chip ${buildDir} was built for`, {
      hint: 'Pass --chip (e.g. --chip esp32s3) or set `chip` in espflash.config.',
      details: { buildDir, bootloader },
    });
  }
  const chipSource =
    options.chip || options.target
      ? null
      : sourced<string>(chip, 'derived', `bootloader image header (${bootloader})`);

  const tableOffset = configNumber(options.sdkconfig, 'PARTITION_TABLE_OFFSET');
  const bootOffset = configNumber(options.sdkconfig, 'BOOTLOADER_OFFSET_IN_FLASH');
  const configFile = options.sdkconfig?.file ?? '';
  const table = await readPartitionTableFile(tableFile);
  const app = bootAppPartition(table);
  if (!app) {
    throw new UsageError(
      'project/no-app-partition',
      `${tableFile} has no app partition to boot (no factory, no ota_0)`,
      {
        hint: 'Fix the partition CSV (CONFIG_PARTITION_TABLE_CUSTOM_FILENAME) and run `idf.py build`.',
        details: { file: tableFile },
      },
    );
  }
  const appFile = await findApp(buildDir, options.appBin);

  const entries: BuildEntry[] = [
    {
      offset: bootOffset ?? chipInfo(chip).bootloaderOffset,
      file: bootloader,
      name: 'bootloader',
      encrypted: false,
      source:
        bootOffset === null
          ? { kind: 'derived', detail: `ROM bootloader offset of ${chip}` }
          : { kind: 'build', detail: `${configFile} (BOOTLOADER_OFFSET_IN_FLASH)` },
    },
    {
      offset: tableOffset ?? DEFAULT_PARTITION_TABLE_OFFSET,
      file: tableFile,
      name: 'partition-table',
      encrypted: false,
      source:
        tableOffset === null
          ? {
              kind: 'default',
              detail: `CONFIG_PARTITION_TABLE_OFFSET default ${hex(DEFAULT_PARTITION_TABLE_OFFSET)}`,
            }
          : { kind: 'build', detail: `${configFile} (PARTITION_TABLE_OFFSET)` },
    },
    {
      offset: app.offset,
      file: appFile,
      name: 'app',
      encrypted: false,
      source: { kind: 'derived', detail: `boot app partition "${app.name}" in ${tableFile}` },
    },
  ];
  const otadata = otaDataPartition(table);
  const otadataFile = join(buildDir, 'ota_data_initial.bin');
  if (otadata && (await isFile(otadataFile))) {
    entries.push({
      offset: otadata.offset,
      file: otadataFile,
      name: 'otadata',
      encrypted: false,
      source: { kind: 'derived', detail: `otadata partition "${otadata.name}" in ${tableFile}` },
    });
  }
  options.logger.debug(
    `bare build: ${entries.map((e) => `${hex(e.offset)} ${basename(e.file)}`).join(', ')}`,
  );
  return { entries, chip: chipSource };
}

/** The app named by project_description.json, else the one ESP image in the build root. */
async function findApp(buildDir: string, appBin: string | null): Promise<string> {
  if (appBin) return resolve(buildDir, appBin);
  const candidates: string[] = [];
  for (const name of await readdir(buildDir)) {
    if (!name.endsWith('.bin') || NOT_APPS.has(name)) continue;
    const file = join(buildDir, name);
    if ((await isFile(file)) && (await fileStartsWith(file, IMAGE_MAGIC_BYTES))) candidates.push(file);
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new UsageError(
      'project/no-app-image',
      `${buildDir} has a bootloader and partition table but no app image (*.bin)`,
      {
        hint: 'Run `idf.py build` (or `espflash --build`) so the app binary is produced.',
        details: { buildDir },
      },
    );
  }
  throw new UsageError(
    'project/ambiguous-app',
    `${buildDir} has several app images and nothing says which to flash: ${candidates.map((c) => basename(c)).join(', ')}`,
    {
      hint: 'Delete the stale .bin files, or run `idf.py build` so project_description.json names the app.',
      details: { buildDir, candidates },
    },
  );
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
