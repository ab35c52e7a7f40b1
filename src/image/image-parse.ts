// Parse an ESP image (header, segments, checksum, digest, descriptors) and check it: structural
// damage throws a coded EspflashError; checksum/digest/chip problems are returned by verifyImage.

import { type ChipName, chipByImageId, chipInfo } from '../chips/chips.js';
import { hex, readU16, readU32, toHex } from '../core/protocol/bytes.js';
import { type ErrorCode, EspflashError } from '../errors.js';
import { parseAppDescriptor, parseBootloaderDescriptor } from './image-descriptors.js';
import {
  APP_DESC_SIZE,
  CHECKSUM_SEED,
  COMMON_HEADER_SIZE,
  DESCRIPTOR_OFFSET,
  DIGEST_SIZE,
  type EspImage,
  EXTENDED_HEADER_SIZE,
  type ExtendedHeader,
  IMAGE_MAGIC,
  type ImageProblem,
  type ImageSegment,
  type ImageSignature,
  MAX_SEGMENTS,
  SEGMENT_HEADER_SIZE,
} from './image-types.js';
import { sha256 } from './sha256.js';

/** Options for {@link parseImage}. */
export interface ParseImageOptions {
  /** The chip the image is for; needed for ESP8266 images (no extended header). */
  chip?: ChipName;
  /** File name used in error messages. */
  file?: string;
}

const REBUILD_HINT =
  'Check that the file is a complete ESP-IDF binary from build/; rebuild it with `idf.py build`.';

/** XOR of `bytes[from, to)` into `seed`. */
export function xorChecksum(bytes: Uint8Array, from: number, to: number, seed: number): number {
  let c = seed;
  for (let i = from; i < to; i++) c ^= bytes[i]!;
  return c;
}

/** Offset of the checksum byte for segment data ending at `end`: the last byte of its 16-byte block. */
export function checksumOffset(end: number): number {
  return end + (15 - (end % 16));
}

function imageError(
  code: ErrorCode,
  message: string,
  file: string | undefined,
  hint = REBUILD_HINT,
): EspflashError {
  return new EspflashError(code, message, { hint, details: file === undefined ? {} : { file } });
}

/** Guess whether an image without a given chip is an ESP8266 one: its bytes 8–23 are not an extended header. */
function looksLikeEsp8266(bytes: Uint8Array): boolean {
  if (bytes.length < COMMON_HEADER_SIZE + EXTENDED_HEADER_SIZE) return false;
  const reservedZero = bytes[19] === 0 && bytes[20] === 0 && bytes[21] === 0 && bytes[22] === 0;
  return !(reservedZero && bytes[23]! <= 1);
}

function describeNonImage(bytes: Uint8Array, label: string): string {
  const first = bytes[0]!;
  if (first === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    return `${label} is an ELF file, not a flashable image (magic 0xE9 expected)`;
  }
  if (first === 0xaa && bytes[1] === 0x50) return `${label} is a partition table, not an application image`;
  return `${label} does not start with the ESP image magic 0xE9 (found ${hex(first)})`;
}

function readExtended(bytes: Uint8Array): ExtendedHeader {
  return {
    wpPin: bytes[8]!,
    chipId: readU16(bytes, 12),
    minRev: bytes[14]!,
    minRevFull: readU16(bytes, 15),
    maxRevFull: readU16(bytes, 17),
    hashAppended: bytes[23] === 1,
  };
}

/** Best-effort: what follows the image end (`end` = past the digest, or past the checksum). */
function detectSignature(bytes: Uint8Array, end: number): ImageSignature {
  const trailing = bytes.length - end;
  if (trailing <= 0) return 'none';
  if (trailing === 68 && readU32(bytes, end) === 0) return 'secure-boot-v1';
  for (const at of [end, Math.ceil(end / 4096) * 4096]) {
    if (at + 4 <= bytes.length && bytes[at] === 0xe7 && (bytes[at + 1] === 2 || bytes[at + 1] === 3)) {
      if (bytes[at + 2] === 0 && bytes[at + 3] === 0) return 'secure-boot-v2';
    }
  }
  return 'none';
}

