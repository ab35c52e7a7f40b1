// Encode and decode the identification blocks at image offset 0x20: `esp_app_desc_t` (apps) and
// `esp_bootloader_desc_t` (ESP-IDF v5.2+ bootloaders). Layouts from IMAGE_FORMAT.md §2.6.

import { fromHex, readU32, toHex, writeU32 } from '../core/protocol/bytes.js';
import { UsageError } from '../errors.js';
import {
  APP_DESC_MAGIC,
  APP_DESC_SIZE,
  type AppDescriptor,
  BOOTLOADER_DESC_MAGIC,
  BOOTLOADER_DESC_SIZE,
  type BootloaderDescriptor,
} from './image-types.js';

/** Field offsets and sizes of `esp_app_desc_t`. */
const APP = {
  secureVersion: 4,
  version: { at: 16, size: 32 },
  projectName: { at: 48, size: 32 },
  time: { at: 80, size: 16 },
  date: { at: 96, size: 16 },
  idfVer: { at: 112, size: 32 },
  elfSha256: { at: 144, size: 32 },
  mmuPageSize: 180,
} as const;

/** Field offsets and sizes of `esp_bootloader_desc_t`. */
const BOOT = {
  secureVersion: 3,
  version: 4,
  idfVer: { at: 8, size: 32 },
  dateTime: { at: 40, size: 24 },
} as const;

function readCString(bytes: Uint8Array, at: number, size: number): string {
  let s = '';
  for (let i = at; i < at + size; i++) {
    const b = bytes[i]!;
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s;
}

function writeCString(out: Uint8Array, field: { at: number; size: number }, text: string): void {
  const limit = Math.min(text.length, field.size - 1);
  for (let i = 0; i < limit; i++) out[field.at + i] = text.charCodeAt(i) & 0xff;
}

function isPrintable(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Decode `esp_app_desc_t` at `offset`, or undefined when the magic word is absent. */
export function parseAppDescriptor(bytes: Uint8Array, offset: number): AppDescriptor | undefined {
  if (offset + APP_DESC_SIZE > bytes.length || readU32(bytes, offset) !== APP_DESC_MAGIC) return undefined;
  const d = bytes.subarray(offset, offset + APP_DESC_SIZE);
  return {
    secureVersion: readU32(d, APP.secureVersion),
    version: readCString(d, APP.version.at, APP.version.size),
    projectName: readCString(d, APP.projectName.at, APP.projectName.size),
    time: readCString(d, APP.time.at, APP.time.size),
    date: readCString(d, APP.date.at, APP.date.size),
    idfVer: readCString(d, APP.idfVer.at, APP.idfVer.size),
    elfSha256: toHex(d.subarray(APP.elfSha256.at, APP.elfSha256.at + APP.elfSha256.size)),
  };
}

/**
 * Decode `esp_bootloader_desc_t` at `offset`. Its magic is a single byte, so the IDF version must
 * also be a non-empty printable string before the block is believed (best effort).
 */
export function parseBootloaderDescriptor(
  bytes: Uint8Array,
  offset: number,
): BootloaderDescriptor | undefined {
  if (offset + BOOTLOADER_DESC_SIZE > bytes.length || bytes[offset] !== BOOTLOADER_DESC_MAGIC)
    return undefined;
  const d = bytes.subarray(offset, offset + BOOTLOADER_DESC_SIZE);
  const idfVer = readCString(d, BOOT.idfVer.at, BOOT.idfVer.size);
  const dateTime = readCString(d, BOOT.dateTime.at, BOOT.dateTime.size);
  if (idfVer.length === 0 || !isPrintable(idfVer) || !isPrintable(dateTime)) return undefined;
  return { secureVersion: d[BOOT.secureVersion]!, version: readU32(d, BOOT.version), idfVer, dateTime };
}

/** Options for {@link buildAppDescriptor}. */
export interface AppDescriptorOptions {
  projectName: string;
  version: string;
  idfVer: string;
  /** `__DATE__` style, e.g. `Jan  1 2026` (default). */
  date?: string;
  /** `__TIME__` style, e.g. `12:00:00` (default). */
  time?: string;
  secureVersion?: number;
  /** Hex SHA-256 of the ELF (default all zeros). */
  elfSha256?: string;
  /** log2 of the MMU page size (default 16, i.e. 64 KiB). */
  mmuPageSizeLog2?: number;
}

/** A 256-byte `esp_app_desc_t`. Strings longer than their field are truncated (NUL kept). */
export function buildAppDescriptor(options: AppDescriptorOptions): Uint8Array {
  const out = new Uint8Array(APP_DESC_SIZE);
  writeU32(out, 0, APP_DESC_MAGIC);
  writeU32(out, APP.secureVersion, options.secureVersion ?? 0);
  writeCString(out, APP.version, options.version);
  writeCString(out, APP.projectName, options.projectName);
  writeCString(out, APP.time, options.time ?? '12:00:00');
  writeCString(out, APP.date, options.date ?? 'Jan  1 2026');
  writeCString(out, APP.idfVer, options.idfVer);
  if (options.elfSha256 !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(options.elfSha256)) {
      throw new UsageError(
        'image/bad-elf-sha256',
        `ELF SHA-256 "${options.elfSha256}" is not 64 hex digits`,
        {
          hint: 'Pass the hex digest of the ELF file as elfSha256.',
        },
      );
    }
    out.set(fromHex(options.elfSha256), APP.elfSha256.at);
  }
  out[APP.mmuPageSize] = options.mmuPageSizeLog2 ?? 16;
  return out;
}

/** Options for {@link buildBootloaderDescriptor}. */
export interface BootloaderDescriptorOptions {
  idfVer: string;
  /** Bootloader version number (CONFIG_BOOTLOADER_PROJECT_VER, default 1). */
  version?: number;
  /** `Jan  1 2026 12:00:00` style (default). */
  dateTime?: string;
  secureVersion?: number;
}

/** An 80-byte `esp_bootloader_desc_t`. */
export function buildBootloaderDescriptor(options: BootloaderDescriptorOptions): Uint8Array {
  const out = new Uint8Array(BOOTLOADER_DESC_SIZE);
  out[0] = BOOTLOADER_DESC_MAGIC;
  out[BOOT.secureVersion] = options.secureVersion ?? 0;
  writeU32(out, BOOT.version, options.version ?? 1);
  writeCString(out, BOOT.idfVer, options.idfVer);
  writeCString(out, BOOT.dateTime, options.dateTime ?? 'Jan  1 2026 12:00:00');
  return out;
}
