// Erases TypeScript type syntax from the config subset people write (type-only imports/exports,
// `satisfies`/`as`, annotations on variables, parameters, return types and class fields, optional
// `?`, non-null `!`, interfaces, type aliases, `declare`, generics on calls and functions), by
// overwriting it with spaces: lines and columns stay where they were. Imports whose bindings are only
// used as types are dropped, as TypeScript does. Constructs that need code generation (enum,
// namespace, decorators, parameter properties, `import x = require()`, `export =`) throw
// {@link UnsupportedSyntaxError}.

import { matchBrackets, REGEX_AFTER, type Token, tokenize } from './js-tokens.js';

/** A module specifier string in the output (positions in both source and output). */
export interface SpecifierRef {
  start: number;
  end: number;
  /** The specifier without quotes. */
  value: string;
}

/** Result of {@link stripTypes}: `code` has the same length and line breaks as the source. */
export interface StripResult {
  code: string;
  /** Specifiers of kept static imports, re-exports and `import('literal')` calls. */
  specifiers: SpecifierRef[];
  /** `import.meta.url|dirname|filename` occurrences (start of `import` to end of the property). */
  importMeta: { start: number; end: number; property: 'url' | 'dirname' | 'filename' }[];
}

/** Options for {@link stripTypes}. */
export interface StripOptions {
  /**
   * Drop imports whose bindings are unused once types are gone, as TypeScript does (default true).
   * False for plain JavaScript, where an unused import still runs.
   */
  elideUnusedImports?: boolean;
}

/** A TypeScript construct the stripper cannot erase; `pos` is its offset in the source. */
export class UnsupportedSyntaxError extends Error {
  constructor(
    readonly construct: string,
    readonly pos: number,
  ) {
    super(`${construct} is not supported in espflash.config.ts`);
    this.name = 'UnsupportedSyntaxError';
  }
}

/** Keywords after which an expression starts: those before a regex literal, and declaration heads. */
const EXPR_KEYWORDS = new Set([
  ...REGEX_AFTER,
  'export',
  'default',
  'extends',
  'const',
  'let',
  'var',
  'import',
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'with',
  'function',
  'class',
  'async',
]);
const MODIFIERS = new Set(['public', 'private', 'protected', 'readonly', 'override', 'declare', 'abstract']);
const TYPE_PREFIX = new Set(['keyof', 'typeof', 'readonly', 'unique', 'infer', 'asserts', 'new', 'abstract']);

interface Frame {
  open: number;
  kind: 'params' | 'ctor-params' | 'object' | 'class' | 'block' | 'other';
  /** In params: inside a default value (`= …`) until the next `,`. */
  inDefault: boolean;
}

/** Strip TypeScript types from `source`. Throws TokenizeError or UnsupportedSyntaxError. */
export function stripTypes(source: string, options: StripOptions = {}): StripResult {
  return new Stripper(source, options.elideUnusedImports ?? true).run();
}

class Stripper {
  readonly toks: Token[];
  readonly match: Int32Array;
  readonly blanks: Array<[number, number]> = [];
  readonly kinds = new Map<number, Frame['kind']>();
  /** Indexes of `:` tokens known to start a type annotation. */
  readonly annotations = new Set<number>();
  readonly imports: ImportDecl[] = [];
  readonly specifiers: SpecifierRef[] = [];
  readonly importMeta: StripResult['importMeta'] = [];
  /** Token indexes right after an erased `as T`/`satisfies T` (an expression still ends there). */
  readonly afterAssertion = new Set<number>();
  /** Token indexes covered by import declarations (not counted as uses of a name). */
  readonly inImport = new Set<number>();

  constructor(
    readonly source: string,
    readonly elideUnused: boolean,
  ) {
    this.toks = tokenize(source);
    this.match = matchBrackets(this.toks);
  }

