// FLASH_BEGIN / FLASH_DEFL_BEGIN payloads shared by writes, ROM erases and resets: the optional 5th
// `encrypted` word, the ESP8266 ROM erase-size workaround and block-size constants (PROTOCOL.md §2).

import type { ChipInfo } from '../../chips/chips.js';
import { packU32 } from '../protocol/bytes.js';
import { OP, timeoutFor } from '../protocol/opcodes.js';
import type { Loader } from '../session/loader.js';

/** Flash sector (erase unit) size. */
export const FLASH_SECTOR_SIZE = 0x1000;
/** FLASH_DATA / FLASH_DEFL_DATA block size with the ROM. */
export const ROM_WRITE_BLOCK = 0x400;
/** FLASH_DATA / FLASH_DEFL_DATA block size with the stub. */
export const STUB_WRITE_BLOCK = 0x4000;

/** The write block size for this loader (0x4000 with the stub, 0x400 with the ROM). */
export function writeBlockSize(loader: Pick<Loader, 'isStub'>): number {
  return loader.isStub ? STUB_WRITE_BLOCK : ROM_WRITE_BLOCK;
}

/**
 * Whether FLASH_BEGIN / FLASH_DEFL_BEGIN carry the 5th `encrypted` word: always for a stub, and for
 * ROMs other than ESP32 / ESP8266 (esptool's rule, PROTOCOL.md §2.2).
 */
export function sendsEncryptedWord(loader: Pick<Loader, 'isStub' | 'chip'>): boolean {
  return loader.isStub || loader.chip.rom.flashBeginEncryptedWord;
}

/**
 * Erase size to announce to the ESP8266 ROM, which erases more than asked when a write does not start
 * on a 64 KiB block (its erase routine double-counts the head sectors); other loaders get `size`.
 */
export function announcedEraseSize(options: {
  chip: ChipInfo;
  isStub: boolean;
  offset: number;
  size: number;
}): number {
  const { chip, isStub, offset, size } = options;
  if (isStub || chip.name !== 'esp8266') return size;
  const sectorsPerBlock = 16;
  const sectors = Math.ceil(size / FLASH_SECTOR_SIZE);
  const startSector = Math.floor(offset / FLASH_SECTOR_SIZE);
  const headSectors = Math.min(sectorsPerBlock - (startSector % sectorsPerBlock), sectors);
  if (sectors < 2 * headSectors) return Math.ceil(sectors / 2) * FLASH_SECTOR_SIZE;
  return (sectors - headSectors) * FLASH_SECTOR_SIZE;
}

/** Options for {@link flashBegin}. */
export interface FlashBeginOptions {
  /** Bytes to erase (FLASH_BEGIN) or the uncompressed size word (FLASH_DEFL_BEGIN). */
  size: number;
  blocks: number;
  blockSize: number;
  offset: number;
  /** Send FLASH_DEFL_BEGIN instead of FLASH_BEGIN. */
  compressed?: boolean;
  /** Bytes the ROM erases up front, for the timeout (defaults to `size`). */
  eraseBytes?: number;
}

/** Send FLASH_BEGIN or FLASH_DEFL_BEGIN with the right payload length and a size-scaled timeout. */
export async function flashBegin(loader: Loader, options: FlashBeginOptions): Promise<void> {
  const words = [options.size, options.blocks, options.blockSize, options.offset];
  if (sendsEncryptedWord(loader)) words.push(0);
  const op = options.compressed ? OP.FLASH_DEFL_BEGIN : OP.FLASH_BEGIN;
  await loader.command({
    op,
    data: packU32(...words),
    timeoutMs: timeoutFor(op, options.eraseBytes ?? options.size, { stub: loader.isStub }),
  });
}