/**
 * Parse an ESP image. Throws `image/too-short`, `image/bad-magic`, `image/too-many-segments` or
 * `image/truncated` (EspflashError, exit 1) when the structure is broken. Without `chip`, an image
 * whose bytes 8–23 cannot be an extended header is read as an ESP8266 image.
 */
export function parseImage(bytes: Uint8Array, options: ParseImageOptions = {}): EspImage {
  const { file } = options;
  const label = file ?? 'image';
  if (bytes.length < COMMON_HEADER_SIZE) {
    throw imageError(
      'image/too-short',
      `${label} is ${bytes.length} bytes; an ESP image header alone is 8`,
      file,
    );
  }
  if (bytes[0] !== IMAGE_MAGIC) {
    throw imageError(
      'image/bad-magic',
      describeNonImage(bytes, label),
      file,
      'Pass an ESP-IDF image such as build/<project>.bin or build/bootloader/bootloader.bin.',
    );
  }
  const esp8266 = options.chip === 'esp8266' || (options.chip === undefined && looksLikeEsp8266(bytes));
  const headerSize = esp8266 ? COMMON_HEADER_SIZE : COMMON_HEADER_SIZE + EXTENDED_HEADER_SIZE;
  if (bytes.length < headerSize) {
    throw imageError(
      'image/too-short',
      `${label} is ${bytes.length} bytes; the image header is ${headerSize}`,
      file,
    );
  }
  const segmentCount = bytes[1]!;
  if (segmentCount > MAX_SEGMENTS) {
    throw imageError(
      'image/too-many-segments',
      `${label} declares ${segmentCount} segments; the bootloader accepts at most ${MAX_SEGMENTS}`,
      file,
    );
  }
  const extended = esp8266 ? null : readExtended(bytes);

  const segments: ImageSegment[] = [];
  let checksum = CHECKSUM_SEED;
  let pos = headerSize;
  for (let i = 0; i < segmentCount; i++) {
    if (pos + SEGMENT_HEADER_SIZE > bytes.length) {
      throw imageError(
        'image/truncated',
        `${label}: header of segment ${i} at ${hex(pos)} runs past the end of the file (${bytes.length} bytes)`,
        file,
      );
    }
    const loadAddress = readU32(bytes, pos);
    const length = readU32(bytes, pos + 4);
    const fileOffset = pos + SEGMENT_HEADER_SIZE;
    if (fileOffset + length > bytes.length) {
      throw imageError(
        'image/truncated',
        `${label}: segment ${i} (${length} bytes at ${hex(fileOffset)}) runs past the end of the file (${bytes.length} bytes)`,
        file,
      );
    }
    segments.push({ loadAddress, length, fileOffset });
    checksum = xorChecksum(bytes, fileOffset, fileOffset + length, checksum);
    pos = fileOffset + length;
  }

  const checksumAt = checksumOffset(pos);
  if (checksumAt >= bytes.length) {
    throw imageError(
      'image/truncated',
      `${label}: the checksum byte at ${hex(checksumAt)} is past the end of the file (${bytes.length} bytes)`,
      file,
    );
  }
  const dataLength = checksumAt + 1;
  let end = dataLength;
  let digest: EspImage['sha256'] = null;
  if (extended?.hashAppended) {
    if (dataLength + DIGEST_SIZE > bytes.length) {
      throw imageError(
        'image/truncated',
        `${label}: the SHA-256 digest at ${hex(dataLength)} runs past the end of the file (${bytes.length} bytes)`,
        file,
      );
    }
    end = dataLength + DIGEST_SIZE;
    digest = {
      stored: toHex(bytes.subarray(dataLength, end)),
      computed: toHex(sha256(bytes.subarray(0, dataLength))),
    };
  }

  const image: EspImage = {
    magic: IMAGE_MAGIC,
    segmentCount,
    flashMode: bytes[2]!,
    flashSizeCode: bytes[3]! >> 4,
    flashFreqCode: bytes[3]! & 0x0f,
    entry: readU32(bytes, 4),
    extended,
    chip: esp8266 ? 'esp8266' : (chipByImageId(extended!.chipId)?.name ?? null),
    segments,
    checksum: { stored: bytes[checksumAt]!, computed: checksum },
    dataLength,
    sha256: digest,
    trailingBytes: bytes.length - end,
    signature: detectSignature(bytes, end),
    fileSize: bytes.length,
  };
  const first = segments[0];
  if (!esp8266 && first !== undefined && first.fileOffset === DESCRIPTOR_OFFSET) {
    const appDesc = first.length >= APP_DESC_SIZE ? parseAppDescriptor(bytes, DESCRIPTOR_OFFSET) : undefined;
    if (appDesc) image.appDesc = appDesc;
    else {
      const bootloaderDesc = parseBootloaderDescriptor(bytes, DESCRIPTOR_OFFSET);
      if (bootloaderDesc) image.bootloaderDesc = bootloaderDesc;
    }
  }
  return image;
}

