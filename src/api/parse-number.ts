// Offsets and sizes as users type them: `0x9000`, `36864`, `64k`, `4M`, `0x10k` (k = 1024, M = 1 MiB).

import { UsageError } from '../errors.js';

const SUFFIX: Record<string, number> = { '': 1, k: 1024, kb: 1024, m: 1 << 20, mb: 1 << 20 };

/** Options for {@link parseNumberArg}. */
export interface ParseNumberOptions {
  /** The argument's name for messages, e.g. `<offset>`. */
  name: string;
  /** Allow 0 (default true). */
  allowZero?: boolean;
}

/**
 * Parse a non-negative integer in hex (`0x…`) or decimal with an optional `k`/`M` suffix. Throws
 * `usage/bad-number` naming the argument for anything else (negative, fractional, junk, > 4 GiB).
 */
export function parseNumberArg(text: string | number, options: ParseNumberOptions): number {
  const raw = String(text).trim();
  const m = /^(0x[0-9a-f]+|\d+)\s*(k|kb|m|mb)?$/i.exec(raw);
  const value = m
    ? Number(m[1]!.toLowerCase().startsWith('0x') ? Number.parseInt(m[1]!, 16) : m[1]) *
      SUFFIX[(m[2] ?? '').toLowerCase()]!
    : Number.NaN;
  const ok = Number.isSafeInteger(value) && value <= 0xffffffff && (value > 0 || (options.allowZero ?? true));
  if (!ok) {
    throw new UsageError(
      'usage/bad-number',
      `${options.name} "${raw}" is not a valid ${options.allowZero === false ? 'positive ' : ''}number`,
      {
        hint: `Write ${options.name} as hex (0x9000), decimal (36864) or with a k/M suffix (36k, 4M).`,
        details: { argument: options.name, value: raw },
      },
    );
  }
  return value;
}
