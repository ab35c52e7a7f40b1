import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/config/js-tokens.js';
import { stripTypes, UnsupportedSyntaxError } from '../../src/config/strip-types.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Stripped code with runs of spaces collapsed (positions are checked separately). */
function strip(source: string): string {
  const { code } = stripTypes(source);
  expect(code.length).toBe(source.length);
  expect(code.split('\n').length).toBe(source.split('\n').length);
  return code.replace(/[ ]+/g, ' ').trim();
}

describe('stripTypes', () => {
  it.each([
    [
      "import type { EspflashConfig } from 'espflash';\nexport default {} satisfies EspflashConfig;",
      '\nexport default {} ;',
    ],
    ['const baud: number = 921600;', 'const baud = 921600;'],
    ["const modes: Array<'dio' | 'qio'> = ['dio'];", "const modes = ['dio'];"],
    ['let a!: string;', 'let a ;'],
    ['const { p }: { p: string } = o;', 'const { p } = o;'],
    [
      'function f<T extends object>(a: T[], n?: number): T | undefined { return a[n ?? 0]; }',
      'function f (a , n ) { return a[n ?? 0]; }',
    ],
    ["const f = (x: number, y = c ? 'b' : 'c'): string => `x`;", "const f = (x , y = c ? 'b' : 'c') => `x`;"],
    ['const g = async <T,>(v: T): Promise<T> => v;', 'const g = async (v ) => v;'],
    ['const h = c ? (x) : y;', 'const h = c ? (x) : y;'],
    [
      'const o = { a: 1, b: (z: number) => z, m(q: string): void {} };',
      'const o = { a: 1, b: (z ) => z, m(q ) {} };',
    ],
    ['const n = foo<string>(1) as unknown as number;', 'const n = foo (1) ;'],
    ['const v = x! + y!.z;', 'const v = x + y .z;'],
    ["const k = 'a' as const;", "const k = 'a' ;"],
    ['interface B extends A<string> {\n  port: string;\n}\nconst x = 1;', '\n\nconst x = 1;'],
    ["type Mode = 'dio' | 'qio';\ntype G<T> = { [K in keyof T]: T[K] }[];\nconst x = 1;", '\n\nconst x = 1;'],
    ['declare const X: number;\nconst y = 2;', '\nconst y = 2;'],
    [
      'class A<T> extends B<T> implements C {\n  private x: number = 1;\n  y?: string;\n  static z = c ? 1 : 2;\n  m(a: T): T { return a; }\n}',
      'class A extends B {\n x = 1;\n y ;\n static z = c ? 1 : 2;\n m(a ) { return a; }\n}',
    ],
    [
      'export type { A } from "./a.js";\nexport interface I { a: 1 }\nexport const q = 1;',
      '\n\nexport const q = 1;',
    ],
    ["const r = /a<b>c/g.test(s) ? 'x' : 'y';", "const r = /a<b>c/g.test(s) ? 'x' : 'y';"],
    ["const m = <const>['a'];\nconst n = <number>(<unknown>x) + 1;", "const m = ['a'];\nconst n = ( x) + 1;"],
    ['const c = a < b && d > (e);', 'const c = a < b && d > (e);'],
    [
      'export function p(w: string): number;\nexport function p(w: number): string;\nexport function p(w: any): any { return w; }',
      '\n\nexport function p(w ) { return w; }',
    ],
    ['function q(): void\nfunction q() {}', '\nfunction q() {}'],
    [
      "type M = typeof import('serialport');\nlet n: import('./x.js').Opts<string> | null = null;",
      '\nlet n = null;',
    ],
  ])('%s', (source, expected) => {
    expect(strip(source)).toBe(expected.replace(/[ ]+/g, ' ').trim());
  });

  it('drops imports used only as types, keeps value imports and side-effect imports', () => {
    const source = [
      "import { defineConfig, type X } from 'espflash';",
      "import fs, { readFileSync as rf } from 'node:fs';",
      "import * as path from 'node:path';",
      "import { PORT } from './ports.mjs';",
      "import './side-effect.mjs';",
      'const t: X | fs.Stats = null as unknown as path.ParsedPath;',
      'export default defineConfig({ port: PORT });',
    ].join('\n');
    const { code, specifiers } = stripTypes(source);
    const lines = code.split('\n').map((l) => l.replace(/ +/g, ' ').trim());
    expect(lines.slice(0, 5)).toEqual([
      "import { defineConfig, } from 'espflash';",
      '',
      '',
      "import { PORT } from './ports.mjs';",
      "import './side-effect.mjs';",
    ]);
    expect(specifiers.map((s) => s.value)).toEqual(['espflash', './ports.mjs', './side-effect.mjs']);
    for (const s of specifiers) expect(source.slice(s.start + 1, s.end - 1)).toBe(s.value);
  });

  it('reports import.meta.url/dirname/filename and import() specifiers', () => {
    const source =
      "const a = import.meta.dirname;\nconst m = await import('./x.mjs');\nconst u = import.meta.url;";
    const { importMeta, specifiers } = stripTypes(source);
    expect(importMeta.map((m) => [m.property, source.slice(m.start, m.end)])).toEqual([
      ['dirname', 'import.meta.dirname'],
      ['url', 'import.meta.url'],
    ]);
    expect(specifiers.map((s) => s.value)).toEqual(['./x.mjs']);
  });

  it.each([
    ['enum Mode { Dio, Qio }', 'An enum', 0],
    ['const x = 1;\nconst enum Mode { Dio }', 'An enum', 13],
    ['namespace N { export const a = 1; }', 'A namespace declaration', 0],
    ['const a = 1;\n@sealed class A {}', 'A decorator', 13],
    ['class A {\n  constructor(private port: string) {}\n}', "A parameter property ('private port')", 24],
    ["import fs = require('fs');", "'import … = require(…)'", 0],
    ['export = {};', "'export ='", 0],
  ])('refuses %s', (source, construct, pos) => {
    let caught: unknown;
    try {
      stripTypes(source);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnsupportedSyntaxError);
    expect((caught as UnsupportedSyntaxError).construct).toBe(construct);
    expect((caught as UnsupportedSyntaxError).pos).toBe(pos);
  });
});

