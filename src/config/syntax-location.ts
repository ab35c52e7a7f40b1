// Finds where a config file's syntax error is. Node reports ESM syntax errors from import() without
// a position, so the code is parsed again with vm.Script: module syntax (import/export declarations,
// import.meta) is overwritten with same-length script syntax and the whole is wrapped in an async
// function, then the line and column come from V8's error. Nothing is evaluated.

import { Script } from 'node:vm';
import { lineColumn, matchBrackets, type Token, TokenizeError, tokenize } from './js-tokens.js';

/** A located syntax error (1-based line and column). */
export interface SyntaxLocation {
  line: number;
  column?: number;
  message: string;
}

/**
 * Where `code` fails to parse, or null when it parses (or the failure cannot be located).
 * `kind: 'module'` for ESM, `'commonjs'` for CommonJS.
 */
export function locateSyntaxError(code: string, kind: 'module' | 'commonjs'): SyntaxLocation | null {
  let script: string;
  try {
    script = kind === 'module' ? neutraliseModuleSyntax(code) : code;
  } catch (err) {
    if (err instanceof TokenizeError) return { ...lineColumn(code, err.pos), message: err.message };
    throw err;
  }
  const head =
    kind === 'module'
      ? "(async function () { 'use strict';\n"
      : '(function (exports, require, module, __filename, __dirname) {\n';
  try {
    new Script(`${head}${script}\n})`, { filename: 'config', lineOffset: -1 });
    return null;
  } catch (err) {
    if (!(err instanceof SyntaxError)) return null;
    return fromDecoratedStack(err);
  }
}

/** V8 decorates a script SyntaxError's stack with `file:line`, the source line and `^^^` under it. */
function fromDecoratedStack(err: SyntaxError): SyntaxLocation | null {
  const lines = (err.stack ?? '').split('\n');
  const where = /^config:(\d+)$/.exec(lines[0] ?? '');
  if (!where) return null;
  const caret = (lines[2] ?? '').indexOf('^');
  return {
    line: Number(where[1]),
    ...(caret >= 0 ? { column: caret + 1 } : {}),
    message: err.message,
  };
}

/** Replace ESM-only syntax with script syntax of the same length (line breaks kept). */
function neutraliseModuleSyntax(code: string): string {
  const toks = tokenize(code);
  const match = matchBrackets(toks);
  const chars = code.split('');
  const put = (start: number, end: number, text = '') => {
    for (let p = start; p < end; p++) {
      if (!/[\n\r]/.test(chars[p]!)) chars[p] = p - start < text.length ? text[p - start]! : ' ';
    }
  };
  const isStart = (i: number): boolean => {
    const prev = toks[i - 1];
    return !prev || (prev.kind === 'punct' && [';', '{', '}'].includes(prev.value)) || toks[i]!.nl;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind !== 'name') continue;
    const n1 = toks[i + 1];
    if (t.value === 'import' && n1?.value === '.' && toks[i - 1]?.value !== '.') {
      put(t.start, t.end, 'Object');
    } else if (t.value === 'import' && n1 && n1.value !== '(' && n1.value !== '.' && isStart(i)) {
      const end = declarationEnd(toks, match, i);
      put(t.start, toks[end - 1]!.end);
      i = end - 1;
    } else if (t.value === 'export' && n1 && isStart(i)) {
      if (n1.value === 'default') {
        put(t.start, n1.end, 'void');
        i++;
      } else if (n1.value === '{' || n1.value === '*') {
        const end = declarationEnd(toks, match, i);
        put(t.start, toks[end - 1]!.end);
        i = end - 1;
      } else {
        put(t.start, t.end);
      }
    }
  }
  return chars.join('');
}

/** Index after an import/export-from declaration starting at `i` (through its string and `;`). */
function declarationEnd(toks: readonly Token[], match: Int32Array, i: number): number {
  let j = i + 1;
  while (j < toks.length) {
    const t = toks[j]!;
    if (t.kind === 'string') {
      j++;
      break;
    }
    if (t.kind === 'punct' && t.value === '{') j = match[j]! >= 0 ? match[j]! + 1 : j + 1;
    else if (t.kind === 'punct' && t.value === ';') return j + 1;
    else if (j > i + 1 && t.nl && toks[j - 1]!.value === '}') return j;
    else j++;
  }
  const w = toks[j];
  if (w && (w.value === 'with' || w.value === 'assert') && toks[j + 1]?.value === '{') j = match[j + 1]! + 1;
  return toks[j]?.kind === 'punct' && toks[j]!.value === ';' ? j + 1 : j;
}
