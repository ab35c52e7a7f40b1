// Deterministic, code-like filler for the example build: a seeded xorshift generator and byte
// streams that compress roughly like real firmware (repeated opcodes, literals, strings, zero runs).

/** A seeded 32-bit pseudo-random generator (Marsaglia xorshift). */
export interface Rng {
  /** Next value in [0, 2^32). */
  nextU32(): number;
  /** Next value in [0, n). */
  below(n: number): number;
}

/** Create a generator; equal seeds give equal streams. */
export function createRng(seed: number): Rng {
  let x = (seed ^ 0x5bd1e995) >>> 0 || 0x2545f491;
  const nextU32 = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  // Warm up so nearby seeds diverge quickly.
  for (let i = 0; i < 8; i++) nextU32();
  return { nextU32, below: (n) => Math.floor((nextU32() / 0x100000000) * n) };
}

/**
 * Instruction-like bytes: 4-byte words drawn from a small seeded vocabulary with a skewed
 * distribution, random literals, and back-references to earlier runs.
 */
export function codeBytes(length: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(length);
  const vocabulary = new Uint32Array(256);
  for (let i = 0; i < vocabulary.length; i++) vocabulary[i] = rng.nextU32();
  const view = new DataView(out.buffer);
  let pos = 0;
  while (pos + 4 <= length) {
    const roll = rng.below(100);
    if (roll < 12 && pos >= 64) {
      // Repeat an earlier run (inlined helpers, similar prologues).
      const run = 16 + rng.below(48);
      const from = rng.below(pos - run > 0 ? pos - run : 1);
      const n = Math.min(run, length - pos);
      out.copyWithin(pos, from, from + n);
      pos += n;
      continue;
    }
    let word: number;
    if (roll < 30) word = rng.nextU32();
    else {
      const r = rng.below(1 << 16) / (1 << 16);
      word = vocabulary[Math.floor(r * r * vocabulary.length)]!;
    }
    view.setUint32(pos, word, true);
    pos += 4;
  }
  return out;
}

const WORDS = [
  'init',
  'task',
  'wifi',
  'event',
  'error',
  'failed',
  'start',
  'ready',
  'heap',
  'free',
  'config',
  'timer',
  'queue',
  'sensor',
  'value',
  'connect',
  'retry',
  'uart',
  'flash',
  'partition',
  'boot',
  'version',
  'main',
  'loop',
  'state',
];

/** Read-only data: NUL-terminated log-format strings and small tables. */
export function rodataBytes(length: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(length);
  let pos = 0;
  while (pos < length) {
    if (rng.below(4) === 0) {
      // A lookup table: small increasing integers.
      const n = 4 + rng.below(12);
      let v = rng.below(16);
      for (let i = 0; i < n && pos + 4 <= length; i++, pos += 4) {
        out[pos] = v & 0xff;
        v += 1 + rng.below(8);
      }
      continue;
    }
    const count = 2 + rng.below(5);
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(WORDS[rng.below(WORDS.length)]!);
    const text = `${parts.join(' ')}: %d\n`;
    for (let i = 0; i < text.length && pos < length; i++) out[pos++] = text.charCodeAt(i);
    pos = Math.min(length, pos + 1 + rng.below(4)); // NUL terminator and alignment
  }
  return out;
}

/** Initialised data: mostly zeros with a few words set. */
export function dataBytes(length: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  for (let pos = 0; pos + 4 <= length; pos += 4) {
    if (rng.below(5) === 0) view.setUint32(pos, rng.below(4) === 0 ? rng.nextU32() : rng.below(256), true);
  }
  return out;
}
