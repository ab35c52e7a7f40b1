// The user-facing options of the virtual ESP32 and their parsers: `sim://esp32?flashSize=4MB&...`
// port URLs, flash sizes like `4MB`, chip revisions like `1.1`, faults (`fault=`, `seed=`) and the
// registry name (`id=`), and validation with coded errors that name what to fix.

import { CHIP_NAMES, type ChipName, chipInfo, parseChipName } from '../chips/chips.js';
import {
  type ChipRevision,
  encodeChipRevision,
  parseChipRevision,
  revisionLimits,
} from '../core/ops/chip-revision.js';
import type { Clock } from '../core/session/clock.js';
import { UsageError } from '../errors.js';
import { parseFaultSpecs, parseSeed } from './fault-spec.js';
import type { SimFaults } from './faults.js';
import { parseMac } from './registers.js';

/** Options of a virtual ESP32. */
export interface SimOptions {
  chip: ChipName;
  /** Flash size in bytes (default 4 MB). */
  flashSize?: number;
  /** Load flash contents from this file at start and save them on change and close. */
  flashFile?: string;
  /** MAC address `aa:bb:cc:dd:ee:ff` (default: a fixed Espressif-OUI MAC per chip). */
  mac?: string;
  /** Timing model (wire time, erase/program times). Default off for the transport, on for `espflash sim`. */
  timing?: boolean;
  clock?: Clock;
  /** Start in the ROM loader (default true). false: the application runs until a reset. */
  startInDownloadMode?: boolean;
  faults?: SimFaults;
  /** Secure Download Mode (ESP32-S2 and later). */
  secureDownload?: boolean;
  /** Flash encryption enabled (FLASH_CRYPT_CNT eFuse = 1: GET_SECURITY_INFO, ESP32 eFuse word 0). */
  flashEncryption?: boolean;
  /** Chip revision the eFuses report (default: a production revision per chip, `PRODUCTION_REVISION`). */
  revision?: ChipRevision;
  /** sim:// URLs only: the registry name; every open of the same `id` reaches the same chip. */
  id?: string;
}

/** URL parameters that configure faults rather than name the chip (left out of the registry key). */
export const VOLATILE_SIM_PARAMS: readonly string[] = ['fault', 'seed'];

const URL_HINT =
  'Use --port sim://<chip>?flashSize=4MB&flashFile=flash.bin&timing=0&rev=1.0 (e.g. sim://esp32).';

/** Parse `4MB`, `512KB`, `4M`, `0x400000` or a byte count; null when malformed. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*(kb|k|mb|m|b)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('m') ? 1024 * 1024 : unit.startsWith('k') ? 1024 : 1;
  return n * mult;
}

/** Check a flash size for `chip`; throws `sim/bad-flash-size`. */
export function validateFlashSize(chip: ChipName, size: number, source: string): number {
  const max = chipInfo(chip).maxFlashSize;
  if (!Number.isInteger(size) || size < 256 * 1024 || size > max || (size & (size - 1)) !== 0) {
    throw new UsageError(
      'sim/bad-flash-size',
      `flash size ${size} bytes (from ${source}) is not a power of two between 256KB and ${max / 1024 / 1024}MB for ${chip}`,
      { hint: `Pass ${source} as 1MB, 2MB, 4MB, 8MB or 16MB.`, details: { size, chip } },
    );
  }
  return size;
}

/** Resolve a chip name; throws `sim/bad-chip`. */
export function simChip(text: string, source: string): ChipName {
  const chip = parseChipName(text);
  if (!chip) {
    throw new UsageError('sim/bad-chip', `${source} "${text}" is not a chip the simulator knows`, {
      hint: `Pass ${source} with one of: ${CHIP_NAMES.join(', ')}.`,
      details: { value: text },
    });
  }
  return chip;
}

/** Secure Download Mode exists only on chips whose ROM has GET_SECURITY_INFO; throws `sim/no-secure-download`. */
export function validateSecureDownload(chip: ChipName, source: string): void {
  if (chipInfo(chip).securityInfoLength === null) {
    throw new UsageError('sim/no-secure-download', `${chip} has no Secure Download Mode to simulate`, {
      hint: `Drop ${source}, or simulate an ESP32-S2 or later chip.`,
      details: { chip },
    });
  }
}