  run(): StripResult {
    const stack: Frame[] = [];
    const { toks } = this;
    let i = 0;
    while (i < toks.length) {
      const t = toks[i]!;
      const top = stack[stack.length - 1];
      if (top?.kind === 'class') {
        if (t.kind === 'punct' && t.value === '=') top.inDefault = true;
        else if ((t.kind === 'punct' && t.value === ';') || (t.nl && !this.continues(i - 1)))
          top.inDefault = false;
      }
      const next = this.handle(i, top);
      if (next !== i) {
        i = next;
        continue;
      }
      if (t.kind === 'punct' && (t.value === '(' || t.value === '{' || t.value === '[')) {
        stack.push({ open: i, kind: this.kinds.get(i) ?? this.classify(i, top), inDefault: false });
      } else if (t.kind === 'template' && t.part === 'head') {
        stack.push({ open: i, kind: 'other', inDefault: false });
      } else if (
        (t.kind === 'punct' && (t.value === ')' || t.value === '}' || t.value === ']')) ||
        t.part === 'tail'
      ) {
        const frame = stack.pop();
        if (frame && (frame.kind === 'params' || frame.kind === 'ctor-params') && this.is(i + 1, ':')) {
          const end = this.skipType(i + 2);
          this.blank(i + 1, end);
          i = end;
          continue;
        }
      } else if (top && (top.kind === 'params' || top.kind === 'ctor-params')) {
        if (t.value === ',' && t.kind === 'punct') top.inDefault = false;
        else if (t.value === '=' && t.kind === 'punct') top.inDefault = true;
      }
      i++;
    }
    this.elideImports();
    return { code: this.render(), specifiers: this.specifiers, importMeta: this.importMeta };
  }

  /** Handle token `i`; returns the next index to visit (`i` itself when nothing was consumed). */
  private handle(i: number, top: Frame | undefined): number {
    const t = this.toks[i]!;
    const inParams = top?.kind === 'params' || top?.kind === 'ctor-params';
    if (t.kind === 'punct') {
      if (t.value === '@') throw new UnsupportedSyntaxError('A decorator', t.start);
      if (t.value === ':' && this.annotations.has(i)) return this.blankType(i, i + 1);
      if (t.value === ':' && inParams && !top.inDefault && this.endsBinding(i - 1))
        return this.blankType(i, i + 1);
      const inMembers = top?.kind === 'class' && !top.inDefault;
      if (t.value === ':' && inMembers && this.endsBinding(i - 1)) return this.blankType(i, i + 1);
      if (t.value === '?' && ((inParams && !top.inDefault) || inMembers) && this.endsBinding(i - 1)) {
        if (this.is(i + 1, ':') || this.is(i + 1, ',') || this.is(i + 1, ')') || this.is(i + 1, ';')) {
          this.blank(i, i + 1);
          return i + 1;
        }
      }
      // After an operand `!` cannot be JavaScript's not: it is the non-null assertion (`x!.y`, `x! + 1`).
      const bang = t.value === '!' && !t.nl && this.endsExpression(i - 1);
      if (bang && (!this.is(i - 1, '}') || this.postfixBang(i + 1))) {
        this.blank(i, i + 1);
        return i + 1;
      }
      if (t.value === '<' && this.genericHere(i)) {
        const end = this.skipAngle(i);
        this.blank(i, end);
        return end;
      }
      return i;
    }
    if (t.kind !== 'name') return i;
    const prev = this.toks[i - 1];
    const afterDot = prev?.kind === 'punct' && (prev.value === '.' || prev.value === '?.');
    if (afterDot) return i;
    if (t.value === 'import') return this.importish(i);
    if (t.value === 'export' && this.atStatementStart(i)) return this.exportDecl(i);
    if (
      (t.value === 'as' || t.value === 'satisfies') &&
      (this.endsExpression(i - 1) || this.afterAssertion.has(i)) &&
      this.startsType(i + 1)
    ) {
      const end = this.blankType(i, i + 1);
      this.afterAssertion.add(end);
      return end;
    }
    // `function (this: Window, …)`: the `this` parameter exists only for the type checker.
    if (t.value === 'this' && inParams && this.is(i - 1, '(') && this.is(i + 1, ':')) {
      let end = this.skipType(i + 2);
      if (this.is(end, ',')) end++;
      this.blank(i, end);
      return end;
    }
    if (top?.kind === 'class' && MODIFIERS.has(t.value) && this.memberName(i + 1)) {
      this.blank(i, i + 1);
      return i + 1;
    }
    if (top?.kind === 'ctor-params' && MODIFIERS.has(t.value) && this.memberName(i + 1)) {
      throw new UnsupportedSyntaxError(
        `A parameter property ('${t.value} ${this.toks[i + 1]!.value}')`,
        t.start,
      );
    }
    if (this.atStatementStart(i)) {
      const done = this.declaration(i);
      if (done !== i) return done;
    }
    if (t.value === 'const' || t.value === 'let' || t.value === 'var') this.markDeclarator(i + 1);
    if (t.value === 'function') {
      const end = this.overloadEnd(i);
      if (end > 0) {
        let start = i;
        while (['async', 'default', 'export'].includes(this.toks[start - 1]?.value ?? '')) start--;
        this.blank(start, end);
        return end;
      }
      this.functionHead(i);
    }
    if (t.value === 'class') return this.classHead(i);
    if (t.value === 'catch' && this.is(i + 1, '(')) this.kinds.set(i + 1, 'params');
    return i;
  }

