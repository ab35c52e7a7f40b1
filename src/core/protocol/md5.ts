// MD5 (RFC 1321), written from the algorithm description, for verifying flash regions in the
// platform-free core. Node callers may inject a faster HashFn (node:crypto) instead.

import { toHex } from './bytes.js';

/** A function returning the 16-byte MD5 digest of `bytes` (inject node:crypto in Node). */
export type HashFn = (bytes: Uint8Array) => Uint8Array;

// Per-round left-rotation amounts.
const SHIFTS = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
  21, 6, 10, 15, 21,
];

// T[i] = floor(abs(sin(i + 1)) * 2^32), as the RFC defines the table.
const T = new Uint32Array(64);
for (let i = 0; i < 64; i++) T[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0;

/** The 16-byte MD5 digest of `bytes`. */
export function md5(bytes: Uint8Array): Uint8Array {
  const bitLength = bytes.length * 8;
  // Message + 0x80 + zero padding up to 56 mod 64, then the 64-bit little-endian bit length.
  const paddedLength = (((bytes.length + 8) >>> 6) + 1) << 6;
  const tail = new Uint8Array(paddedLength - (bytes.length & ~63));
  const fullBlocks = bytes.length & ~63;
  tail.set(bytes.subarray(fullBlocks));
  tail[bytes.length - fullBlocks] = 0x80;
  const lenAt = tail.length - 8;
  const low = bitLength >>> 0;
  const high = Math.floor(bitLength / 0x100000000) >>> 0;
  for (let i = 0; i < 4; i++) {
    tail[lenAt + i] = (low >>> (8 * i)) & 0xff;
    tail[lenAt + 4 + i] = (high >>> (8 * i)) & 0xff;
  }

  const state = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  const words = new Uint32Array(16);
  for (let at = 0; at < fullBlocks; at += 64) processBlock(state, words, bytes, at);
  for (let at = 0; at < tail.length; at += 64) processBlock(state, words, tail, at);

  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const v = state[i]!;
    out[i * 4] = v & 0xff;
    out[i * 4 + 1] = (v >>> 8) & 0xff;
    out[i * 4 + 2] = (v >>> 16) & 0xff;
    out[i * 4 + 3] = (v >>> 24) & 0xff;
  }
  return out;
}

function processBlock(state: Uint32Array, x: Uint32Array, src: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    x[i] = (src[j]! | (src[j + 1]! << 8) | (src[j + 2]! << 16) | (src[j + 3]! << 24)) >>> 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const sum = (a + f + T[i]! + x[g]!) | 0;
    const s = SHIFTS[i]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
  }
  state[0] = (state[0]! + a) >>> 0;
  state[1] = (state[1]! + b) >>> 0;
  state[2] = (state[2]! + c) >>> 0;
  state[3] = (state[3]! + d) >>> 0;
}

/** Lower-case hex MD5 of `bytes`, using `hash` when given (defaults to {@link md5}). */
export function md5Hex(bytes: Uint8Array, hash: HashFn = md5): string {
  return toHex(hash(bytes));
}
