// Checks a plan before any device is touched: files present and non-empty, sector alignment, no
// overlaps, regions inside their partitions and the flash, and images built for the target chip.

import { readFile, stat } from 'node:fs/promises';
import { chipInfo } from '../chips/chips.js';
import { hex } from '../core/protocol/bytes.js';
import { isFixedFlashSize } from '../core/settings.js';
import { type ErrorCode, isEspflashError, UsageError } from '../errors.js';
import { flashSizeToBytes } from '../image/flash-params.js';
import { parseImage, verifyImage } from '../image/image-parse.js';
import type { ImageProblem } from '../image/image-types.js';
import type { Logger } from '../logger.js';
import type { Partition } from '../partition/types.js';
import { readPartitionTableFile, tablePartitions } from '../project/partition-file.js';
import type { FlashPlan, PlanRegion } from './types.js';

/** Flash erase granularity: every region must start on a sector boundary. */
export const SECTOR_SIZE = 0x1000;

/** Options for {@link validatePlan}. */
export interface ValidatePlanOptions {
  /** Flash size in bytes when known otherwise (e.g. detected on the device); beats `plan.flash.size`. */
  flashSizeBytes?: number | null;
  /** The partition table; read from the plan's partition-table region when omitted. */
  partitions?: Partition[] | null;
  /** Warn (through `logger`) instead of failing on a bad image checksum or digest (`--force`). */
  allowBadImages?: boolean;
  logger?: Logger;
}

/**
 * Validate `plan`; resolves when it is safe to write. Throws (UsageError, exit 2) `plan/missing-file`,
 * `plan/empty-file`, `plan/misaligned`, `plan/overlap`, `plan/region-too-big`, `plan/exceeds-flash`,
 * `plan/bad-image` or `plan/chip-mismatch`.
 */
export async function validatePlan(plan: FlashPlan, options: ValidatePlanOptions = {}): Promise<void> {
  await checkFiles(plan.regions);
  const regions = [...plan.regions].sort((a, b) => a.offset - b.offset);
  checkAddressSpace(regions);
  checkAlignment(regions);
  checkOverlaps(regions);
  const partitions = options.partitions !== undefined ? options.partitions : await partitionsOf(regions);
  if (partitions) checkPartitions(regions, partitions);
  checkFlashSize(regions, options.flashSizeBytes ?? concreteSize(plan.flash.size.value));
  await checkImages(plan, options);
}

async function checkFiles(regions: PlanRegion[]): Promise<void> {
  for (const r of regions) {
    let size: number;
    try {
      size = (await stat(r.file)).size;
    } catch {
      throw new UsageError('plan/missing-file', `${r.file} (${r.role} at ${hex(r.offset)}) does not exist`, {
        hint: 'Run `idf.py build` (or `espflash --build`) to produce it, or pass the right --build-dir.',
        details: { file: r.file, offset: r.offset },
      });
    }
    if (size === 0) {
      throw new UsageError('plan/empty-file', `${r.file} (${r.role} at ${hex(r.offset)}) is empty`, {
        hint: 'The build was interrupted; run `idf.py build` again.',
        details: { file: r.file, offset: r.offset },
      });
    }
  }
}

/** The loader takes 32-bit flash addresses: a larger offset would wrap (0x100000000 → 0x0). */
function checkAddressSpace(regions: PlanRegion[]): void {
  for (const r of regions) {
    const inRange = Number.isSafeInteger(r.offset) && r.offset >= 0 && r.offset + r.size <= 0x1_0000_0000;
    if (!inRange) {
      throw new UsageError(
        'plan/exceeds-flash',
        `${r.file} is placed at offset 0x${r.offset.toString(16)}, beyond the 4 GiB (32-bit) flash address space`,
        {
          hint: 'Fix the offset in flasher_args.json / the flash_args file (rebuild with `idf.py build`), or pass the right --build-dir.',
          details: { file: r.file, offset: r.offset, size: r.size },
        },
      );
    }
  }
}

function checkAlignment(regions: PlanRegion[]): void {
  for (const r of regions) {
    if (r.offset % SECTOR_SIZE !== 0) {
      throw new UsageError(
        'plan/misaligned',
        `${r.file} is placed at ${hex(r.offset)}, which is not a multiple of the ${hex(SECTOR_SIZE)} flash sector size`,
        {
          hint: 'Fix the offset in the partition CSV (or flasher_args.json) so it starts on a 4 KiB boundary, then rebuild.',
          details: { file: r.file, offset: r.offset },
        },
      );
    }
  }
}