  /** Statement-level TypeScript declarations at `i`; returns `i` when there is none. */
  private declaration(i: number): number {
    const t = this.toks[i]!;
    const n1 = this.toks[i + 1];
    const n2 = this.toks[i + 2];
    const nameNext = n1?.kind === 'name' && !n1.nl;
    if (t.value === 'interface' && nameNext) {
      let j = i + 2;
      while (j < this.toks.length && !this.is(j, '{')) j = this.skipOne(j);
      const end = this.match[j]! + 1;
      this.blank(i, end);
      return end;
    }
    if (t.value === 'type' && nameNext && (this.is(i + 2, '=') || this.is(i + 2, '<'))) {
      let j = i + 2;
      if (this.is(j, '<')) j = this.skipAngle(j);
      const end = this.optionalSemicolon(this.skipType(j + 1));
      this.blank(i, end);
      return end;
    }
    if (t.value === 'declare' && n1?.kind === 'name' && !n1.nl) {
      const end = this.statementEnd(i + 1);
      this.blank(i, end);
      return end;
    }
    if (
      (t.value === 'enum' && nameNext) ||
      (t.value === 'const' && n1?.value === 'enum' && n2?.kind === 'name')
    ) {
      throw new UnsupportedSyntaxError('An enum', t.start);
    }
    if (
      (t.value === 'namespace' || t.value === 'module') &&
      (nameNext || (t.value === 'module' && n1?.kind === 'string')) &&
      (this.is(i + 2, '{') || this.is(i + 2, '.'))
    ) {
      throw new UnsupportedSyntaxError(`A ${t.value} declaration`, t.start);
    }
    if (t.value === 'abstract' && n1?.value === 'class') {
      this.blank(i, i + 1);
      return i + 1;
    }
    return i;
  }

