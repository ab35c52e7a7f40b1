// A tiny seeded PRNG (splitmix32) and input mutators for the fuzz suites. Every iteration derives its
// own seed, so a failure message names the one seed needed to replay it.

/** Base seed for all fuzz suites: `FUZZ_SEED=<n>` replays a run; the default keeps CI deterministic. */
export const BASE_SEED = Number.parseInt(process.env.FUZZ_SEED ?? '', 10) || 0x5eed_f00d;

/** The seed of iteration `i` of a suite (suites pass distinct salts so they do not share streams). */
export function iterationSeed(salt: number, i: number): number {
  return (BASE_SEED ^ Math.imul(salt, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
}

/** Deterministic random source; the same seed always yields the same sequence. */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Integer in [0, n) (n ≥ 1). */
  below(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** Bytes drawn mostly from `alphabet` (e.g. SLIP specials), else uniform. */
  biasedBytes(length: number, alphabet: readonly number[], bias = 0.3): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.chance(bias) ? this.pick(alphabet) : this.u32() & 0xff;
    return out;
  }

  /** A string of `length` characters drawn from `alphabet`. */
  text(length: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[this.below(alphabet.length)];
    return s;
  }
}

/** Boundary values numeric length fields are tried with. */
export const INTERESTING_U32 = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fff, 0x8000, 0xffff,
  0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];

/** Write a little-endian u32 (clamped to the buffer). */
function putU32(bytes: Uint8Array, at: number, value: number): void {
  for (let k = 0; k < 4 && at + k < bytes.length; k++) bytes[at + k] = (value >>> (8 * k)) & 0xff;
}

/**
 * One random structural mutation of `input` (a new array): bit flips, byte sets, truncation,
 * extension, splices with `donor`, duplicated/removed ranges, and length-field lies (a u16/u32 at a
 * random or given offset set to a boundary value).
 */
export function mutate(
  rng: Prng,
  input: Uint8Array,
  options: { donor?: Uint8Array; lengthFields?: readonly number[] } = {},
): Uint8Array {
  let b = input.slice();
  const at = () => rng.below(Math.max(1, b.length));
  switch (rng.below(9)) {
    case 0: {
      const flips = rng.int(1, 8);
      for (let i = 0; i < flips && b.length > 0; i++) b[at()]! ^= 1 << rng.below(8);
      break;
    }
    case 1: {
      const sets = rng.int(1, 4);
      for (let i = 0; i < sets && b.length > 0; i++)
        b[at()] = rng.pick([0, 0xff, 0x7f, 0x80, 0xe9, 0xaa, 0x50, 0xc0, 0xdb]);
      break;
    }
    case 2:
      b = b.slice(0, rng.below(b.length + 1));
      break;
    case 3: {
      const extra = rng.chance(0.5)
        ? rng.bytes(rng.int(1, 64))
        : new Uint8Array(rng.int(1, 64)).fill(rng.pick([0, 0xff]));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      b = out;
      break;
    }
    case 4: {
      const donor = options.donor ?? rng.bytes(64);
      const from = rng.below(donor.length + 1);
      const piece = donor.subarray(from, from + rng.int(1, 128));
      const cut = rng.below(b.length + 1);
      const out = new Uint8Array(
        cut + piece.length + Math.max(0, b.length - cut - (rng.chance(0.5) ? piece.length : 0)),
      );
      out.set(b.subarray(0, cut));
      out.set(piece, cut);
      out.set(b.subarray(cut, cut + out.length - cut - piece.length), cut + piece.length);
      b = out;
      break;
    }
    case 5: {
      if (b.length === 0) break;
      const from = at();
      const len = rng.int(1, Math.min(64, b.length - from));
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, from + len));
      out.set(b.subarray(from, from + len), from + len);
      out.set(b.subarray(from + len), from + 2 * len);
      b = out;
      break;
    }
    case 6: {
      if (b.length === 0) break;
      const from = at();
      const len = rng.int(1, Math.min(64, b.length - from));
      const out = new Uint8Array(b.length - len);
      out.set(b.subarray(0, from));
      out.set(b.subarray(from + len), from);
      b = out;
      break;
    }
    case 7:
    case 8: {
      const fields = options.lengthFields;
      const offset = fields && fields.length > 0 && rng.chance(0.8) ? rng.pick(fields) : at();
      const value = rng.chance(0.7) ? rng.pick(INTERESTING_U32) : rng.u32();
      if (rng.chance(0.5)) putU32(b, offset, value);
      else {
        if (offset < b.length) b[offset] = value & 0xff;
        if (offset + 1 < b.length) b[offset + 1] = (value >>> 8) & 0xff;
      }
      break;
    }
  }
  return b;
}

/** Apply 1..`max` mutations in a row. */
export function mutateMany(
  rng: Prng,
  input: Uint8Array,
  options: { donor?: Uint8Array; lengthFields?: readonly number[]; max?: number } = {},
): Uint8Array {
  let b = input;
  const n = rng.int(1, options.max ?? 3);
  for (let i = 0; i < n; i++) b = mutate(rng, b, options);
  return b;
}

/** Text mutations: delete/duplicate/insert characters and tokens, swap in nasty fragments. */
export function mutateText(rng: Prng, input: string, fragments: readonly string[] = NASTY_FRAGMENTS): string {
  let s = input;
  const n = rng.int(1, 4);
  for (let k = 0; k < n; k++) {
    const i = rng.below(s.length + 1);
    switch (rng.below(6)) {
      case 0:
        s = s.slice(0, i) + s.slice(i + rng.int(1, 8));
        break;
      case 1:
        s = s.slice(0, i) + rng.pick(fragments) + s.slice(i);
        break;
      case 2:
        s = s.slice(0, i);
        break;
      case 3: {
        const j = rng.below(s.length + 1);
        s = s.slice(0, i) + s.slice(Math.min(i, j), Math.max(i, j)) + s.slice(i);
        break;
      }
      case 4:
        s = s.slice(0, i) + String.fromCharCode(rng.below(0x80)) + s.slice(i + 1);
        break;
      case 5:
        s = s.slice(0, i) + rng.pick(fragments) + s.slice(i + rng.int(1, 6));
        break;
    }
  }
  return s;
}

/** Fragments that tend to break hand-written parsers. */
export const NASTY_FRAGMENTS: readonly string[] = [
  ',',
  ',,,,,',
  '"',
  "'",
  '\\',
  '\n',
  '\r\n',
  '\r',
  '\t',
  ' ',
  '#',
  '\u0000',
  '\uFEFF',
  '\uFFFD',
  '😀',
  '0x',
  '0xZZ',
  '-1',
  '-0x1000',
  '1.5',
  '1e9',
  '99999999999999999999999',
  '0xffffffffffff',
  'NaN',
  'Infinity',
  'k',
  'M',
  '16M',
  '-4K',
  '0b101',
  '0o17',
  '1_000',
  '__proto__',
  'constructor',
  'toString',
  '$VAR',
  '$' + '{X}', // a literal ${X} placeholder for expandVars
  'null',
  'true',
  '[]',
  '{}',
  '[',
  '{',
  ']',
  '}',
  ':',
  'app',
  'data',
  'ota_0',
  'nvs',
  'factory',
  'bootloader',
  'partition_table',
  'encrypted',
  'readonly',
  'encrypted:readonly:bogus',
];

/** Short hex of bytes for failure messages (first `max` bytes). */
export function hexPreview(bytes: Uint8Array, max = 96): string {
  const head = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join('');
  return bytes.length > max ? `${head}… (${bytes.length} bytes)` : `${head} (${bytes.length} bytes)`;
}
