// Status bytes → coded errors naming the command (PROTOCOL.md §1.4–§1.5): ROM reasons (byte 0 = 1,
// byte 1 = reason) as `rom/*`, stub codes (byte 0 = the code) as `stub/*`, the rest `rom/unknown-status`.

import { type ErrorCode, EspflashError } from '../../errors.js';
import { opcodeName } from './opcodes.js';

/** One known status: code suffix, wording, optional hint. */
interface StatusMeaning {
  code: ErrorCode;
  text: string;
  hint?: string;
}

const LINK_HINT = 'data was corrupted on the way: try a lower --baud or another USB cable';
const FLASH_HINT =
  'the flash chip failed the operation: check its power supply, or whether it is write-protected';

/** ROM reasons (second status byte when the first is 1). */
const ROM_REASONS: Readonly<Record<number, StatusMeaning>> = {
  0: { code: 'rom/undefined', text: 'undefined error' },
  1: { code: 'rom/invalid-input', text: 'invalid input parameter' },
  2: { code: 'rom/malloc-failed', text: 'memory allocation failed' },
  3: { code: 'rom/send-failed', text: 'send failed' },
  4: { code: 'rom/receive-failed', text: 'receive failed' },
  5: {
    code: 'rom/invalid-message',
    text: 'received message is invalid',
    hint: 'the loader did not accept the request; the command may need the flasher stub (remove --no-stub)',
  },
  6: { code: 'rom/failed-to-act', text: 'the operation failed' },
  7: { code: 'rom/bad-crc', text: 'checksum error', hint: LINK_HINT },
  8: { code: 'rom/flash-write', text: 'flash write error', hint: FLASH_HINT },
  9: { code: 'rom/flash-read', text: 'flash read error', hint: FLASH_HINT },
  10: { code: 'rom/read-length', text: 'flash read length error' },
  11: { code: 'rom/deflate', text: 'decompression failed', hint: LINK_HINT },
  12: {
    code: 'rom/deflate-adler32',
    text: 'decompressed data checksum (Adler-32) mismatch',
    hint: LINK_HINT,
  },
  13: { code: 'rom/deflate-param', text: 'decompression parameter error' },
  14: { code: 'rom/bad-ram-size', text: 'invalid RAM binary size' },
  15: { code: 'rom/bad-ram-address', text: 'invalid RAM binary address' },
  100: { code: 'rom/invalid-parameter', text: 'invalid parameter' },
  101: { code: 'rom/invalid-format', text: 'invalid format' },
  102: { code: 'rom/description-too-long', text: 'description too long' },
  103: { code: 'rom/bad-encoding', text: 'bad encoding description' },
  105: { code: 'rom/insufficient-storage', text: 'insufficient storage' },
};

/** Flasher stub codes (the first status byte itself). */
const STUB_CODES: Readonly<Record<number, StatusMeaning>> = {
  192: { code: 'stub/bad-data-len', text: 'bad data length' },
  193: { code: 'stub/bad-data-checksum', text: 'bad data checksum', hint: LINK_HINT },
  194: { code: 'stub/bad-blocksize', text: 'bad block size' },
  195: { code: 'stub/invalid-command', text: 'invalid command' },
  196: { code: 'stub/spi-failed', text: 'SPI flash operation failed', hint: FLASH_HINT },
  197: { code: 'stub/spi-unlock', text: 'SPI flash unlock failed', hint: FLASH_HINT },
  198: { code: 'stub/not-in-flash-mode', text: 'data arrived without a BEGIN command' },
  199: { code: 'stub/inflate', text: 'decompression (inflate) failed', hint: LINK_HINT },
  200: { code: 'stub/not-enough-data', text: 'not enough data before END' },
  201: { code: 'stub/too-much-data', text: 'more data than announced' },
  202: { code: 'stub/nand-program', text: 'NAND program failed', hint: FLASH_HINT },
  203: { code: 'stub/nand-erase', text: 'NAND erase failed', hint: FLASH_HINT },
  255: {
    code: 'stub/not-implemented',
    text: 'command not implemented',
    hint: 'the flasher stub lacks this command; try --no-stub',
  },
};

function byteHex(b: number): string {
  return `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** The meaning of a failing status pair, or null when it is not a known ROM/stub status. */
export function statusMeaning(
  byte0: number,
  byte1: number,
): (StatusMeaning & { source: 'rom' | 'stub' }) | null {
  if (byte0 === 1) {
    const m = ROM_REASONS[byte1];
    if (m) return { ...m, source: 'rom' };
  }
  const s = STUB_CODES[byte0];
  return s ? { ...s, source: 'stub' } : null;
}

/**
 * A coded error for a failing status: "FLASH_DEFL_DATA failed: flash write error (ROM status 0x01 0x08)".
 * `details` carries `{ command, status: [byte0, byte1], code }`.
 */
export function statusError(options: { op: number; byte0: number; byte1: number }): EspflashError {
  const { op, byte0, byte1 } = options;
  const command = opcodeName(op);
  const meaning = statusMeaning(byte0, byte1);
  const details = { command, status: [byte0, byte1], code: (byte0 << 8) | byte1 };
  const pair = `${byteHex(byte0)} ${byteHex(byte1)}`;
  if (!meaning) {
    return new EspflashError(
      'rom/unknown-status',
      `${command} failed with an unknown status (bytes ${pair})`,
      { details, hint: 'the loader reported an error espflash does not know; retry, or try --no-stub' },
    );
  }
  const who = meaning.source === 'rom' ? 'ROM' : 'stub';
  return new EspflashError(meaning.code, `${command} failed: ${meaning.text} (${who} status ${pair})`, {
    details,
    ...(meaning.hint === undefined ? {} : { hint: meaning.hint }),
  });
}
