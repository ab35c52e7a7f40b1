import { describe, expect, it } from 'vitest';
import { locateSyntaxError } from '../../src/config/syntax-location.js';

describe('locateSyntaxError', () => {
  it('accepts valid module code (imports, exports, import.meta, top-level await)', () => {
    const code = [
      "import fs, { readFile } from 'node:fs/promises';",
      "import * as path from 'node:path';",
      "import './side.mjs';",
      "export { readFile } from 'node:fs/promises';",
      "export * from './x.mjs';",
      'export const dir = import.meta.dirname;',
      'export function f() {}',
      "const text = await readFile(path.join(dir, 'x'), 'utf8');",
      'export default { size: text.length, fs };',
    ].join('\n');
    expect(locateSyntaxError(code, 'module')).toBeNull();
    expect(
      locateSyntaxError("const x = require('x');\nmodule.exports = { x };\nreturn;", 'commonjs'),
    ).toBeNull();
  });

  it.each([
    ["import x from 'y';\nexport default {\n  a: 1\n  b: 2,\n};", 'module', 4, 3],
    ['const a = await f();\nexport default { a: , };', 'module', 2, 21],
    ["const ok = 1;\nexport default 'abc", 'module', 2, 16],
    ["module.exports = {\n\n  port: 'COM1' 'x',\n};", 'commonjs', 3, 16],
  ] as const)('locates the error in %j', (code, kind, line, column) => {
    const found = locateSyntaxError(code, kind);
    expect(found?.line).toBe(line);
    expect(found?.column).toBe(column);
    expect(found?.message).toBeTruthy();
  });
});
