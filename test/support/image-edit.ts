// Edit an application image the way a rebuild would: change code bytes and re-seal the image's XOR
// checksum and SHA-256, so the plan's integrity checks accept it and fast reflash sees a real change.

import { parseImage } from '../../src/image/image-parse.js';
import { sha256 } from '../../src/image/sha256.js';

/**
 * Change one byte of the image's last segment, 64 bytes before its end, and re-seal checksum and
 * SHA-256: every changed byte then lies in the image's last 4 KiB sector (callers check `at`).
 */
export function changeLastSector(app: Uint8Array): { bytes: Uint8Array; at: number } {
  const bytes = new Uint8Array(app);
  const image = parseImage(bytes);
  const last = image.segments[image.segments.length - 1]!;
  const at = last.fileOffset + last.length - 64;
  const delta = 0x5a;
  bytes[at]! ^= delta;
  bytes[image.dataLength - 1]! ^= delta; // the XOR checksum byte
  bytes.set(sha256(bytes.subarray(0, image.dataLength)), image.dataLength);
  return { bytes, at };
}
