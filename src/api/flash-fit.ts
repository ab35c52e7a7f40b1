// Checks a plan against the flash the device actually has, before anything is written: partitions
// of the plan's table that end past the detected end are refused (the app could not use them), and
// an image header (or --flash-size) that claims more flash than the chip has gets a warning (esptool
// warns the same way).

import { readFile } from 'node:fs/promises';
import { flashSizeName } from '../core/ops/flash-id.js';
import { hex } from '../core/protocol/bytes.js';
import { UsageError } from '../errors.js';
import { describeHeaderFlashParams, flashSizeToBytes } from '../image/flash-params.js';
import { parseImage } from '../image/image-parse.js';
import type { Logger } from '../logger.js';
import type { FlashPlan } from '../plan/types.js';
import { readPartitionTableFile, tablePartitions } from '../project/partition-file.js';

/** Options for {@link checkPlanFitsFlash}. */
export interface FlashFitOptions {
  plan: FlashPlan;
  /** The size read from the flash chip's JEDEC id; null when unknown (then nothing is checked). */
  detectedBytes: number | null;
  logger: Logger;
}

/**
 * Throws `flash/table-exceeds-flash` when a partition of the plan's table ends past the detected
 * flash; warns when the size the headers will carry is larger than the detected flash.
 */
export async function checkPlanFitsFlash(options: FlashFitOptions): Promise<void> {
  const { plan, detectedBytes, logger } = options;
  if (detectedBytes === null) return;
  const detected = flashSizeName(detectedBytes);
  const table = plan.regions.find((r) => r.role === 'partition-table');
  if (table) {
    const partitions = tablePartitions(await readPartitionTableFile(table.file));
    const past = partitions.filter((p) => p.offset + p.size > detectedBytes);
    if (past.length > 0) {
      const list = past.map((p) => `"${p.name}" ends at ${hex(p.offset + p.size)}`).join(', ');
      throw new UsageError(
        'flash/table-exceeds-flash',
        `the partition table ${table.file} does not fit the detected ${detected} flash: ${list}`,
        {
          hint: `Build for ${detected} flash: set CONFIG_ESPTOOLPY_FLASHSIZE and a partition CSV that fits it, then rebuild (or flash a board with more flash).`,
          details: {
            file: table.file,
            flashSize: detectedBytes,
            partitions: past.map((p) => ({ name: p.name, offset: p.offset, size: p.size })),
          },
        },
      );
    }
  }
  const headerSize = await headerFlashSize(plan);
  if (headerSize && headerSize.bytes > detectedBytes) {
    logger.warn(
      `${headerSize.what} is ${headerSize.name}, larger than the detected ${detected} flash; the image header will claim flash the chip does not have`,
    );
  }
}

/** The flash size the written headers will carry: the plan's explicit size, else the bootloader's own. */
async function headerFlashSize(
  plan: FlashPlan,
): Promise<{ bytes: number; name: string; what: string } | null> {
  const size = plan.flash.size.value;
  if (size === 'detect') return null;
  if (size !== 'keep') {
    const what = plan.flash.size.source.kind === 'cli' ? `--flash-size ${size}` : 'the flash size';
    return { bytes: flashSizeToBytes(size), name: size, what };
  }
  const image =
    plan.regions.find((r) => r.role === 'bootloader') ?? plan.regions.find((r) => r.role === 'app');
  if (!image) return null;
  try {
    const parsed = parseImage(new Uint8Array(await readFile(image.file)), { chip: plan.chip.value });
    const name = describeHeaderFlashParams(parsed, plan.chip.value).size;
    return name
      ? {
          bytes: flashSizeToBytes(name),
          name,
          what: `the flash size in the ${image.role} header of ${image.file}`,
        }
      : null;
  } catch {
    return null;
  }
}
