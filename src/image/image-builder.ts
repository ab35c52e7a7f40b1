// Build byte-exact ESP-IDF-style images from segments: header, extended header, 4-byte padded
// segments, 0xEF XOR checksum at the end of a 16-byte block, and the appended SHA-256.

import { type ChipName, chipInfo } from '../chips/chips.js';
import { writeU16, writeU32 } from '../core/protocol/bytes.js';
import { isFixedFlashSize } from '../core/settings.js';
import { type ErrorCode, UsageError } from '../errors.js';
import { parseFlashFreq, parseFlashMode, parseFlashSize } from './flash-params.js';
import { checksumOffset, xorChecksum } from './image-parse.js';
import {
  CHECKSUM_SEED,
  COMMON_HEADER_SIZE,
  DIGEST_SIZE,
  EXTENDED_HEADER_SIZE,
  IMAGE_MAGIC,
  MAX_SEGMENTS,
  SEGMENT_HEADER_SIZE,
  WP_PIN_DISABLED,
} from './image-types.js';
import { sha256 } from './sha256.js';

export {
  type AppDescriptorOptions,
  buildAppDescriptor,
  buildBootloaderDescriptor,
} from './image-descriptors.js';

/** Chip revision range ESP-IDF v5 writes by default (observed in real builds, IMAGE_FORMAT.md §2.2). */
const DEFAULT_REV_RANGE: Partial<Record<ChipName, { min: number; max: number }>> = {
  esp32: { min: 0, max: 399 },
  esp32s2: { min: 0, max: 199 },
  esp32s3: { min: 0, max: 99 },
  esp32c2: { min: 100, max: 199 },
  esp32c3: { min: 3, max: 199 },
  esp32c5: { min: 0, max: 99 },
  esp32c6: { min: 0, max: 99 },
  esp32c61: { min: 0, max: 99 },
  esp32h2: { min: 0, max: 99 },
  esp32p4: { min: 1, max: 199 },
};

/** One segment to place in the image. */
export interface BuildSegment {
  loadAddress: number;
  data: Uint8Array;
}

/** Options for {@link buildImage}. */
export interface BuildImageOptions {
  chip: ChipName;
  entry: number;
  segments: BuildSegment[];
  /** Default `dio` (what ESP-IDF writes). */
  flashMode?: string;
  /** Default: the chip's build default (`40m` on ESP32, `80m` on S3, `60m` on C2, `48m` on H2…). */
  flashFreq?: string;
  /** Default `2MB` (the ESP-IDF Kconfig default). */
  flashSize?: string;
  /** Append the SHA-256 digest (byte 23 = 1). Default true; not possible on ESP8266. */
  hashAppended?: boolean;
  /** major*100 + minor; default per chip as ESP-IDF v5 writes it. */
  minRevFull?: number;
  maxRevFull?: number;
  /** Legacy byte 14; default derived from minRevFull (minor on ESP32-C3, major elsewhere). */
  minRev?: number;
  /** Default 0xEE (disabled). */
  wpPin?: number;
}

function badOption(code: ErrorCode, message: string, hint: string): UsageError {
  return new UsageError(code, message, { hint });
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw badOption(
      'image/bad-build-option',
      `${name} ${value} is out of range 0..${max}`,
      `Fix ${name} in the buildImage options.`,
    );
  }
}

/** Resolve the header bytes 2 and 3 from the options (no `keep`/`detect` in a fresh image). */
function headerFlashBytes(options: BuildImageOptions): { mode: number; sizeFreq: number } {
  const info = chipInfo(options.chip);
  const mode = parseFlashMode(options.flashMode ?? 'dio');
  const freq = parseFlashFreq(options.chip, options.flashFreq ?? info.defaultFlashFreq);
  const size = parseFlashSize(options.chip, options.flashSize ?? '2MB');
  if (mode === 'keep' || freq === 'keep' || !isFixedFlashSize(size)) {
    throw badOption(
      'image/bad-build-option',
      'a new image needs a concrete flash mode, frequency and size (not keep/detect)',
      'Pass flashMode, flashFreq and flashSize values such as dio, 40m, 4MB.',
    );
  }
  return {
    mode: ['qio', 'qout', 'dio', 'dout'].indexOf(mode),
    sizeFreq: info.flashSizeCodes[size]! | info.flashFreqCodes[freq]!,
  };
}

