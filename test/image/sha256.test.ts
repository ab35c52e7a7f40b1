import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/protocol/bytes.js';
import { sha256, sha256Js } from '../../src/image/sha256.js';
import { nodeSha256, pseudoBytes } from './sample.js';

// Both paths: native where the platform has it (this Node), and the JavaScript fallback.
describe.each([
  ['sha256', sha256],
  ['sha256Js', sha256Js],
] as const)('%s', (_name, sha256) => {
  it('matches the FIPS 180 test vector for "abc"', () => {
    expect(toHex(sha256(new Uint8Array([0x61, 0x62, 0x63])))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_001])('matches node:crypto for %i bytes', (n) => {
    const data = pseudoBytes(n, n + 7);
    expect(toHex(sha256(data))).toBe(nodeSha256(data));
  });

  it('hashes a subarray view, not its whole buffer', () => {
    const data = pseudoBytes(300, 3);
    const view = data.subarray(17, 211);
    expect(toHex(sha256(view))).toBe(nodeSha256(view));
  });
});
