// Python-compatible text handling: BOM decoding, splitlines, strip and $VAR expansion.

import { describe, expect, it } from 'vitest';
import type { UsageError } from '../../src/errors.js';
import { decodeCsvBytes, expandVars, pyStrip, splitLines } from '../../src/partition/csv-text.js';

const utf16 = (text: string, littleEndian: boolean): Uint8Array => {
  const out = new Uint8Array(2 + text.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < text.length; i++) view.setUint16(2 + i * 2, text.charCodeAt(i), littleEndian);
  return out;
};

describe('decodeCsvBytes', () => {
  it('drops a UTF-8 BOM', () => {
    expect(decodeCsvBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x2c]))).toBe('a,');
  });

  it('decodes UTF-16 LE and BE with a BOM', () => {
    expect(decodeCsvBytes(utf16('nvs,data', true))).toBe('nvs,data');
    expect(decodeCsvBytes(utf16('nvs,data', false))).toBe('nvs,data');
  });

  it('decodes UTF-32 LE and BE with a BOM', () => {
    const le = new Uint8Array([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0, 0x00, 0xf6, 0x01, 0]);
    expect(decodeCsvBytes(le)).toBe('a\u{1f600}');
    const be = new Uint8Array([0, 0, 0xfe, 0xff, 0, 0, 0, 0x62]);
    expect(decodeCsvBytes(be)).toBe('b');
  });

  it('rejects invalid UTF-8 with partition/bad-encoding naming the file', () => {
    try {
      decodeCsvBytes(new Uint8Array([0x61, 0xc3, 0x28]), { file: 'p.csv' });
      expect.unreachable();
    } catch (err) {
      expect((err as UsageError).code).toBe('partition/bad-encoding');
      expect((err as UsageError).hint).toContain('p.csv');
    }
  });
});

describe('splitLines / pyStrip', () => {
  it('splits on \\n, \\r\\n, \\r and Unicode separators without a trailing empty line', () => {
    expect(splitLines('a\r\nb\rc\nd\u2028e\n')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
  });

  it('strips Python whitespace but keeps U+FEFF (unlike String.trim)', () => {
    expect(pyStrip(' \t\x1c a b \x85')).toBe('a b');
    expect(pyStrip('\ufeffx ')).toBe('\ufeffx');
  });
});

describe('expandVars', () => {
  const where = { file: 'p.csv', line: 4 };

  it('expands $NAME and the braced form; unknown ones stay literal when not at the start', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell-style ${VAR} syntax is under test
    expect(expandVars('a,$T,${S}', { T: 'data', S: 'nvs' }, where)).toBe('a,data,nvs');
    expect(expandVars('a,data,$NOPE', {}, where)).toBe('a,data,$NOPE');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell-style ${VAR} syntax is under test
    expect(expandVars('${NOPE},data', {}, where)).toBe('${NOPE},data');
  });

  it('does not re-expand values', () => {
    expect(expandVars('x,$A', { A: '$B', B: 'y' }, where)).toBe('x,$B');
  });

  it('rejects an unknown variable at the start of the line', () => {
    try {
      expandVars('$NAME,data,nvs,,0x6000', {}, where);
      expect.unreachable();
    } catch (err) {
      expect((err as UsageError).code).toBe('partition/unknown-variable');
      expect((err as UsageError).message).toBe("unknown variable 'NAME'");
      expect((err as UsageError).details).toMatchObject({ file: 'p.csv', line: 4 });
      expect((err as UsageError).hint).toContain('NAME');
    }
  });
});