/**
 * Build an image exactly as esptool's elf2image lays it out for ESP-IDF: each segment's data is
 * zero-padded to 4 bytes, the checksum sits in the last byte of a 16-byte block, and (unless
 * disabled, or on ESP8266) the SHA-256 of everything before it is appended.
 */
export function buildImage(options: BuildImageOptions): Uint8Array {
  const { chip, segments } = options;
  const esp8266 = chipInfo(chip).imageChipId === null;
  const hashAppended = options.hashAppended ?? !esp8266;
  if (esp8266 && hashAppended) {
    throw badOption(
      'image/bad-build-option',
      'ESP8266 images have no extended header, so no SHA-256 can be appended',
      'Leave hashAppended unset for esp8266.',
    );
  }
  if (segments.length > MAX_SEGMENTS) {
    throw badOption(
      'image/too-many-segments',
      `${segments.length} segments given; an image holds at most ${MAX_SEGMENTS}`,
      'Merge segments before building.',
    );
  }
  checkRange('entry', options.entry, 0xffffffff);
  const { mode, sizeFreq } = headerFlashBytes(options);
  const headerSize = esp8266 ? COMMON_HEADER_SIZE : COMMON_HEADER_SIZE + EXTENDED_HEADER_SIZE;
  const padded = segments.map((s) => Math.ceil(s.data.length / 4) * 4);
  const segmentsEnd = headerSize + padded.reduce((sum, len) => sum + SEGMENT_HEADER_SIZE + len, 0);
  const dataLength = checksumOffset(segmentsEnd) + 1;
  const out = new Uint8Array(dataLength + (hashAppended ? DIGEST_SIZE : 0));

  out[0] = IMAGE_MAGIC;
  out[1] = segments.length;
  out[2] = mode;
  out[3] = sizeFreq;
  writeU32(out, 4, options.entry);
  if (!esp8266) {
    const rev = DEFAULT_REV_RANGE[chip] ?? { min: 0, max: 0 };
    const minRevFull = options.minRevFull ?? rev.min;
    const maxRevFull = options.maxRevFull ?? rev.max;
    const minRev = options.minRev ?? (chip === 'esp32c3' ? minRevFull % 100 : Math.floor(minRevFull / 100));
    checkRange('minRevFull', minRevFull, 0xffff);
    checkRange('maxRevFull', maxRevFull, 0xffff);
    checkRange('minRev', minRev, 0xff);
    checkRange('wpPin', options.wpPin ?? WP_PIN_DISABLED, 0xff);
    out[8] = options.wpPin ?? WP_PIN_DISABLED;
    writeU16(out, 12, chipInfo(chip).imageChipId!);
    out[14] = minRev;
    writeU16(out, 15, minRevFull);
    writeU16(out, 17, maxRevFull);
    out[23] = hashAppended ? 1 : 0;
  }

  let pos = headerSize;
  let checksum = CHECKSUM_SEED;
  segments.forEach((segment, i) => {
    checkRange(`segments[${i}].loadAddress`, segment.loadAddress, 0xffffffff);
    writeU32(out, pos, segment.loadAddress);
    writeU32(out, pos + 4, padded[i]!);
    out.set(segment.data, pos + SEGMENT_HEADER_SIZE);
    checksum = xorChecksum(segment.data, 0, segment.data.length, checksum);
    pos += SEGMENT_HEADER_SIZE + padded[i]!;
  });
  out[dataLength - 1] = checksum;
  if (hashAppended) out.set(sha256(out.subarray(0, dataLength)), dataLength);
  return out;
}
