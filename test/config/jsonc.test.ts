import { describe, expect, it } from 'vitest';
import { JsoncError, parseJsonc } from '../../src/config/jsonc.js';
import { loadConfig } from '../../src/config/load-config.js';
import { EspflashError } from '../../src/errors.js';
import { tempProject } from './temp-project.js';

describe('parseJsonc', () => {
  it('reads JSON with line and block comments and trailing commas', () => {
    const text =
      '\ufeff{\n  // board\n  "port": "COM3", /* lab */\n  "watch": { "paths": ["main", "components",], },\n  "url": "http://x//y",\n}\n';
    expect(parseJsonc(text)).toEqual({
      port: 'COM3',
      watch: { paths: ['main', 'components'] },
      url: 'http://x//y',
    });
  });

  it('agrees with JSON.parse on plain JSON', () => {
    const text = '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"],"__proto__":{"b":{}}}';
    expect(parseJsonc(text)).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(parseJsonc(text))).toBe(Object.prototype);
  });

  it.each([
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['{\n  "a": ,\n}', 2, 8],
    ['{ "a": "x\n" }', 1, 8],
    ['{ "a": 1 } x', 1, 12],
    ['[1, 2', 1, 6],
    ['{ /* open', 1, 3],
    ['{ "a": 01 }', 1, 9],
    ['{ a: 1 }', 1, 3],
  ])('locates the error in %j', (text, line, column) => {
    let caught: unknown;
    try {
      parseJsonc(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(JsoncError);
    expect([(caught as JsoncError).line, (caught as JsoncError).column]).toEqual([line, column]);
  });
});

describe('JSON config files', () => {
  it.each(['espflash.config.json', '.espflashrc.json', '.espflashrc'])(
    'loads %s with comments and trailing commas',
    async (name) => {
      const root = tempProject({
        [name]: '/* espflash */\n{\n  "baud": 460800, // fast\n  "flash": { "mode": "dio", },\n}\n',
      });
      expect((await loadConfig({ cwd: root }))?.config).toEqual({ baud: 460800, flash: { mode: 'dio' } });
    },
  );

  it('reports a syntax error with line and column as config/load-failed', async () => {
    const root = tempProject({ 'espflash.config.json': '{\n  "port": "COM1"\n  "baud": 9600\n}\n' });
    const err = await loadConfig({ cwd: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('config/load-failed');
    expect((err as EspflashError).message).toContain('line 3, column 3');
    expect((err as EspflashError).details).toMatchObject({ line: 3, column: 3 });
  });
});
