import { describe, expect, it } from 'vitest';
import { parseNumberArg } from '../../src/api/parse-number.js';

describe('parseNumberArg', () => {
  it('accepts hex, decimal and k/M suffixes', () => {
    expect(parseNumberArg('0x9000', { name: '<offset>' })).toBe(36864);
    expect(parseNumberArg('0X1A', { name: '<offset>' })).toBe(26);
    expect(parseNumberArg('36864', { name: '<offset>' })).toBe(36864);
    expect(parseNumberArg('64k', { name: '<size>' })).toBe(65536);
    expect(parseNumberArg('4M', { name: '<size>' })).toBe(4 * 1024 * 1024);
    expect(parseNumberArg('2MB', { name: '<size>' })).toBe(2 * 1024 * 1024);
    expect(parseNumberArg('0x10k', { name: '<size>' })).toBe(16 * 1024);
    expect(parseNumberArg(' 0 ', { name: '<offset>' })).toBe(0);
  });

  it('rejects junk, negatives, fractions, overflow and (when asked) zero with usage/bad-number naming the argument', () => {
    for (const bad of ['', 'abc', '-1', '1.5', '0x', '12q', '0xfffffffff', '5G', '4 M B']) {
      let err: unknown;
      try {
        parseNumberArg(bad, { name: '<size>' });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'usage/bad-number', exitCode: 2 });
      expect((err as Error).message).toContain('<size>');
    }
    expect(() => parseNumberArg('0', { name: '<size>', allowZero: false })).toThrow(/<size>/);
  });
});
