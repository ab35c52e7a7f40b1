// The sim's own MD5 (device side of SPI_FLASH_MD5) against node:crypto, at every padding edge and on
// views into a larger buffer (it reads whole blocks in place).

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5 } from '../../src/sim/md5.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const reference = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe('sim md5', () => {
  const big = new Uint8Array(5000).map((_, i) => (i * 131 + 7) & 0xff);
  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 4096, 4999])('matches node:crypto for %i bytes', (n) => {
    expect(hex(md5(big.subarray(0, n)))).toBe(reference(big.subarray(0, n)));
  });
  it('reads a view at an unaligned offset of a larger buffer', () => {
    const view = big.subarray(3, 3 + 1000);
    expect(hex(md5(view))).toBe(reference(view));
  });
});
