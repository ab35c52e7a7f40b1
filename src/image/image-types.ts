// Data shapes of a parsed ESP application/bootloader image (header, extended header, segments,
// checksum, digest, descriptors) and the layout constants they come from (IMAGE_FORMAT.md §2).

import type { ChipName } from '../chips/chips.js';

/** Byte 0 of every ESP-IDF image. */
export const IMAGE_MAGIC = 0xe9;
/** Size of the common header (all chips). */
export const COMMON_HEADER_SIZE = 8;
/** Size of the extended header that follows on ESP32-family chips. */
export const EXTENDED_HEADER_SIZE = 16;
/** Size of each segment header (load address + length). */
export const SEGMENT_HEADER_SIZE = 8;
/** The ROM and 2nd-stage bootloader refuse more segments than this. */
export const MAX_SEGMENTS = 16;
/** Seed of the XOR checksum over segment data. */
export const CHECKSUM_SEED = 0xef;
/** Length of the appended SHA-256 digest. */
export const DIGEST_SIZE = 32;
/** Offset of the app / bootloader descriptor in an ESP32-family image (start of segment 0 data). */
export const DESCRIPTOR_OFFSET = 0x20;
/** `esp_app_desc_t.magic_word`. */
export const APP_DESC_MAGIC = 0xabcd5432;
/** Size of `esp_app_desc_t`. */
export const APP_DESC_SIZE = 256;
/** `esp_bootloader_desc_t.magic_byte`. */
export const BOOTLOADER_DESC_MAGIC = 0x50;
/** Size of `esp_bootloader_desc_t`. */
export const BOOTLOADER_DESC_SIZE = 80;
/** The value of byte 8 (WP pin) meaning "not used"; what ESP-IDF always writes. */
export const WP_PIN_DISABLED = 0xee;

/** Header byte 2 codes, in code order (0 = QIO … 5 = SLOW_READ). */
export const FLASH_MODE_NAMES = ['qio', 'qout', 'dio', 'dout', 'fast_read', 'slow_read'] as const;

/** Bytes 8–23 of an ESP32-family image. */
export interface ExtendedHeader {
  /** Byte 8; 0xEE = disabled. */
  wpPin: number;
  /** Bytes 12–13: the chip the image was built for. */
  chipId: number;
  /** Byte 14: legacy minimum chip revision. */
  minRev: number;
  /** Bytes 15–16: major*100 + minor (0 in images older than ESP-IDF v5.0). */
  minRevFull: number;
  /** Bytes 17–18: major*100 + minor; 0 or 0xFFFF mean "not set". */
  maxRevFull: number;
  /** Byte 23 == 1: a SHA-256 digest follows the checksum. */
  hashAppended: boolean;
}

/** One segment as found in the file. */
export interface ImageSegment {
  loadAddress: number;
  /** Data length in bytes (as stored in the segment header). */
  length: number;
  /** File offset of the segment data (just past its 8-byte header). */
  fileOffset: number;
}

/** `esp_app_desc_t`, the identification block at the start of an app's first segment. */
export interface AppDescriptor {
  secureVersion: number;
  version: string;
  projectName: string;
  time: string;
  date: string;
  idfVer: string;
  /** Hex SHA-256 of the ELF the image was made from (all zeros when unknown). */
  elfSha256: string;
}

/** `esp_bootloader_desc_t` (ESP-IDF v5.2+ bootloaders). */
export interface BootloaderDescriptor {
  secureVersion: number;
  version: number;
  idfVer: string;
  dateTime: string;
}

/** Best-effort detection of what follows the digest. */
export type ImageSignature = 'none' | 'secure-boot-v1' | 'secure-boot-v2';

/** A parsed image. Parsing checks structure only; {@link ImageProblem}s come from `verifyImage`. */
export interface EspImage {
  /** Byte 0 (always 0xE9 for a parsed image). */
  magic: number;
  segmentCount: number;
  /** Byte 2 (0 QIO, 1 QOUT, 2 DIO, 3 DOUT, …). */
  flashMode: number;
  /** High nibble of byte 3 (0..15). */
  flashSizeCode: number;
  /** Low nibble of byte 3 (0..15; meaning depends on the chip). */
  flashFreqCode: number;
  entry: number;
  /** Null for ESP8266 images, which have no extended header. */
  extended: ExtendedHeader | null;
  /** Chip from the extended header's chip id ('esp8266' for ESP8266 images; null when the id is unknown). */
  chip: ChipName | null;
  segments: ImageSegment[];
  checksum: { stored: number; computed: number };
  /** Length of the image through the checksum byte (a multiple of 16). */
  dataLength: number;
  /** Hex digests; null when the image has no appended SHA-256. */
  sha256: { stored: string; computed: string } | null;
  /** Bytes after the digest (or after the checksum when there is none): signatures, merged data. */
  trailingBytes: number;
  signature: ImageSignature;
  /** Total length of the parsed bytes. */
  fileSize: number;
  appDesc?: AppDescriptor;
  bootloaderDesc?: BootloaderDescriptor;
}

/** Something wrong with a structurally parsable image. */
export interface ImageProblem {
  code: 'image/bad-checksum' | 'image/bad-sha256' | 'image/chip-mismatch';
  message: string;
}
