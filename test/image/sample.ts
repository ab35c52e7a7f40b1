// Test helpers: deterministic segment data and independent checksum/digest computations (node:crypto),
// so image tests never reuse the code under test to derive expected values.

import { createHash } from 'node:crypto';

/** Deterministic bytes (LCG) of `length`. */
export function pseudoBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Three segments of awkward (non multiple-of-4) lengths. */
export function sampleSegments(seed = 1): { loadAddress: number; data: Uint8Array }[] {
  return [
    { loadAddress: 0x3f400020, data: pseudoBytes(301, seed) },
    { loadAddress: 0x3ffb0000, data: pseudoBytes(64, seed + 1) },
    { loadAddress: 0x40080000, data: pseudoBytes(1023, seed + 2) },
  ];
}

/** Hex SHA-256 via node:crypto. */
export function nodeSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** 0xEF XOR over every data byte, computed independently. */
export function xorOf(parts: Uint8Array[]): number {
  let c = 0xef;
  for (const p of parts) for (const b of p) c ^= b;
  return c;
}

/** Little-endian u32 at `at` (independent of src/core/bytes). */
export function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
}

/** Little-endian u16 at `at`. */
export function u16(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(at, true);
}
