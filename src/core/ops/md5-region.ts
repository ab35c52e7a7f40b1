// SPI_FLASH_MD5 over a flash range (PROTOCOL.md §2.5): 32 ASCII hex chars from the ROM, 16 raw bytes
// from the stub; timeout 8 s per MB. Unavailable on the ESP8266 ROM and in Secure Download Mode.
// Also the "already there?" check before a write, with a cheap tail probe first.

import { EspflashError, UsageError } from '../../errors.js';
import { hex, packU32 } from '../protocol/bytes.js';
import { type HashFn, md5Hex } from '../protocol/md5.js';
import { OP, timeoutFor } from '../protocol/opcodes.js';
import { decodeMd5Reply } from '../protocol/packets.js';
import type { Loader } from '../session/loader.js';

/** Whether this loader can compute a flash MD5 (stub, or an ESP32-family ROM outside SDM). */
export function canMd5(loader: Pick<Loader, 'isStub' | 'chip' | 'secureDownloadMode'>): boolean {
  if (loader.secureDownloadMode) return false;
  return loader.isStub || loader.chip.rom.md5;
}

/**
 * Why this loader has no flash MD5, in words (for a warning): Secure Download Mode blocks the command;
 * otherwise the ROM loader (the ESP8266's) has none.
 */
export function md5UnavailableReason(loader: Pick<Loader, 'isStub' | 'chip' | 'secureDownloadMode'>): string {
  if (loader.secureDownloadMode)
    return `${loader.chip.displayName} is in Secure Download Mode, which blocks the flash MD5 command`;
  return `The ${loader.chip.displayName} ROM loader cannot compute a flash MD5`;
}

/** Options for {@link flashMd5}. */
export interface FlashMd5Options {
  offset: number;
  size: number;
}

/**
 * Lower-case hex MD5 of `size` flash bytes at `offset`, computed by the device. Throws
 * `flash/md5-unsupported` when the loader cannot (ESP8266 ROM, Secure Download Mode).
 */
export async function flashMd5(loader: Loader, options: FlashMd5Options): Promise<string> {
  if (!canMd5(loader)) {
    const details = { chip: loader.chip.name, offset: options.offset, size: options.size };
    if (loader.secureDownloadMode) {
      throw new EspflashError('flash/md5-unsupported', md5UnavailableReason(loader), {
        hint: 'Secure Download Mode blocks verification; nothing to change on the command line.',
        details,
      });
    }
    // Only the ESP8266 ROM lacks it, and it is in use only when the user chose --no-stub.
    throw new UsageError('flash/md5-unsupported', md5UnavailableReason(loader), {
      hint: 'Use the flasher stub (drop --no-stub).',
      details,
    });
  }
  const reply = await loader.command({
    op: OP.SPI_FLASH_MD5,
    data: packU32(options.offset, options.size, 0, 0),
    responseDataLength: loader.isStub ? 16 : 32,
    timeoutMs: timeoutFor(OP.SPI_FLASH_MD5, options.size),
  });
  const digest = decodeMd5Reply(reply.data);
  if (digest === null) {
    throw new EspflashError(
      'flash/bad-md5-reply',
      `SPI_FLASH_MD5 at ${hex(options.offset)} (+${options.size} bytes) returned a malformed digest of ${reply.data.length} bytes`,
      {
        hint: 'Retry; if it persists, lower --baud.',
        details: { offset: options.offset, size: options.size },
      },
    );
  }
  return digest;
}

/** Tail probed first by {@link deviceHolds}. */
export const HOLD_PROBE_BYTES = 0x1000;

/**
 * Whether the device already holds `data` at `offset` (its MD5 is `md5`). A region larger than two
 * probes gets its last 4 KiB compared first: an ESP image ends in its SHA-256, so a changed build (or
 * a blank chip) is ruled out by a tiny MD5 instead of one over the whole region. Then the whole range.
 */
export async function deviceHolds(
  loader: Loader,
  options: { offset: number; data: Uint8Array; md5: string; hash?: HashFn | undefined },
): Promise<boolean> {
  const { offset, data } = options;
  if (data.length > 2 * HOLD_PROBE_BYTES) {
    const tail = data.length - HOLD_PROBE_BYTES;
    const probe = await flashMd5(loader, { offset: offset + tail, size: HOLD_PROBE_BYTES });
    if (probe !== md5Hex(data.subarray(tail), options.hash)) return false;
  }
  return (await flashMd5(loader, { offset, size: data.length })) === options.md5;
}
