// Integer fields as the generator reads them: Python `int(x, 0)` (0x/0o/0b prefixes, `_` digit
// separators, no leading zeros in decimal) with k/K (x1024) and m/M (x1048576) suffixes, then keywords.

import { UsageError } from '../errors.js';
import { pyStrip } from './csv-text.js';

const PY_INT =
  /^([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|(0(?:_?0)*|[1-9](?:_?[0-9])*))$/;

/** Python's `int(text, 0)`; null when Python would raise ValueError. */
export function parsePythonInt(text: string): number | null {
  const m = PY_INT.exec(pyStrip(text));
  if (!m) return null;
  const [, sign, hexDigits, octDigits, binDigits, decDigits] = m;
  let value: number;
  if (hexDigits !== undefined) value = Number.parseInt(hexDigits.replaceAll('_', ''), 16);
  else if (octDigits !== undefined) value = Number.parseInt(octDigits.replaceAll('_', ''), 8);
  else if (binDigits !== undefined) value = Number.parseInt(binDigits.replaceAll('_', ''), 2);
  else value = Number.parseInt(decDigits!.replaceAll('_', ''), 10);
  return sign === '-' ? -value : value;
}

/** A field value the generator rejects; `message` is its wording (the CSV parser adds the line). */
export class FieldError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid-value' | 'unknown-keyword',
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

/**
 * The generator's `parse_int`: suffixes first (recursively, so `1m` and `64K` work), then
 * `int(x, 0)`, then a case-insensitive keyword lookup when `keywords` is non-empty.
 * Throws {@link FieldError} with the generator's message.
 */
export function parseIntField(text: string, keywords: ReadonlyMap<string, number> = new Map()): number {
  // Strip suffixes in a loop, not by recursion: a long run of k/M must not overflow the stack.
  const factors: number[] = [];
  let rest = text;
  for (;;) {
    const last = rest.slice(-1).toLowerCase();
    if (last !== 'k' && last !== 'm') break;
    factors.push(last === 'k' ? 1024 : 1024 * 1024);
    rest = rest.slice(0, -1);
  }
  const applied = (base: number) => factors.reduceRight((v, f) => v * f, base);
  const value = parsePythonInt(rest);
  if (value !== null) return applied(value);
  if (keywords.size === 0) throw new FieldError(`Invalid field value ${rest}`, 'invalid-value');
  const known = keywords.get(rest.toLowerCase());
  if (known !== undefined) return applied(known);
  throw new FieldError(
    `Value '${rest}' is not valid. Known keywords: ${[...keywords.keys()].join(', ')}`,
    'unknown-keyword',
  );
}

/**
 * Parse a size or offset token the way partition CSVs write them (`0x9000`, `24K`, `1M`, `36864`).
 * Throws `partition/invalid-value` (a UsageError) naming `what` for anything else.
 */
export function parseSizeToken(text: string, what = 'value'): number {
  try {
    return parseIntField(pyStrip(text));
  } catch (err) {
    throw new UsageError('partition/invalid-value', `Invalid ${what} '${text}'`, {
      hint: 'Use a number such as 0x9000, 36864, 24K or 1M (k/K = x1024, m/M = x1048576).',
      details: { value: text },
      cause: err,
    });
  }
}
