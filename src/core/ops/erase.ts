// Erase flash (PROTOCOL.md §2.1, §2.8): stub ERASE_FLASH (120 s) and ERASE_REGION (40 s per MB, 4 KiB
// aligned); through the ROM, which has neither, FLASH_BEGIN erases the range up front.

import { UsageError } from '../../errors.js';
import { hex, packU32 } from '../protocol/bytes.js';
import { OP, timeoutFor } from '../protocol/opcodes.js';
import type { Loader } from '../session/loader.js';
import { announcedEraseSize, FLASH_SECTOR_SIZE, flashBegin, writeBlockSize } from '../write/flash-begin.js';

/** Options for {@link eraseRegion}. */
export interface EraseRegionOptions {
  offset: number;
  size: number;
}

/** Throw `erase/unaligned` unless offset and size are multiples of 4 KiB. */
export function checkEraseAlignment(options: EraseRegionOptions): void {
  const { offset, size } = options;
  if (offset % FLASH_SECTOR_SIZE !== 0 || size % FLASH_SECTOR_SIZE !== 0 || size <= 0) {
    throw new UsageError(
      'erase/unaligned',
      `erase region ${hex(offset)} +${hex(size)} is not a positive multiple of 4 KiB (0x1000) at a 4 KiB-aligned offset`,
      {
        hint: 'Pass an <offset> and <size> that are multiples of 0x1000 (e.g. `espflash erase-region 0x9000 0x6000`).',
        details: { offset, size },
      },
    );
  }
}

/** Erase `size` bytes at `offset` (both 4 KiB aligned). Emits erase-progress when done. */
export async function eraseRegion(loader: Loader, options: EraseRegionOptions): Promise<void> {
  checkEraseAlignment(options);
  const { offset, size } = options;
  loader.onEvent({ type: 'erase-progress', offset, erased: 0, total: size });
  if (loader.isStub) {
    await loader.command({
      op: OP.ERASE_REGION,
      data: packU32(offset, size),
      timeoutMs: timeoutFor(OP.ERASE_REGION, size),
    });
  } else {
    // The ROM erases the announced range at FLASH_BEGIN; zero blocks follow.
    const eraseSize = announcedEraseSize({ chip: loader.chip, isStub: false, offset, size });
    await flashBegin(loader, {
      size: eraseSize,
      blocks: 0,
      blockSize: writeBlockSize(loader),
      offset,
      eraseBytes: size,
    });
  }
  loader.onEvent({ type: 'erase-progress', offset, erased: size, total: size });
}

/** Options for {@link eraseFlash}. */
export interface EraseFlashOptions {
  /** Flash size in bytes; needed with the ROM, which erases through FLASH_BEGIN. */
  flashSize?: number;
}

/** Erase the whole flash chip (stub ERASE_FLASH; ROM: FLASH_BEGIN over `flashSize`). */
export async function eraseFlash(loader: Loader, options: EraseFlashOptions = {}): Promise<void> {
  if (loader.isStub) {
    const total = options.flashSize ?? 0;
    loader.onEvent({ type: 'erase-progress', offset: 0, erased: 0, total });
    await loader.command({ op: OP.ERASE_FLASH, timeoutMs: timeoutFor(OP.ERASE_FLASH) });
    loader.onEvent({ type: 'erase-progress', offset: 0, erased: total, total });
    return;
  }
  if (options.flashSize === undefined) {
    throw new UsageError(
      'erase/size-unknown',
      'Erasing the whole flash through the ROM loader needs the flash size',
      {
        hint: 'Pass --flash-size, or use the flasher stub (drop --no-stub).',
      },
    );
  }
  await eraseRegion(loader, { offset: 0, size: options.flashSize });
}