/** Check a MAC string; throws `sim/bad-mac`. */
export function simMac(text: string, source: string): Uint8Array {
  const mac = parseMac(text);
  if (!mac) {
    throw new UsageError('sim/bad-mac', `${source} "${text}" is not a MAC address`, {
      hint: `Pass ${source} as six hex bytes, e.g. 24:0a:c4:12:34:56.`,
      details: { value: text },
    });
  }
  return mac;
}

/** Parse and check a chip revision (`1.1`, `v1.1`) for `chip`; throws `sim/no-revision` or `sim/bad-rev`. */
export function simRevision(chip: ChipName, text: string, source: string): ChipRevision {
  const limits = revisionLimits(chip);
  if (!limits) {
    throw new UsageError('sim/no-revision', `${chip} has no chip revision to simulate`, {
      hint: `Drop ${source}: the ESP8266 has no revision eFuse.`,
      details: { chip, value: text },
    });
  }
  const revision = parseChipRevision(text);
  if (!revision || !encodeChipRevision(chip, revision)) {
    throw new UsageError(
      'sim/bad-rev',
      `${source} "${text}" is not a revision ${chip} can report (major 0-${limits.maxMajor}, minor 0-${limits.maxMinor})`,
      { hint: `Pass ${source} as major.minor, e.g. 1.0.`, details: { chip, value: text } },
    );
  }
  return revision;
}

function flag(value: string, key: string, url: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new UsageError('sim/bad-url', `${url}: ${key}=${value} is not 0 or 1`, {
    hint: URL_HINT,
    details: { url },
  });
}

/** Split a sim:// URL into its chip and parameters; throws `sim/bad-url` / `sim/bad-chip`. */
export function splitSimUrl(url: string): { chip: ChipName; params: Array<[string, string]> } {
  const m = /^sim:\/\/([^?/#]*)\/?(?:\?(.*))?$/i.exec(url.trim());
  if (!m)
    throw new UsageError('sim/bad-url', `"${url}" is not a sim:// URL`, { hint: URL_HINT, details: { url } });
  let chipText: string;
  try {
    chipText = decodeURIComponent(m[1] || 'esp32');
  } catch {
    throw new UsageError('sim/bad-url', `"${url}" has a broken %-escape in the chip name`, {
      hint: URL_HINT,
      details: { url },
    });
  }
  const chip = simChip(chipText, `the chip in ${url}`);
  return { chip, params: [...new URLSearchParams(m[2] ?? '')] };
}

/**
 * Parse `sim://<chip>?flashSize=4MB&flashFile=x.bin&mac=..&timing=0&download=1&rev=1.0&fault=..&seed=7&id=x`.
 * `fault` takes the `espflash sim --fault` grammar with `:` or `=` (`fault=corrupt:1e-4,reset-at:@5`);
 * `seed` seeds it; `id` names the chip in the sim:// registry.
 * Throws `sim/bad-url` (or the specific `sim/bad-*` code) naming the part to fix.
 */
export function parseSimUrl(url: string): SimOptions {
  const { chip, params } = splitSimUrl(url);
  const options: SimOptions = { chip };
  for (const [key, value] of params) {
    switch (key) {
      case 'flashSize': {
        const size = parseByteSize(value);
        if (size === null) {
          throw new UsageError('sim/bad-url', `${url}: flashSize=${value} is not a size`, { hint: URL_HINT });
        }
        options.flashSize = validateFlashSize(chip, size, `flashSize in ${url}`);
        break;
      }
      case 'flashFile':
        options.flashFile = value;
        break;
      case 'mac':
        simMac(value, `mac in ${url}`);
        options.mac = value;
        break;
      case 'timing':
        options.timing = flag(value, key, url);
        break;
      case 'download':
        options.startInDownloadMode = flag(value, key, url);
        break;
      case 'secureDownload':
        options.secureDownload = flag(value, key, url);
        break;
      case 'flashEncryption':
        options.flashEncryption = flag(value, key, url);
        break;
      case 'rev':
        options.revision = simRevision(chip, value, `rev in ${url}`);
        break;
      case 'fault':
        options.faults = parseFaultSpecs([value], `fault= in ${url}`, options.faults);
        break;
      case 'seed':
        options.faults = { ...options.faults, seed: parseSeed(value, `seed= in ${url}`) };
        break;
      case 'id':
        options.id = value;
        break;
      default:
        throw new UsageError('sim/bad-url', `${url}: unknown parameter "${key}"`, {
          hint: `${URL_HINT} Known parameters: flashSize, flashFile, mac, timing, download, secureDownload, flashEncryption, rev, fault, seed, id.`,
          details: { url, key },
        });
    }
  }
  return options;
}
