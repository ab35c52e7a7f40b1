// Flash mode / frequency / size: parse user spellings against the chip table, decode an image
// header's byte 2/3, and patch them the way esptool does when writing a bootloader (PROTOCOL.md §7.4).

import { type ChipName, chipInfo } from '../chips/chips.js';
import { hex } from '../core/protocol/bytes.js';
import { type FlashMode, isFixedFlashSize } from '../core/settings.js';
import { EspflashError, UsageError } from '../errors.js';
import { parseImage, verifyImage } from './image-parse.js';
import { type EspImage, FLASH_MODE_NAMES, type ImageProblem } from './image-types.js';
import { sha256 } from './sha256.js';

/** Header flash modes a user may ask for (`keep` leaves byte 2 alone): the settings vocabulary's. */
export type HeaderFlashMode = FlashMode;

const MODE_CODES: Record<Exclude<HeaderFlashMode, 'keep'>, number> = { qio: 0, qout: 1, dio: 2, dout: 3 };

/** `4mb` → `4MB`, `512kb` → `512KB`, `2MB-C1` → `2MB-c1`; null when it is not a size. */
function normalizeSize(text: string): string | null {
  const m = /^(\d+)\s*([KM])B?(-c1)?$/i.exec(text.trim());
  if (!m) return null;
  return `${Number(m[1])}${m[2]!.toUpperCase()}B${m[3] ? '-c1' : ''}`;
}

function sizeError(text: string, valid: string[], chipName?: string): UsageError {
  const what = chipName
    ? `is not a flash size ${chipName} images support (valid: ${valid.join(', ')})`
    : 'is not a valid size';
  return new UsageError('image/bad-flash-size', `flash size "${text}" ${what}`, {
    hint: `Pass --flash-size with one of: ${valid.join(', ')}.`,
    details: { value: text },
  });
}

/** `4MB` → 4194304, `512KB` → 524288 (`-c1` layouts count as their size). Throws `image/bad-flash-size`. */
export function flashSizeToBytes(size: string): number {
  const norm = normalizeSize(size);
  if (norm === null) throw sizeError(size, ['256KB', '512KB', '1MB', '2MB', '4MB', '8MB', '16MB', '…']);
  const m = /^(\d+)([KM])B/.exec(norm)!;
  const n = Number(m[1]);
  if (n === 0) throw sizeError(size, ['256KB', '512KB', '1MB', '2MB', '4MB', '8MB', '16MB', '…']);
  return n * (m[2] === 'K' ? 1024 : 1024 * 1024);
}

/** Validate a flash mode (`qio`, `qout`, `dio`, `dout`, `keep`; case-insensitive). Throws `image/bad-flash-mode`. */
export function parseFlashMode(text: string): HeaderFlashMode {
  const t = text.trim().toLowerCase();
  if (t === 'keep' || Object.hasOwn(MODE_CODES, t)) return t as HeaderFlashMode;
  throw new UsageError(
    'image/bad-flash-mode',
    `flash mode "${text}" is not one of qio, qout, dio, dout, keep`,
    {
      hint: 'Pass --flash-mode qio, qout, dio, dout or keep.',
      details: { value: text },
    },
  );
}

/**
 * Validate a flash frequency for `chip` against its header table (`80m`, `80M`, `80MHz`, `80` all
 * mean `80m`), or `keep`. Throws `image/bad-flash-freq` naming the chip's valid values.
 */
export function parseFlashFreq(chip: ChipName, text: string): string {
  let t = text.trim().toLowerCase().replace(/hz$/, '');
  if (t === 'keep') return t;
  if (/^\d+$/.test(t)) t = `${t}m`;
  const info = chipInfo(chip);
  if (Object.hasOwn(info.flashFreqCodes, t)) return t;
  const valid = Object.keys(info.flashFreqCodes);
  throw new UsageError(
    'image/bad-flash-freq',
    `flash frequency "${text}" is not supported by ${info.displayName} (valid: ${valid.join(', ')})`,
    {
      hint: `Pass --flash-freq with one of: ${[...valid, 'keep'].join(', ')}.`,
      details: { value: text, chip },
    },
  );
}

/** Validate a flash size for `chip` (`4MB`, `detect` or `keep`). Throws `image/bad-flash-size`. */
export function parseFlashSize(chip: ChipName, text: string): string {
  const t = text.trim().toLowerCase();
  if (!isFixedFlashSize(t)) return t;
  const info = chipInfo(chip);
  const norm = normalizeSize(text);
  if (norm !== null && Object.hasOwn(info.flashSizeCodes, norm)) return norm;
  const valid = [...Object.keys(info.flashSizeCodes), 'detect', 'keep'];
  throw sizeError(text, valid, info.displayName);
}

/** Decoded header byte 2/3 for `chip`; null where the code has no name in the chip table. */
export interface HeaderFlashParams {
  mode: string;
  freq: string | null;
  size: string | null;
}

/**
 * Name the flash parameters in an image header for `chip`. On ESP32-C6 code 0 stands for both 40m
 * and 80m; it is reported as `80m` (the build default; real C6 builds at 80m carry code 0).
 */
