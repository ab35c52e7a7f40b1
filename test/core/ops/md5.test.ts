import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5, md5Hex } from '../../../src/core/protocol/md5.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const nodeMd5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe('md5', () => {
  it('matches the RFC 1321 test suite', () => {
    expect(md5Hex(ascii(''))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex(ascii('a'))).toBe('0cc175b9c0f1b6a831c399e269772661');
    expect(md5Hex(ascii('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex(ascii('message digest'))).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5Hex(ascii('abcdefghijklmnopqrstuvwxyz'))).toBe('c3fcd3d76192e4007dfb496cca67e13b');
    expect(md5Hex(ascii('1234567890'.repeat(8)))).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('agrees with node:crypto at every padding boundary and on a large buffer', () => {
    for (let n = 0; n <= 200; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(md5Hex(b)).toBe(nodeMd5(b));
    }
    const big = new Uint8Array(1_000_003).map((_, i) => (i * 2654435761) >>> 24);
    expect(md5Hex(big)).toBe(nodeMd5(big));
  });

  it('returns 16 bytes and uses an injected hash function', () => {
    expect(md5(ascii('x'))).toHaveLength(16);
    const injected = (b: Uint8Array) => new Uint8Array(createHash('md5').update(b).digest());
    expect(md5Hex(ascii('abc'), injected)).toBe('900150983cd24fb0d6963f7d28e17f72');
  });
});
