// Text-level helpers that make the CSV reader behave like Python's: BOM-aware decoding,
// str.splitlines(), str.strip() and os.path.expandvars() (plus the "unknown variable" rule).

import { UsageError } from '../errors.js';

/** Decode CSV bytes: a UTF-8/16/32 byte-order mark selects (and is dropped from) the encoding; else strict UTF-8. */
export function decodeCsvBytes(bytes: Uint8Array, options: { file?: string } = {}): string {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  try {
    if (starts(0xef, 0xbb, 0xbf)) return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
    if (starts(0xff, 0xfe, 0x00, 0x00)) return decodeUtf32(bytes.subarray(4), true);
    if (starts(0x00, 0x00, 0xfe, 0xff)) return decodeUtf32(bytes.subarray(4), false);
    if (starts(0xff, 0xfe)) return new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    if (starts(0xfe, 0xff)) return new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    const name = options.file ?? 'the partition CSV';
    throw new UsageError(
      'partition/bad-encoding',
      `${name} is not valid UTF-8 (or UTF-16/32 with a byte-order mark)`,
      {
        hint: `Save ${name} as UTF-8.`,
        details: { file: options.file },
        cause: err,
      },
    );
  }
}

function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string {
  if (bytes.length % 4) throw new Error('UTF-32 data length is not a multiple of 4');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) out += String.fromCodePoint(view.getUint32(i, littleEndian));
  return out;
}

// Python's str.splitlines() boundaries: \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Split like Python's `str.splitlines()` (no trailing empty line for a final newline). */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_BREAK);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// Characters Python's str.strip() removes (Unicode whitespace; note: not U+FEFF, unlike JS trim()).
const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Like Python's `str.strip()` without arguments. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/**
 * Expand `$NAME` and `${NAME}` from `env` like `os.path.expandvars` (unknown ones stay literal).
 * Throws `partition/unknown-variable` when the line still starts with an unexpanded `$NAME`,
 * as the generator does.
 */
export function expandVars(
  line: string,
  env: Record<string, string | undefined>,
  where: { file?: string; line: number },
) {
  const expanded = line.replace(/\$([A-Za-z0-9_]+|\{[^}]*\})/g, (whole, raw: string) => {
    const name = raw.startsWith('{') && raw.endsWith('}') ? raw.slice(1, -1) : raw;
    const value = env[name];
    return value === undefined ? whole : value;
  });
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(expanded);
  if (m) {
    const file = where.file ?? 'the partition CSV';
    throw new UsageError('partition/unknown-variable', `unknown variable '${m[1]}'`, {
      hint: `Set the environment variable ${m[1]} or edit line ${where.line} of ${file}.`,
      details: { file: where.file, line: where.line, variable: m[1] },
    });
  }
  return expanded;
}