export function describeHeaderFlashParams(image: EspImage, chip: ChipName): HeaderFlashParams {
  const info = chipInfo(chip);
  const mode = FLASH_MODE_NAMES[image.flashMode] ?? `unknown (${hex(image.flashMode)})`;
  const freq =
    Object.entries(info.flashFreqCodes).find(([, code]) => code === image.flashFreqCode)?.[0] ?? null;
  const size =
    Object.entries(info.flashSizeCodes).find(([, code]) => code === image.flashSizeCode << 4)?.[0] ?? null;
  return { mode, freq, size };
}

/** Options for {@link patchFlashParams}. Omitted values mean `keep`. */
export interface PatchFlashParamsOptions {
  chip: ChipName;
  mode?: string;
  freq?: string;
  /** A size, `detect` (use `detectedSize`) or `keep`. */
  size?: string;
  /** Size read from the flash chip for `detect`; null/undefined or unsupported by the chip keeps the header's. */
  detectedSize?: string | null;
  /** File name for messages. */
  file?: string;
}

/** Result of {@link patchFlashParams}. */
export interface PatchFlashParamsResult {
  /** A new array (the input is never modified). */
  bytes: Uint8Array;
  /** Whether any byte differs from the input. */
  changed: boolean;
}

function resolveSize(chip: ChipName, size: string, detectedSize: string | null | undefined): string {
  if (size !== 'detect') return size;
  if (detectedSize === null || detectedSize === undefined) return 'keep';
  const norm = normalizeSize(detectedSize);
  return norm !== null && Object.hasOwn(chipInfo(chip).flashSizeCodes, norm) ? norm : 'keep';
}

/**
 * Read as ESP8266, an ESP32-family image shows no extended header, so verifyImage sees no mismatch
 * (and its appended digest would go stale): look for a known chip id in an extended header instead.
 */
function esp32ImageForEsp8266(bytes: Uint8Array, chip: ChipName): ImageProblem | undefined {
  if (chipInfo(chip).imageChipId !== null) return undefined;
  let probe: EspImage;
  try {
    probe = parseImage(bytes);
  } catch {
    return undefined;
  }
  if (probe.extended === null || probe.chip === null) return undefined;
  return verifyImage(probe, { chip }).find((p) => p.code === 'image/chip-mismatch');
}

/**
 * Rewrite header bytes 2 (mode) and 3 (size nibble | freq nibble) like esptool does for the image
 * at the bootloader offset: `keep` parts stay, the checksum byte is unchanged, and when byte 23 is
 * 1 the SHA-256 over `[0, dataLength)` is recomputed in place (bytes after it are kept). A signed
 * image is refused (`image/signed-no-patch`) when the patch would change it, and so is an image
 * whose extended header names another chip (`image/chip-mismatch`). With everything `keep`, the
 * bytes are copied without being parsed. Checksum/digest validity is not checked here.
 */
export function patchFlashParams(
  bytes: Uint8Array,
  options: PatchFlashParamsOptions,
): PatchFlashParamsResult {
  const { chip, file } = options;
  const mode = options.mode === undefined ? 'keep' : parseFlashMode(options.mode);
  const freq = options.freq === undefined ? 'keep' : parseFlashFreq(chip, options.freq);
  const requestedSize = options.size === undefined ? 'keep' : parseFlashSize(chip, options.size);
  const size = resolveSize(chip, requestedSize, options.detectedSize);
  const out = bytes.slice();
  if (mode === 'keep' && freq === 'keep' && size === 'keep') return { bytes: out, changed: false };

  const image = parseImage(bytes, { chip, ...(file === undefined ? {} : { file }) });
  const info = chipInfo(chip);
  const mismatch =
    verifyImage(image, { chip }).find((p) => p.code === 'image/chip-mismatch') ??
    esp32ImageForEsp8266(bytes, chip);
  if (mismatch) {
    throw new EspflashError(
      'image/chip-mismatch',
      `${file ?? 'image'}: ${mismatch.message}; its flash settings cannot be set for ${info.displayName}`,
      {
        hint: `Flash a bootloader built for ${chip} (\`idf.py set-target ${chip}\`), or pass the --chip it was built for.`,
        details: { ...(file === undefined ? {} : { file }), chip },
      },
    );
  }
  if (mode !== 'keep') out[2] = MODE_CODES[mode];
  const sizeNibble = size === 'keep' ? image.flashSizeCode : info.flashSizeCodes[size]! >> 4;
  const freqNibble = freq === 'keep' ? image.flashFreqCode : info.flashFreqCodes[freq]!;
  out[3] = ((sizeNibble << 4) | freqNibble) & 0xff;
  const changed = out[2] !== bytes[2] || out[3] !== bytes[3];
  if (!changed) return { bytes: out, changed };

  if (image.signature !== 'none') {
    throw new UsageError(
      'image/signed-no-patch',
      `${file ?? 'image'} carries a ${image.signature} signature; changing its flash mode/frequency/size ` +
        'header bytes would break the signature and the chip would refuse to boot it',
      {
        hint: 'Pass --flash-mode keep --flash-freq keep --flash-size keep to write the signed image unchanged.',
        details: { ...(file === undefined ? {} : { file }), signature: image.signature },
      },
    );
  }
  if (image.extended?.hashAppended) out.set(sha256(out.subarray(0, image.dataLength)), image.dataLength);
  return { bytes: out, changed };
}
