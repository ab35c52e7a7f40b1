// How the write engine reads a failure: ONE classification (`writeFailureKind`) decides whether a
// block may be resent, the link is gone, or the flash chip is to blame; plus the hints of the
// give-up errors. What counts as a lost link comes from the error-code table (`errorKind`).

import { errorKind, isEspflashError } from '../../errors.js';
import { hex } from '../protocol/bytes.js';
import type { Loader } from '../session/loader.js';

/** What to try when a flash keeps failing (shared by every give-up error). */
export const FLASH_FAILURE_HINT =
  'Check the USB cable and hub (a short cable straight into the computer, or a powered hub); try a lower --baud (e.g. --baud 115200); in a VM, USB passthrough often drops bytes: serve the port from the host (esp_rfc2217_server) and use --port rfc2217://<host>:<port>; if the chip does not enter download mode, hold BOOT while it resets.';

/**
 * What to try when one sector keeps failing at the same place while the rest of the link works: the
 * flash, not the cable. `sectorAddress` is the absolute address of the failing sector.
 */
export function badSectorHint(sectorAddress: number): string {
  const at = hex(sectorAddress);
  return `The flash chip does not keep the bytes written to the sector at ${at}: it is bad or write-protected. Erase it and retry (espflash erase-region ${at} 0x1000), check the flash supply voltage and --flash-mode (config key flash.mode; try dio); if it persists, the flash chip is worn out or its write protection is set.`;
}

/**
 * - `link-lost`: the port or transport is gone, or the loader stopped answering even a resync:
 *   only reopening it helps;
 * - `rejected-block`: the loader refused a DATA block for its checksum or length before it touched
 *   any state: resend it;
 * - `unanswered`: a command timed out while the loader still talks (a damaged frame, most likely);
 * - `flash-chip`: a status that blames the flash itself (ROM write/read error, stub SPI failure);
 * - `verify-mismatch`: the device's MD5 differs from the bytes written;
 * - `other`: any other status or failure.
 */
export type WriteFailureKind =
  | 'link-lost'
  | 'rejected-block'
  | 'unanswered'
  | 'flash-chip'
  | 'verify-mismatch'
  | 'other';

const REJECTED_BLOCK = new Set(['rom/bad-crc', 'stub/bad-data-checksum', 'stub/bad-data-len']);
const FLASH_CHIP = new Set(['rom/flash-write', 'rom/flash-read', 'stub/spi-failed', 'stub/spi-unlock']);

/** The one retry decision of the write engine. */
export function writeFailureKind(err: unknown): WriteFailureKind {
  if (!isEspflashError(err)) return 'other';
  const code = err.code;
  // The code table decides what a lost link is (a resync SYNC after a timeout unanswered too counts).
  if (errorKind(err) === 'link-lost') return 'link-lost';
  if (code.startsWith('timeout/')) return 'unanswered';
  if (REJECTED_BLOCK.has(code)) return 'rejected-block';
  if (FLASH_CHIP.has(code)) return 'flash-chip';
  if (code === 'flash/verify-failed') return 'verify-mismatch';
  return 'other';
}

/** The port or transport is gone: only reopening it helps. */
export function isLinkLost(err: unknown): boolean {
  return writeFailureKind(err) === 'link-lost';
}

/** A stub session got a ROM-style status: the chip reset back into its ROM loader. */
export function fellBackToRom(loader: Pick<Loader, 'isStub'>, err: unknown): boolean {
  return loader.isStub && isEspflashError(err) && err.code.startsWith('rom/');
}

/** One line naming a failure, for messages and `retry` events. */
export function reasonOf(err: unknown): string {
  return isEspflashError(err) ? `${err.code}: ${err.message}` : String(err);
}

/**
 * A command went unanswered (whether or not the loader answered a resync after it): on a noisy link
 * the frame was most likely damaged (the stub drops a frame with a broken SLIP escape without a
 * reply), and smaller blocks are less likely to be hit.
 */
export function wentUnanswered(err: unknown): boolean {
  return isEspflashError(err) && err.code.startsWith('timeout/');
}