/** Options for {@link verifyImage}. */
export interface VerifyImageOptions {
  /** The chip the image must be built for. */
  chip?: ChipName;
}

function chipIdName(id: number): string {
  const chip = chipByImageId(id);
  return chip ? `${chip.displayName} (chip id ${id})` : `an unknown chip (chip id ${id})`;
}

/** Checksum, digest and chip checks on a parsed image; returns every problem found (empty = valid). */
export function verifyImage(image: EspImage, options: VerifyImageOptions = {}): ImageProblem[] {
  const problems: ImageProblem[] = [];
  const { stored, computed } = image.checksum;
  if (stored !== computed) {
    problems.push({
      code: 'image/bad-checksum',
      message: `checksum byte at ${hex(image.dataLength - 1)} is ${hex(stored)} but the segment data gives ${hex(computed)}`,
    });
  }
  if (image.sha256 && image.sha256.stored !== image.sha256.computed) {
    problems.push({
      code: 'image/bad-sha256',
      message:
        `appended SHA-256 at ${hex(image.dataLength)} (${image.sha256.stored.slice(0, 16)}…) does not match ` +
        `the image contents (${image.sha256.computed.slice(0, 16)}…)`,
    });
  }
  if (options.chip !== undefined) {
    const expected = chipInfo(options.chip);
    let mismatch: string | null = null;
    if (expected.imageChipId === null) {
      if (image.extended)
        mismatch = `image is built for ${chipIdName(image.extended.chipId)}, not ${expected.displayName}`;
    } else if (!image.extended) {
      mismatch = `image has no extended header (an ESP8266 image), not an image for ${expected.displayName}`;
    } else if (image.extended.chipId !== expected.imageChipId) {
      mismatch =
        `image is built for ${chipIdName(image.extended.chipId)}, ` +
        `not ${expected.displayName} (chip id ${expected.imageChipId})`;
    }
    if (mismatch) problems.push({ code: 'image/chip-mismatch', message: mismatch });
  }
  return problems;
}

/** Options for {@link assertImageValid}. */
export interface AssertImageOptions {
  chip?: ChipName;
  /** File name for messages. */
  file?: string;
}

/** Parse and verify; throws the first problem as an EspflashError naming the file. */
export function assertImageValid(bytes: Uint8Array, options: AssertImageOptions): EspImage {
  const image = parseImage(bytes, options);
  const problems = verifyImage(image, options);
  const first = problems[0];
  if (first) {
    const label = options.file ?? 'image';
    const hint =
      first.code === 'image/chip-mismatch'
        ? `Rebuild for ${options.chip} (\`idf.py set-target ${options.chip}\` then \`idf.py build\`) or pass the --chip the image was built for.`
        : 'The file is corrupt or was changed after the build; rebuild it with `idf.py build`.';
    throw new EspflashError(first.code, `${label}: ${first.message}`, {
      hint,
      details: { ...(options.file === undefined ? {} : { file: options.file }), problems },
    });
  }
  return image;
}