/** Token values, ignoring what TypeScript's printer normalises: `;`, trailing commas, parentheses. */
function comparable(code: string): string[] {
  const values = tokenize(code)
    .map((t) => t.value)
    .filter((v) => v !== ';');
  return values
    .filter((v, k) => !(v === ',' && [')', ']', '}'].includes(values[k + 1] ?? '')))
    .filter((v) => v !== '(' && v !== ')');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('stripTypes against the TypeScript compiler (a devDependency)', () => {
  it("erases exactly what transpileModule erases in this repository's own sources", () => {
    let compared = 0;
    const refused: string[] = [];
    const differ: string[] = [];
    // Every third file (sorted, so the sample is stable): the compiler is slow, the sample is broad.
    const files = ['src', 'bench'].flatMap((d) => sourceFiles(join(REPO, d))).sort();
    for (const file of files.filter((_, k) => k % 3 === 0)) {
      const source = readFileSync(file, 'utf8');
      let mine: string;
      try {
        mine = stripTypes(source).code;
      } catch (err) {
        if (!(err instanceof UnsupportedSyntaxError)) throw err;
        refused.push(`${file}: ${err.construct}`);
        continue;
      }
      const theirs = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ESNext,
          removeComments: true,
        },
      }).outputText;
      // TypeScript adds `export {};` to modules left without imports or exports.
      const expected = comparable(theirs.replace(/^export \{\};?$/m, ''));
      if (JSON.stringify(comparable(mine)) !== JSON.stringify(expected)) differ.push(file);
      compared++;
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(50);
    // Only constructor parameter properties are refused in this code base.
    for (const r of refused) expect(r).toContain('A parameter property');
  });
});