  /** `import …` declarations, `import(…)` and `import.meta`. */
  private importish(i: number): number {
    const toks = this.toks;
    if (this.is(i + 1, '.')) {
      const property = toks[i + 4]?.value;
      const known = property === 'url' || property === 'dirname' || property === 'filename';
      if (toks[i + 2]?.value === 'meta' && this.is(i + 3, '.') && known) {
        this.importMeta.push({ start: toks[i]!.start, end: toks[i + 4]!.end, property });
      }
      return i;
    }
    if (this.is(i + 1, '(')) {
      const arg = toks[i + 2];
      if (arg?.kind === 'string' && (this.is(i + 3, ')') || this.is(i + 3, ',')))
        this.specifiers.push(specRef(arg));
      return i;
    }
    const n1 = toks[i + 1];
    const clause = n1 && (n1.kind === 'name' || n1.kind === 'string' || n1.value === '{' || n1.value === '*');
    if (!clause || !this.atStatementStart(i)) return i;
    const decl: ImportDecl = { start: i, end: i, bindings: [], typeOnly: false };
    let j = i + 1;
    const first = toks[j];
    if (first?.value === 'type' && !this.is(j + 1, 'from') && !this.is(j + 1, ',')) {
      decl.typeOnly = true;
      j++;
    }
    if (toks[j]?.kind === 'name' && toks[j + 1]?.value === '=' && toks[j]?.value !== 'from') {
      throw new UnsupportedSyntaxError("'import … = require(…)'", toks[i]!.start);
    }
    for (;;) {
      const t = toks[j];
      if (!t) break;
      if (t.kind === 'string') {
        decl.spec = j;
        j++;
        break;
      }
      if (t.value === 'from' && toks[j + 1]?.kind === 'string') {
        j++;
        continue;
      }
      if (t.value === '*' && toks[j + 1]?.value === 'as') {
        decl.bindings.push({
          local: toks[j + 2]!.value,
          from: j,
          to: j + 3,
          typeOnly: false,
          kind: 'namespace',
        });
        j += 3;
      } else if (t.value === '{') {
        const close = this.match[j]!;
        let k = j + 1;
        while (k < close) {
          const start = k;
          let typeOnly = false;
          if (toks[k]!.value === 'type' && toks[k + 1]?.kind !== 'punct' && toks[k + 1]?.value !== 'as') {
            typeOnly = true;
            k++;
          }
          let local = toks[k]!.value;
          k++;
          if (toks[k]?.value === 'as') {
            local = toks[k + 1]!.value;
            k += 2;
          }
          const to = this.is(k, ',') ? k + 1 : k;
          decl.bindings.push({ local, from: start, to, typeOnly, kind: 'named' });
          k = to;
        }
        j = close + 1;
      } else if (t.kind === 'name') {
        decl.bindings.push({
          local: t.value,
          from: j,
          to: this.is(j + 1, ',') ? j + 2 : j + 1,
          typeOnly: false,
          kind: 'default',
        });
        j++;
      } else if (t.value === ',') {
        j++;
      } else {
        break;
      }
    }
    if ((toks[j]?.value === 'with' || toks[j]?.value === 'assert') && this.is(j + 1, '{'))
      j = this.match[j + 1]! + 1;
    j = this.optionalSemicolon(j);
    decl.end = j;
    for (let k = i; k < j; k++) this.inImport.add(k);
    this.imports.push(decl);
    return j;
  }

  private exportDecl(i: number): number {
    const toks = this.toks;
    const n1 = toks[i + 1];
    if (!n1) return i + 1;
    if (n1.value === '=' || (n1.value === 'as' && toks[i + 2]?.value === 'namespace')) {
      throw new UnsupportedSyntaxError(`'export ${n1.value === '=' ? '=' : 'as namespace'}'`, toks[i]!.start);
    }
    if (n1.value === 'import') throw new UnsupportedSyntaxError("'export import'", toks[i]!.start);
    if (n1.value === 'type' && (this.is(i + 2, '{') || this.is(i + 2, '*'))) {
      const end = this.statementEnd(i + 2);
      this.blank(i, end);
      return end;
    }
    const declares = ['interface', 'type', 'declare', 'enum', 'namespace', 'module', 'abstract'];
    if (declares.includes(n1.value) || (n1.value === 'const' && toks[i + 2]?.value === 'enum')) {
      const end = this.declaration(i + 1);
      if (end !== i + 1) {
        if (n1.value !== 'abstract') this.blank(i, i + 1);
        return end;
      }
      return i + 1;
    }
    if (n1.value === '{' || n1.value === '*') {
      let j = i + 1;
      if (n1.value === '{') {
        const close = this.match[j]!;
        let kept = 0;
        let k = j + 1;
        while (k < close) {
          let end = k;
          while (end < close && !this.is(end, ',')) end++;
          const to = this.is(end, ',') ? end + 1 : end;
          const typeOnly = toks[k]!.value === 'type' && end - k > 1 && toks[k + 1]!.value !== 'as';
          if (typeOnly) this.blank(k, to);
          else kept++;
          k = to;
        }
        j = close + 1;
        if (kept === 0 && close > i + 2) {
          const end = this.statementEnd(i + 1);
          this.blank(i, end);
          return end;
        }
      } else {
        j = this.is(j + 1, 'as') ? j + 3 : j + 1;
      }
      if (toks[j]?.value === 'from' && toks[j + 1]?.kind === 'string') {
        this.specifiers.push(specRef(toks[j + 1]!));
        j += 2;
      }
      return j;
    }
    return i + 1;
  }