function checkOverlaps(regions: PlanRegion[]): void {
  for (let i = 0; i < regions.length; i++) {
    for (let j = i + 1; j < regions.length; j++) {
      const a = regions[i]!;
      const b = regions[j]!;
      if (b.offset < a.offset + a.size && a.offset < b.offset + b.size) {
        throw new UsageError('plan/overlap', `${a.file} ${range(a)} overlaps ${b.file} ${range(b)}`, {
          hint: 'Fix the offsets in the partition CSV / CONFIG_PARTITION_TABLE_OFFSET, or shrink the image, then rebuild.',
          details: {
            first: { file: a.file, offset: a.offset, size: a.size },
            second: { file: b.file, offset: b.offset, size: b.size },
          },
        });
      }
    }
  }
}

function checkPartitions(regions: PlanRegion[], partitions: Partition[]): void {
  for (const r of regions) {
    const end = r.offset + r.size;
    const home = partitions.find((p) => r.offset >= p.offset && r.offset < p.offset + p.size);
    const hit = home ?? partitions.find((p) => p.offset < end && r.offset < p.offset + p.size);
    if (!hit || (home && end <= home.offset + home.size)) continue;
    const why = home
      ? `does not fit partition "${home.name}" ${range({ offset: home.offset, size: home.size })}`
      : `runs into partition "${hit.name}" ${range({ offset: hit.offset, size: hit.size })}`;
    throw new UsageError('plan/region-too-big', `${r.file} ${range(r)} ${why}`, {
      hint: 'Enlarge the partition in the partition CSV (or shrink the image, e.g. lower log levels), then rebuild.',
      details: { file: r.file, offset: r.offset, size: r.size, partition: (home ?? hit).name },
    });
  }
}

function checkFlashSize(regions: PlanRegion[], flashSize: number | null): void {
  if (flashSize === null) return;
  for (const r of regions) {
    if (r.offset + r.size > flashSize) {
      throw new UsageError(
        'plan/exceeds-flash',
        `${r.file} ${range(r)} ends past the ${flashSize}-byte flash`,
        {
          hint: 'Pass the real size with --flash-size (or fix CONFIG_ESPTOOLPY_FLASHSIZE), or move the region.',
          details: { file: r.file, offset: r.offset, size: r.size, flashSize },
        },
      );
    }
  }
}

/** The plan's codes for image problems (the image reader calls a bad digest `image/bad-sha256`). */
const INTEGRITY_CODES: Readonly<Partial<Record<ImageProblem['code'], ErrorCode>>> = {
  'image/bad-checksum': 'image/bad-checksum',
  'image/bad-sha256': 'image/bad-digest',
};

async function checkImages(plan: FlashPlan, options: ValidatePlanOptions): Promise<void> {
  const chip = plan.chip.value;
  for (const r of plan.regions) {
    if (r.role !== 'app' && r.role !== 'bootloader') continue;
    const bytes = new Uint8Array(await readFile(r.file));
    let image: ReturnType<typeof parseImage>;
    try {
      image = parseImage(bytes, { chip, file: r.file });
    } catch (err) {
      if (!isEspflashError(err)) throw err;
      throw new UsageError(
        'plan/bad-image',
        `${r.file} (${r.role}) is not a valid ESP image: ${err.message}`,
        {
          hint: 'Rebuild with `idf.py build`; check --build-dir points at an ESP-IDF build.',
          details: { file: r.file, reason: err.code },
          cause: err,
        },
      );
    }
    const problems = verifyImage(image, { chip });
    for (const p of problems) {
      const code = INTEGRITY_CODES[p.code];
      if (code === undefined) continue;
      const what = `${r.file} (${r.role}): ${p.message}`;
      if (options.allowBadImages) {
        options.logger?.warn(`${what}; writing it anyway (--force): the bootloader will reject it`);
        continue;
      }
      throw new UsageError(code, `${what}; the bootloader would reject this image`, {
        hint: 'The file is corrupt or was changed after the build: rebuild with `idf.py build` (or `espflash --build`). --force writes it anyway.',
        details: { file: r.file, role: r.role, problems },
      });
    }
    const mismatch = problems.find((p) => p.code === 'image/chip-mismatch');
    if (mismatch) {
      throw new UsageError('plan/chip-mismatch', `${r.file} (${r.role}): ${mismatch.message}`, {
        hint: `Build for ${chipInfo(chip).displayName} (\`idf.py set-target ${chip}\`), or pass the --chip the image was built for.`,
        details: { file: r.file, chip, chipSource: plan.chip.source },
      });
    }
  }
}

async function partitionsOf(regions: PlanRegion[]): Promise<Partition[] | null> {
  const table = regions.find((r) => r.role === 'partition-table');
  return table ? tablePartitions(await readPartitionTableFile(table.file)) : null;
}

function concreteSize(size: string): number | null {
  if (!isFixedFlashSize(size)) return null;
  try {
    return flashSizeToBytes(size);
  } catch {
    return null;
  }
}

function range(r: { offset: number; size: number }): string {
  return `[${hex(r.offset)}..${hex(r.offset + r.size)})`;
}
