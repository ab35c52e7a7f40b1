// Integer fields: Python int(x, 0) semantics, k/m suffixes, keyword fallback and its messages.

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { FieldError, parseIntField, parsePythonInt, parseSizeToken } from '../../src/partition/int-parse.js';

describe('parsePythonInt (int(x, 0))', () => {
  it.each([
    ['0x9000', 0x9000],
    ['0X1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['36864', 36864],
    ['0', 0],
    ['00', 0],
    ['-0x1000', -4096],
    ['+12', 12],
    ['1_000', 1000],
    ['0x_ff', 255],
    ['  42\t', 42],
  ])('%s -> %d', (text, value) => {
    expect(parsePythonInt(text)).toBe(value);
  });

  it.each(['', '010', '1__0', '1_', '_1', '0x', '0xg', '12k', '1.5', '0b2', 'ten'])('rejects %j', (text) => {
    expect(parsePythonInt(text)).toBeNull();
  });
});

describe('parseIntField (the generator parse_int)', () => {
  it('applies k/K and m/M suffixes, also to hex and recursively', () => {
    expect(parseIntField('24k')).toBe(24 * 1024);
    expect(parseIntField('64K')).toBe(65536);
    expect(parseIntField('1m')).toBe(0x100000);
    expect(parseIntField('0x10K')).toBe(0x4000);
    expect(parseIntField('1mk')).toBe(1024 * 1024 * 1024);
    expect(parseIntField('-1M')).toBe(-0x100000);
  });

  it('has no G suffix and no KB/MB spelling', () => {
    expect(() => parseIntField('1G')).toThrow('Invalid field value 1G');
    // "1MB" does not end in k/m, so int() sees "1MB"
    expect(() => parseIntField('1MB')).toThrow('Invalid field value 1MB');
  });

  it('falls back to case-insensitive keywords, listing them in order when unknown', () => {
    const keywords = new Map([
      ['app', 0],
      ['data', 1],
    ]);
    expect(parseIntField('DATA', keywords)).toBe(1);
    expect(parseIntField('0x40', keywords)).toBe(0x40);
    try {
      parseIntField('blob', keywords);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FieldError);
      expect((err as FieldError).message).toBe("Value 'blob' is not valid. Known keywords: app, data");
      expect((err as FieldError).kind).toBe('unknown-keyword');
    }
  });

  it('reports the value left after stripping a suffix, as the generator does', () => {
    expect(() => parseIntField('12xk')).toThrow('Invalid field value 12x');
  });
});

describe('parseSizeToken', () => {
  it('parses offsets and sizes', () => {
    expect(parseSizeToken(' 0x8000 ')).toBe(0x8000);
    expect(parseSizeToken('32K')).toBe(0x8000);
  });

  it('throws a UsageError partition/invalid-value with a hint', () => {
    try {
      parseSizeToken('4 GB', 'offset');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).code).toBe('partition/invalid-value');
      expect((err as UsageError).message).toContain("'4 GB'");
      expect((err as UsageError).hint).toMatch(/0x9000/);
    }
  });
});