  /**
   * An overload signature (`function f(a: string): X;`, a function head with no body) exists only for
   * the type checker: the end of the signature, or -1 when the function has a body.
   */
  private overloadEnd(i: number): number {
    let j = i + 1;
    if (this.is(j, '*')) j++;
    if (this.toks[j]?.kind === 'name') j++;
    if (this.is(j, '<')) j = this.skipAngle(j);
    if (!this.is(j, '(') || this.match[j] === undefined) return -1;
    j = this.match[j]! + 1;
    if (this.is(j, ':')) j = this.skipType(j + 1);
    if (this.is(j, '{')) return -1;
    return this.optionalSemicolon(j);
  }

  /** After `function`: generic parameters are erased and the `(` is a parameter list. */
  private functionHead(i: number): void {
    let j = i + 1;
    if (this.is(j, '*')) j++;
    if (this.toks[j]?.kind === 'name') j++;
    if (this.is(j, '<')) {
      const end = this.skipAngle(j);
      this.blank(j, end);
      j = end;
    }
    if (this.is(j, '(')) this.kinds.set(j, 'params');
  }

  private classHead(i: number): number {
    let j = i + 1;
    if (this.toks[j]?.kind === 'name' && !['extends', 'implements'].includes(this.toks[j]!.value)) j++;
    if (this.is(j, '<')) {
      const end = this.skipAngle(j);
      this.blank(j, end);
      j = end;
    }
    if (this.toks[j]?.value === 'extends') {
      j++;
      while (j < this.toks.length && !this.is(j, '{') && this.toks[j]!.value !== 'implements') {
        if (this.is(j, '<')) {
          const end = this.skipAngle(j);
          this.blank(j, end);
          j = end;
        } else {
          j = this.skipOne(j);
        }
      }
    }
    if (this.toks[j]?.value === 'implements') {
      const start = j;
      while (j < this.toks.length && !this.is(j, '{')) j = this.skipOne(j);
      this.blank(start, j);
    }
    if (this.is(j, '{')) this.kinds.set(j, 'class');
    return j;
  }

  /** After `const`/`let`/`var`: the `:` after the binding (name or pattern) is an annotation. */
  private markDeclarator(j: number): void {
    const t = this.toks[j];
    if (!t) return;
    let k = j + 1;
    if (t.kind === 'punct' && (t.value === '{' || t.value === '[')) {
      this.kinds.set(j, 'other');
      k = this.match[j]! + 1;
    } else if (t.kind !== 'name' || t.value === 'enum') {
      return;
    }
    if (this.is(k, '!')) {
      this.blank(k, k + 1);
      k++;
    }
    if (this.is(k, ':')) this.annotations.add(k);
  }

