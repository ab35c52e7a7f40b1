// A small JSON-with-comments reader for config files: JSON plus `//` and `/* */` comments and
// trailing commas in objects and arrays. Errors carry the offset, line and column of the problem.

import { lineColumn } from './js-tokens.js';

/** A JSONC syntax error at `pos` (`line`/`column` 1-based). */
export class JsoncError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    readonly reason: string,
    readonly pos: number,
    text: string,
  ) {
    const { line, column } = lineColumn(text, pos);
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'JsoncError';
    this.line = line;
    this.column = column;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/** Parse JSONC `text`. Throws {@link JsoncError}. */
export function parseJsonc(text: string): unknown {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const offset = src === text ? 0 : 1;
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw new JsoncError(reason, at + offset, text);
  };

  const skip = (): void => {
    for (;;) {
      const c = src[pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') pos++;
      else if (c === '/' && src[pos + 1] === '/') {
        while (pos < src.length && src[pos] !== '\n' && src[pos] !== '\r') pos++;
      } else if (c === '/' && src[pos + 1] === '*') {
        const end = src.indexOf('*/', pos + 2);
        if (end < 0) fail('Unterminated comment');
        pos = end + 2;
      } else return;
    }
  };

  const describe = (): string =>
    pos >= src.length ? 'Unexpected end of input' : `Unexpected character '${src[pos]}'`;

  const string = (): string => {
    const start = pos;
    pos++;
    for (;;) {
      const c = src[pos];
      if (c === undefined || c === '\n' || c === '\r') fail('Unterminated string', start);
      if (c === '\\') pos += 2;
      else if (c === '"') break;
      else pos++;
    }
    pos++;
    try {
      return JSON.parse(src.slice(start, pos)) as string;
    } catch {
      return fail('Invalid string (bad escape or control character)', start);
    }
  };

  const value = (): unknown => {
    skip();
    const c = src[pos];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    NUMBER.lastIndex = pos;
    if ((c === '-' || (c !== undefined && c >= '0' && c <= '9')) && NUMBER.test(src)) {
      const n = Number(src.slice(pos, NUMBER.lastIndex));
      pos = NUMBER.lastIndex;
      return n;
    }
    for (const [word, v] of LITERALS) {
      if (src.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    return fail(describe());
  };

  const object = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    pos++;
    for (;;) {
      skip();
      if (src[pos] === '}') {
        pos++;
        return out;
      }
      if (src[pos] !== '"') fail(`${describe()} (expected a "key" or '}')`);
      const key = string();
      skip();
      if (src[pos] !== ':') fail(`${describe()} (expected ':')`);
      pos++;
      // defineProperty: a "__proto__" key is data, as with JSON.parse.
      Object.defineProperty(out, key, {
        value: value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      skip();
      if (src[pos] === ',') pos++;
      else if (src[pos] !== '}') fail(`${describe()} (expected ',' or '}')`);
    }
  };

  const array = (): unknown[] => {
    const out: unknown[] = [];
    pos++;
    for (;;) {
      skip();
      if (src[pos] === ']') {
        pos++;
        return out;
      }
      out.push(value());
      skip();
      if (src[pos] === ',') pos++;
      else if (src[pos] !== ']') fail(`${describe()} (expected ',' or ']')`);
    }
  };

  const result = value();
  skip();
  if (pos < src.length) fail(`${describe()} after the end of the value`);
  return result;
}
