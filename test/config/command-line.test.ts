import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../src/config/command-line.js';

describe('splitCommandLine', () => {
  it.each([
    ['idf.py build', ['idf.py', 'build']],
    ['  idf.py   -p COM3\tflash ', ['idf.py', '-p', 'COM3', 'flash']],
    ['idf.py -B "my build" build', ['idf.py', '-B', 'my build', 'build']],
    ['make \'a "b"\' c', ['make', 'a "b"', 'c']],
    ['echo "say \\"hi\\""', ['echo', 'say "hi"']],
    ['run a\\ b', ['run', 'a b']],
    ['x "" y', ['x', '', 'y']],
    ['', []],
  ])('%s', (text, words) => {
    expect(splitCommandLine(text)).toEqual(words);
  });

  it('returns null for an unclosed quote', () => {
    expect(splitCommandLine('idf.py "build')).toBeNull();
    expect(splitCommandLine("idf.py 'build")).toBeNull();
  });
});