  /** Decide what an opening `(` or `{` starts. */
  private classify(i: number, top: Frame | undefined): Frame['kind'] {
    const t = this.toks[i]!;
    const prev = this.toks[i - 1];
    const close = this.match[i]!;
    const after = close >= 0 ? this.toks[close + 1] : undefined;
    if (t.value === '(') {
      if (after?.value === '=>') return 'params';
      if (after?.value === ':' && close >= 0) {
        const end = this.skipType(close + 2);
        if (this.is(end, '=>') || ((top?.kind === 'object' || top?.kind === 'class') && this.is(end, '{'))) {
          return 'params';
        }
      }
      const method = (top?.kind === 'object' || top?.kind === 'class') && after?.value === '{';
      if (method && prev && (prev.kind === 'name' || prev.kind === 'string' || prev.value === ']')) {
        return top?.kind === 'class' && prev.value === 'constructor' ? 'ctor-params' : 'params';
      }
      return 'other';
    }
    if (t.value === '{') {
      if (!prev) return 'block';
      if (prev.kind === 'punct') {
        if ([')', ';', '{', '}', '=>'].includes(prev.value)) return 'block';
        return 'object';
      }
      if (prev.kind === 'name') {
        if (['else', 'do', 'try', 'finally'].includes(prev.value)) return 'block';
        if (EXPR_KEYWORDS.has(prev.value)) return 'object';
        return t.nl ? 'block' : 'other';
      }
      return 'other';
    }
    return 'other';
  }

  // ---- types ----

  /** Blank from token `from` through the type starting at `typeStart`; returns the next index. */
  private blankType(from: number, typeStart: number): number {
    const end = this.skipType(typeStart);
    if (end === typeStart) return from;
    this.blank(from, end);
    return end;
  }

  /** Index after the type starting at `j` (unions, intersections, conditionals, arrays, generics). */
  private skipType(j: number): number {
    if (this.is(j, '|') || this.is(j, '&')) j++;
    for (;;) {
      j = this.skipTypeOperand(j);
      if (this.is(j, '|') || this.is(j, '&')) {
        j++;
        continue;
      }
      if (this.toks[j]?.value === 'extends' && !this.toks[j]!.nl) {
        j = this.skipTypeOperand(j + 1);
        if (this.is(j, '?')) {
          j = this.skipType(j + 1);
          if (this.is(j, ':')) j = this.skipType(j + 1);
        }
      }
      return j;
    }
  }

  private skipTypeOperand(j: number): number {
    const toks = this.toks;
    while (
      toks[j]?.kind === 'name' &&
      TYPE_PREFIX.has(toks[j]!.value) &&
      toks[j + 1] &&
      !this.isTypeEnd(j + 1)
    )
      j++;
    if (this.is(j, '<')) j = this.skipAngle(j);
    const t = toks[j];
    if (!t) return j;
    if (this.is(j, '(')) {
      j = this.match[j]! + 1;
      if (this.is(j, '=>')) return this.skipType(j + 1);
    } else if (this.is(j, '{') || this.is(j, '[')) {
      j = this.match[j]! + 1;
    } else if (this.is(j, '-') && toks[j + 1]?.kind === 'number') {
      j += 2;
    } else if (t.kind === 'name' && t.value === 'import' && this.is(j + 1, '(')) {
      // An import type: `import('pkg')`, `typeof import('pkg')`, then `.Member` and type arguments.
      j = this.match[j + 1]! + 1;
    } else if (t.kind === 'name' || t.kind === 'string' || t.kind === 'number' || t.part === 'full') {
      j++;
    } else if (t.part === 'head') {
      j = this.match[j]!;
      while (this.toks[j]?.part === 'middle') j = this.match[j]!;
      j++;
    } else {
      return j;
    }
    for (;;) {
      const n = toks[j];
      if (!n) return j;
      if (n.kind === 'punct' && n.value === '.' && toks[j + 1]?.kind === 'name') j += 2;
      else if (n.kind === 'punct' && n.value === '<' && !n.nl) j = this.skipAngle(j);
      else if (n.kind === 'punct' && n.value === '[' && !n.nl) j = this.match[j]! + 1;
      else if (n.kind === 'name' && n.value === 'is' && !n.nl) j = this.skipType(j + 1);
      else return j;
    }
  }

