// Get the flash ready after connecting (PROTOCOL.md §7.1, §8 step 6): attach, read the JEDEC id and
// size (not possible in Secure Download Mode), and tell the loader the size with SPI_SET_PARAMS.

import type { FlashEventSink } from '../../events.js';
import type { Loader } from '../session/loader.js';
import { type FlashId, flashSizeName, readFlashId } from './flash-id.js';
import { attachFlash, setFlashParams } from './spi-attach.js';

/** Size used when nothing is known (esptool's fallback in `detect` mode). */
export const FALLBACK_FLASH_SIZE = 4 << 20;

/** What {@link prepareFlash} learnt. */
export interface PreparedFlash {
  /** Decoded JEDEC id, or null in Secure Download Mode. */
  id: FlashId | null;
  /** Size told to the loader, in bytes. */
  sizeBytes: number;
  sizeName: string;
  /** Where the size came from. */
  sizeSource: 'detected' | 'given' | 'fallback';
}

/** Options for {@link prepareFlash}. */
export interface PrepareFlashOptions {
  /** A size the user gave (bytes); beats detection for SPI_SET_PARAMS. */
  sizeBytes?: number;
  /** Where `flash-detected` goes (default: the session's sink). */
  onEvent?: FlashEventSink;
}

/** Attach the flash, detect its id and size, and send SPI_SET_PARAMS. Emits `flash-detected`. */
export async function prepareFlash(
  loader: Loader,
  options: PrepareFlashOptions = {},
): Promise<PreparedFlash> {
  await attachFlash(loader);
  const id = loader.secureDownloadMode ? null : await readFlashId(loader);
  if (id)
    (options.onEvent ?? loader.onEvent)({ type: 'flash-detected', jedecId: id.jedecId, size: id.sizeBytes });
  let sizeBytes: number;
  let sizeSource: PreparedFlash['sizeSource'];
  if (options.sizeBytes !== undefined) {
    sizeBytes = options.sizeBytes;
    sizeSource = 'given';
  } else if (id?.sizeBytes) {
    sizeBytes = id.sizeBytes;
    sizeSource = 'detected';
  } else {
    sizeBytes = FALLBACK_FLASH_SIZE;
    sizeSource = 'fallback';
    loader.logger.warn(
      id
        ? `could not decode the flash size from JEDEC id 0x${id.jedecId.toString(16)}; assuming 4MB`
        : 'flash size cannot be detected in Secure Download Mode; assuming 4MB',
    );
  }
  await setFlashParams(loader, { totalSize: sizeBytes });
  return { id, sizeBytes, sizeName: flashSizeName(sizeBytes), sizeSource };
}
