// A small JavaScript/TypeScript tokenizer for config files: names, punctuators, strings, numbers,
// template pieces and regular expressions with their source offsets. Comments and whitespace are
// skipped (a token remembers whether a line break preceded it). Enough to strip types and to find
// module syntax; not a full parser.

/** One token; `start`/`end` are offsets into the source. */
export interface Token {
  kind: 'name' | 'punct' | 'string' | 'number' | 'regex' | 'template' | 'private';
  value: string;
  start: number;
  end: number;
  /** A line break (or a comment holding one) comes between the previous token and this one. */
  nl: boolean;
  /** For templates: `head` (`` `…${ ``), `middle` (`}…${`), `tail` (`` }…` ``) or `full`. */
  part?: 'head' | 'middle' | 'tail' | 'full';
}

/** A lexical error (unterminated string, comment, template or regex) at `pos`. */
export class TokenizeError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
    this.name = 'TokenizeError';
  }
}

// Longest first. `>` is always a token of its own so that `Map<string, Set<number>>` closes twice.
const PUNCTUATORS = [
  '...',
  '===',
  '!==',
  '**=',
  '<<=',
  '&&=',
  '||=',
  '??=',
  '=>',
  '==',
  '!=',
  '<=',
  '&&',
  '||',
  '??',
  '?.',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '**',
  '<<',
];
const SINGLE = '{}()[];,<>+-*/%&|^!~?:=.@#';

/** Keywords after which a `/` starts a regular expression rather than a division. */
export const REGEX_AFTER: ReadonlySet<string> = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

const NAME = /[\p{ID_Start}$_\\](?:[\p{ID_Continue}$\\]|\u200c|\u200d)*/uy;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+n?|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?)/y;

/** Split `source` into tokens. Throws {@link TokenizeError} on unterminated literals and comments. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  /** Open `{` (false) and template substitutions `${` (true). */
  const braces: boolean[] = [];
  let pos = 0;
  let nl = false;
  if (source.startsWith('#!')) pos = lineEnd(source, 0);
  const push = (kind: Token['kind'], start: number, end: number, part?: Token['part']) => {
    tokens.push({ kind, value: source.slice(start, end), start, end, nl, ...(part ? { part } : {}) });
    nl = false;
    pos = end;
  };
  while (pos < source.length) {
    const ch = source[pos]!;
    if (ch === '\n' || ch === '\r' || ch === '\u2028' || ch === '\u2029') {
      nl = true;
      pos++;
      continue;
    }
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (ch === '/' && source[pos + 1] === '/') {
      pos = lineEnd(source, pos);
      continue;
    }
    if (ch === '/' && source[pos + 1] === '*') {
      const end = source.indexOf('*/', pos + 2);
      if (end < 0) throw new TokenizeError('Unterminated comment', pos);
      if (/[\n\r\u2028\u2029]/.test(source.slice(pos, end))) nl = true;
      pos = end + 2;
      continue;
    }
    if (ch === '"' || ch === "'") {
      push('string', pos, scanString(source, pos));
      continue;
    }
    if (ch === '`') {
      const { end, opens } = scanTemplate(source, pos + 1, pos);
      if (opens) braces.push(true);
      push('template', pos, end, opens ? 'head' : 'full');
      continue;
    }
    if (ch === '}' && braces.length > 0 && braces[braces.length - 1] === true) {
      braces.pop();
      const { end, opens } = scanTemplate(source, pos + 1, pos);
      if (opens) braces.push(true);
      push('template', pos, end, opens ? 'middle' : 'tail');
      continue;
    }
    NUMBER.lastIndex = pos;
    if (/[\d.]/.test(ch) && NUMBER.test(source)) {
      push('number', pos, NUMBER.lastIndex);
      continue;
    }
    NAME.lastIndex = pos;
    if (NAME.test(source)) {
      push('name', pos, NAME.lastIndex);
      continue;
    }
    if (ch === '#') {
      NAME.lastIndex = pos + 1;
      if (NAME.test(source)) {
        push('private', pos, NAME.lastIndex);
        continue;
      }
    }
    if (ch === '/' && regexAllowed(tokens[tokens.length - 1])) {
      push('regex', pos, scanRegex(source, pos));
      continue;
    }
    const multi = PUNCTUATORS.find((p) => source.startsWith(p, pos));
    if (multi && !(multi === '?.' && /\d/.test(source[pos + 2] ?? ''))) {
      push('punct', pos, pos + multi.length);
      continue;
    }
    if (SINGLE.includes(ch)) {
      if (ch === '{') braces.push(false);
      if (ch === '}') braces.pop();
      push('punct', pos, pos + 1);
      continue;
    }
    throw new TokenizeError(`Unexpected character '${ch}'`, pos);
  }
  return tokens;
}

function lineEnd(source: string, pos: number): number {
  const m = /[\n\r\u2028\u2029]/g;
  m.lastIndex = pos;
  return m.exec(source)?.index ?? source.length;
}

function scanString(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
    else if (c === '\n' || c === '\r') break;
  }
  throw new TokenizeError('Unterminated string', start);
}

/** Scan template text from `pos` to the closing backtick or a `${`. */
function scanTemplate(source: string, pos: number, start: number): { end: number; opens: boolean } {
  for (let i = pos; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '`') return { end: i + 1, opens: false };
    else if (c === '$' && source[i + 1] === '{') return { end: i + 2, opens: true };
  }
  throw new TokenizeError('Unterminated template literal', start);
}

function scanRegex(source: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '\n' || c === '\r') break;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let end = i + 1;
      while (end < source.length && /[\p{ID_Continue}$]/u.test(source[end]!)) end++;
      return end;
    }
  }
  throw new TokenizeError('Unterminated regular expression', start);
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === 'name') return REGEX_AFTER.has(prev.value);
  if (prev.kind === 'punct') return ![')', ']', '}'].includes(prev.value);
  return prev.kind === 'template' && (prev.part === 'head' || prev.part === 'middle');
}

/** For each opening `(`, `[`, `{` or template head/middle, the index of its closing token (else -1). */
export function matchBrackets(tokens: readonly Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const opens = t.kind === 'punct' ? '([{'.includes(t.value) : t.part === 'head';
    const closes = t.kind === 'punct' ? ')]}'.includes(t.value) : t.part === 'tail';
    if (t.part === 'middle') {
      const open = stack.pop();
      if (open !== undefined) match[open] = i;
      stack.push(i);
    } else if (opens) {
      stack.push(i);
    } else if (closes) {
      const open = stack.pop();
      if (open !== undefined) match[open] = i;
    }
  }
  return match;
}

/** 1-based line and column of `pos` in `source`. */
export function lineColumn(source: string, pos: number): { line: number; column: number } {
  const before = source.slice(0, pos).split(/\r\n|[\n\r\u2028\u2029]/);
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