  private isTypeEnd(j: number): boolean {
    const t = this.toks[j]!;
    return t.kind === 'punct' && [',', ')', ']', '}', ';', '=', '>', '|', '&', '?', ':'].includes(t.value);
  }

  /** Index after the `<…>` starting at `j`; `j` itself when it is not a type argument list. */
  private skipAngle(j: number): number {
    let depth = 0;
    for (let k = j; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind === 'punct') {
        if (t.value === '<') depth++;
        else if (t.value === '>') {
          depth--;
          if (depth === 0) return k + 1;
        } else if (t.value === '(' || t.value === '[' || t.value === '{') {
          k = this.match[k]!;
          if (k < 0) return j;
        } else if (![',', '.', '|', '&', '=>', '?', ':', '-', '=', '...'].includes(t.value)) {
          return j;
        }
      } else if (t.kind === 'regex' || t.part === 'head') {
        return j;
      }
    }
    return j;
  }

  /** `foo<T>(…)`, `new Foo<T>()`, `` tag<T>`…` ``, generic arrows `<T>(x: T) => x`, `<T>value`. */
  private genericHere(i: number): boolean {
    const prev = this.toks[i - 1];
    const end = this.skipAngle(i);
    if (end === i) return false;
    const after = this.toks[end];
    if (
      prev &&
      (prev.kind === 'name' || prev.value === ']' || prev.value === ')') &&
      !EXPR_KEYWORDS.has(prev.value)
    ) {
      return (
        !!after &&
        (after.value === '(' ||
          (after.kind === 'template' && after.part !== 'middle' && after.part !== 'tail'))
      );
    }
    if (after?.value === '(') {
      const close = this.match[end]!;
      if (close >= 0 && (this.is(close + 1, '=>') || this.is(close + 1, ':'))) return true;
    }
    // `<T>value`, the old form of `value as T`, where an operand is expected.
    return !this.endsExpression(i - 1) && !!after && this.startsOperand(after);
  }

  private startsOperand(t: Token): boolean {
    if (t.kind === 'punct') return ['(', '[', '{', '!', '-', '+', '~', '<'].includes(t.value);
    return t.kind !== 'template' || t.part === 'full' || t.part === 'head';
  }

  private startsType(j: number): boolean {
    const t = this.toks[j];
    if (!t) return false;
    if (t.kind === 'name' || t.kind === 'string' || t.kind === 'number' || t.kind === 'template') return true;
    return t.kind === 'punct' && ['(', '[', '{', '<', '-', '|', '&'].includes(t.value);
  }

  // ---- helpers ----

  private is(j: number, value: string): boolean {
    const t = this.toks[j];
    return !!t && (t.kind === 'punct' || t.kind === 'name') && t.value === value;
  }

  /** Skip one token, or a whole bracketed group. */
  private skipOne(j: number): number {
    const m = this.match[j]!;
    return m >= 0 ? m + 1 : j + 1;
  }

  private optionalSemicolon(j: number): number {
    return this.is(j, ';') ? j + 1 : j;
  }

  /** End of a statement starting at `j`: after `;`, a closing brace group, or before a new line. */
  private statementEnd(j: number): number {
    let k = j;
    while (k < this.toks.length) {
      if (this.is(k, ';')) return k + 1;
      if (k > j && this.toks[k]!.nl && !this.continues(k - 1)) return k;
      k = this.skipOne(k);
    }
    return k;
  }

  /** Whether the expression/type can go on after token `j` across a line break. */
  private continues(j: number): boolean {
    const t = this.toks[j];
    return !!t && t.kind === 'punct' && ![')', ']', '}', ';', '>'].includes(t.value);
  }

  private atStatementStart(i: number): boolean {
    const prev = this.toks[i - 1];
    if (!prev) return true;
    if (prev.kind === 'punct' && [';', '{', '}'].includes(prev.value)) return true;
    if (prev.kind === 'name' && (prev.value === 'export' || prev.value === 'default')) return false;
    return this.toks[i]!.nl && !this.continues(i - 1);
  }

  /** Token `j` ends a binding (parameter name, pattern, or a name followed by `?`). */
  private endsBinding(j: number): boolean {
    const t = this.toks[j];
    if (!t) return false;
    if (t.kind === 'name' || t.kind === 'string' || t.kind === 'number' || t.kind === 'private') return true;
    return t.kind === 'punct' && ['}', ']', '?', '!'].includes(t.value);
  }

  /** Token `j` ends an expression (so a following `as`/`!` is TypeScript). */
  private endsExpression(j: number): boolean {
    const t = this.toks[j];
    if (!t) return false;
    if (t.kind === 'name') return !EXPR_KEYWORDS.has(t.value);
    if (t.kind === 'punct') return [')', ']', '}'].includes(t.value);
    return t.kind !== 'template' || t.part === 'full' || t.part === 'tail';
  }

  private postfixBang(j: number): boolean {
    const t = this.toks[j];
    if (!t) return true;
    return t.kind === 'punct' && ['.', '?.', ')', ',', ';', ']', '[', '}', '=', ':'].includes(t.value);
  }

  private memberName(j: number): boolean {
    const t = this.toks[j];
    return (
      !!t &&
      !t.nl &&
      (t.kind === 'name' || t.kind === 'private' || t.kind === 'string' || t.value === '[' || t.value === '{')
    );
  }

  /** Overwrite tokens `from` (inclusive) to `to` (exclusive) with spaces. */
  private blank(from: number, to: number): void {
    if (to <= from) return;
    this.blanks.push([this.toks[from]!.start, this.toks[to - 1]!.end]);
  }

  /** Drop imports whose bindings are only used in erased type positions. */
  private elideImports(): void {
    const blanked = (pos: number) => this.blanks.some(([s, e]) => pos >= s && pos < e);
    const used = new Set<string>();
    this.toks.forEach((t, k) => {
      if (t.kind === 'name' && !this.inImport.has(k) && !blanked(t.start)) used.add(t.value);
    });
    for (const decl of this.imports) {
      const specTok = decl.spec === undefined ? undefined : this.toks[decl.spec];
      if (decl.typeOnly) {
        this.blank(decl.start, decl.end);
        continue;
      }
      const keep = decl.bindings.filter((b) => !b.typeOnly && (used.has(b.local) || !this.elideUnused));
      if (decl.bindings.length > 0 && keep.length === 0) {
        this.blank(decl.start, decl.end);
        continue;
      }
      for (const b of decl.bindings) {
        if (keep.includes(b)) continue;
        // `import d, * as ns`: drop the comma before a dropped namespace that follows a kept default.
        const from = b.kind === 'namespace' && this.is(b.from - 1, ',') ? b.from - 1 : b.from;
        this.blank(from, b.to);
      }
      if (specTok) this.specifiers.push(specRef(specTok));
    }
  }

  private render(): string {
    const chars = this.source.split('');
    for (const [s, e] of this.blanks) {
      for (let p = s; p < e; p++) if (!/[\n\r\u2028\u2029]/.test(chars[p]!)) chars[p] = ' ';
    }
    return chars.join('');
  }
}

interface ImportDecl {
  start: number;
  end: number;
  typeOnly: boolean;
  spec?: number;
  bindings: {
    local: string;
    from: number;
    to: number;
    typeOnly: boolean;
    kind: 'default' | 'namespace' | 'named';
  }[];
}

function specRef(t: Token): SpecifierRef {
  return { start: t.start, end: t.end, value: t.value.slice(1, -1) };
}
