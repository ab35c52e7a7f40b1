// Attach the SPI flash and tell the loader its geometry (PROTOCOL.md §2.2, §7.1): SPI_ATTACH (8-byte
// ROM form, 4-byte stub form), FLASH_BEGIN(0,0) on the ESP8266 ROM, then SPI_SET_PARAMS.

import { packU32 } from '../protocol/bytes.js';
import { OP } from '../protocol/opcodes.js';
import type { Loader } from '../session/loader.js';
import { flashBegin, writeBlockSize } from '../write/flash-begin.js';

/** Attach the flash (default SPI pins, `hspi_arg` 0). Required by ROMs before any flash command. */
export async function attachFlash(loader: Loader): Promise<void> {
  if (!loader.isStub && !loader.chip.rom.spiAttach) {
    // The ESP8266 ROM has no SPI_ATTACH; FLASH_BEGIN(0, 0) attaches as a side effect.
    await flashBegin(loader, { size: 0, blocks: 0, blockSize: writeBlockSize(loader), offset: 0 });
    return;
  }
  // The ROM takes an extra word (is_legacy byte + 3 zero bytes); the stub takes exactly 4 bytes.
  const data = loader.isStub ? packU32(0) : packU32(0, 0);
  await loader.command({ op: OP.SPI_ATTACH, data });
}

/** Options for {@link setFlashParams}. */
export interface SetFlashParamsOptions {
  /** Total flash size in bytes (the ROM assumes 2 MB until told). */
  totalSize: number;
}

/**
 * SPI_SET_PARAMS(id 0, total size, 64 KiB block, 4 KiB sector, 256 B page, status mask 0xFFFF).
 * Skipped where the loader lacks it (ESP8266 ROM). Returns whether it was sent.
 */
export async function setFlashParams(loader: Loader, options: SetFlashParamsOptions): Promise<boolean> {
  if (!loader.isStub && !loader.chip.rom.spiSetParams) return false;
  await loader.command({
    op: OP.SPI_SET_PARAMS,
    data: packU32(0, options.totalSize, 0x10000, 0x1000, 0x100, 0xffff),
  });
  return true;
}
