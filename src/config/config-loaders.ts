// The per-format loaders behind loadConfig. `.ts`/`.mts`: imported directly where the running Node
// strips types itself (`process.features.typescript`), else types are erased by our own stripper and
// the result is evaluated from a `data:` URL, its import specifiers rewritten to absolute URLs (nothing
// is written to disk). JS via import()/require, JSON with comments via our JSONC reader.
// Every failure becomes a coded UsageError naming the config file; no stack traces.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import { lineColumn, TokenizeError } from './js-tokens.js';
import { isTypeScriptUrl, resolveImport } from './resolve-import.js';
import { type StripResult, stripTypes, UnsupportedSyntaxError } from './strip-types.js';

let importCounter = 0;

/**
 * How `.ts` configs are loaded: `auto` uses Node's own type stripping when the running Node has it,
 * `loader` always uses espflash's stripper (tests force it to cover both paths).
 */
export const typeStripping: { mode: 'auto' | 'loader' } = { mode: 'auto' };

/** Whether `.ts` configs are imported with Node's built-in type stripping. */
export function usesNativeTypeStripping(): boolean {
  const features = process.features as { typescript?: unknown };
  return typeStripping.mode === 'auto' && Boolean(features.typescript);
}

/** Load a `.ts`/`.mts` config (types erased, never compiled, no temporary files). */
export async function loadTsConfig(filepath: string, content: string): Promise<unknown> {
  if (usesNativeTypeStripping()) {
    const url = `${pathToFileURL(filepath).href}?espflash=${++importCounter}`;
    try {
      return await defaultExport(
        await withoutLoaderNoise(() => importWithDeadline(url, filepath)),
        filepath,
        'esm',
      );
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // Node's messages for unsupported TypeScript carry no position: our stripper finds the line.
      const stripped = stripOrThrow(filepath, content);
      throw await describeLoadError({ err, filepath, content: stripped.code, shownPath: filepath });
    }
  }
  const stripped = stripOrThrow(filepath, content);
  const url = dataModuleUrl({ filepath, code: stripped.code, refs: stripped, visiting: new Set([filepath]) });
  try {
    return await defaultExport(await importWithDeadline(url, filepath), filepath, 'esm');
  } catch (err) {
    throw await describeLoadError({ err, filepath, content: stripped.code, shownPath: url });
  }
}

/** Load a `.js`/`.mjs`/`.cjs` config with Node's own rules (ESM syntax in a non-module `.js` also works). */
export async function loadJsConfig(filepath: string, content: string): Promise<unknown> {
  const ext = parse(filepath).ext;
  if (ext === '.cjs' || (ext === '.js' && !isModulePackage(filepath) && !looksLikeEsm(content))) {
    const require = createRequire(filepath);
    delete require.cache[filepath];
    try {
      return await defaultExport(require(filepath), filepath, 'commonjs');
    } catch (err) {
      throw await describeLoadError({ err, filepath, content, shownPath: filepath, kind: 'commonjs' });
    }
  }
  if (ext === '.js' && !isModulePackage(filepath)) {
    // ESM syntax in a `.js` outside a "type": "module" package: Node would re-parse it with a
    // warning on stderr, so it is evaluated from memory like a stripped `.ts` config.
    const refs = moduleRefs(content);
    const url = dataModuleUrl({ filepath, code: content, refs, visiting: new Set([filepath]) });
    try {
      return await defaultExport(await importWithDeadline(url, filepath), filepath, 'esm');
    } catch (err) {
      throw await describeLoadError({ err, filepath, content, shownPath: url });
    }
  }
  try {
    const url = `${pathToFileURL(filepath).href}?espflash=${++importCounter}`;
    return await defaultExport(await importWithDeadline(url, filepath), filepath, 'esm');
  } catch (err) {
    throw await describeLoadError({ err, filepath, content, shownPath: filepath });
  }
}

/** Load JSON; comments and trailing commas (JSONC) are accepted. Errors give line and column. */
export async function loadJsonConfig(filepath: string, content: string): Promise<unknown> {
  // Loaded here, not at start-up: most projects have a .ts config.
  const { JsoncError, parseJsonc } = await import('./jsonc.js');
  try {
    return parseJsonc(content);
  } catch (err) {
    if (!(err instanceof JsoncError)) throw err;
    throw syntaxError({ filepath, line: err.line, column: err.column, message: err.reason });
  }
}

/** How long a config module may take to evaluate (a top-level await that never settles). */
export const configImportDeadline = { ms: 10_000 };

/**
 * import() with a deadline: a config whose top-level await never settles would otherwise leave
 * nothing for Node to wait on, and the process would exit 0 without a word. Throws `config/load-timeout`.
 */
async function importWithDeadline(url: string, filepath: string): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new UsageError(
          'config/load-timeout',
          `${filepath} did not finish loading within ${configImportDeadline.ms / 1000} s (a top-level await that never settles?)`,
          {
            hint: `Fix the top-level await in ${filepath}, or pass --no-config to run without it.`,
            details: { file: filepath, timeoutMs: configImportDeadline.ms },
          },
        ),
      );
    }, configImportDeadline.ms);
  });
  try {
    return await Promise.race([import(/* @vite-ignore */ url), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Run `load` with Node's notices about how it loaded the config silenced: the type-stripping
 * ExperimentalWarning and MODULE_TYPELESS_PACKAGE_JSON (a `.ts` config with ESM syntax in a project
 * whose package.json has no "type") would otherwise print on every command. Other warnings pass.
 */
export async function withoutLoaderNoise<T>(load: () => Promise<T>): Promise<T> {
  const original = process.emitWarning;
  const quiet = (warning: unknown, ...rest: unknown[]): boolean => {
    const text = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
    const kind = warning instanceof Error ? warning.name : rest.find((r) => typeof r === 'string');
    const options = rest.find(
      (r): r is { code?: unknown; type?: unknown } => typeof r === 'object' && r !== null,
    );
    const code = (warning as { code?: unknown }).code ?? options?.code ?? rest[1];
    if (code === 'MODULE_TYPELESS_PACKAGE_JSON') return true;
    const type = kind ?? options?.type;
    return type === 'ExperimentalWarning' && /type stripping|strip-types|typescript/i.test(text);
  };
  process.emitWarning = function (this: NodeJS.Process, warning: unknown, ...rest: unknown[]) {
    if (!quiet(warning, ...rest)) (original as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await load();
  } finally {
    process.emitWarning = original;
  }
}

/** Strip a `.ts` file, turning stripper failures into coded errors with the line. */
function stripOrThrow(filepath: string, content: string): StripResult {
  try {
    return stripTypes(content);
  } catch (err) {
    if (err instanceof TokenizeError) {
      throw syntaxError({ filepath, ...lineColumn(content, err.pos), message: err.message });
    }
    if (err instanceof UnsupportedSyntaxError) {
      const { line, column } = lineColumn(content, err.pos);
      throw new UsageError(
        'config/unsupported-syntax',
        `${err.construct} at line ${line}, column ${column} of ${filepath} needs the TypeScript compiler, which espflash does not use`,
        {
          hint: `Rewrite it without ${err.construct.replace(/^An? /, '').toLowerCase()} (plain objects and type annotations are fine), or use espflash.config.mjs or espflash.config.json instead of ${basename(filepath)}.`,
          details: { file: filepath, line, column, construct: err.construct },
        },
      );
    }
    throw err;
  }
}

/** Module specifiers and `import.meta` uses of plain JavaScript module code (nothing stripped). */
function moduleRefs(content: string): Pick<StripResult, 'specifiers' | 'importMeta'> {
  try {
    const { specifiers, importMeta } = stripTypes(content, { elideUnusedImports: false });
    return { specifiers, importMeta };
  } catch {
    // Not parseable by the stripper (or TypeScript-only syntax): let Node report it.
    return { specifiers: [], importMeta: [] };
  }
}

/**
 * `code` as a `data:` URL module: specifiers made absolute (a data: URL has no directory),
 * `import.meta.url|dirname|filename` replaced by the file's, relative `.ts` imports loaded the same way.
 */
function dataModuleUrl(options: {
  filepath: string;
  code: string;
  refs: Pick<StripResult, 'specifiers' | 'importMeta'>;
  visiting: Set<string>;
}): string {
  const { filepath, code, refs, visiting } = options;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const spec of refs.specifiers) {
    let url: string;
    try {
      url = resolveImport(spec.value, filepath);
    } catch (err) {
      throw unresolvable({ filepath, specifier: spec.value, message: (err as Error).message, err });
    }
    if (isTypeScriptUrl(url) && !usesNativeTypeStripping())
      url = nestedTsModule(fileURLToPath(url), visiting, filepath);
    edits.push({ start: spec.start, end: spec.end, text: JSON.stringify(url) });
  }
  const meta = { url: pathToFileURL(filepath).href, dirname: dirname(filepath), filename: filepath };
  for (const m of refs.importMeta)
    edits.push({ start: m.start, end: m.end, text: JSON.stringify(meta[m.property]) });
  edits.sort((x, y) => y.start - x.start);
  let out = code;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return `data:text/javascript;base64,${Buffer.from(out).toString('base64')}`;
}

/** A `.ts` module imported by a `.ts` config, stripped and turned into a data: URL too. */
function nestedTsModule(path: string, visiting: Set<string>, importer: string): string {
  if (visiting.has(path)) {
    throw new UsageError('config/unsupported-syntax', `${importer} and ${path} import each other`, {
      hint: 'Break the import cycle between the TypeScript files, or make the shared module a .mjs file.',
      details: { file: importer, imports: path },
    });
  }
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    throw unresolvable({ filepath: importer, specifier: path, message: (err as Error).message, err });
  }
  const stripped = stripOrThrow(path, content);
  return dataModuleUrl({
    filepath: path,
    code: stripped.code,
    refs: stripped,
    visiting: new Set([...visiting, path]),
  });
}

async function defaultExport(mod: unknown, filepath: string, kind: 'esm' | 'commonjs'): Promise<unknown> {
  let value: unknown = mod;
  if (kind === 'esm') {
    const ns = mod as Record<string, unknown>;
    if (!('default' in ns)) {
      const names = Object.keys(ns);
      throw new UsageError(
        'config/no-default-export',
        `${filepath} has no default export${names.length ? ` (it exports ${names.join(', ')})` : ''}`,
        {
          hint: `End ${basename(filepath)} with \`export default { … }\` (run \`espflash init\` for a template).`,
          details: { file: filepath, exports: names },
        },
      );
    }
    value = ns.default;
  }
  // CommonJS compiled from TypeScript/Babel: `exports.default = {…}` with the `__esModule` marker.
  if (kind === 'commonjs' && isObject(value) && value.__esModule === true && 'default' in value)
    value = value.default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  return await value;
}

/** Turn an import/require failure into `config/unresolvable-import` or `config/load-failed`. */
async function describeLoadError(options: {
  err: unknown;
  filepath: string;
  /** The code Node was given (for a `.ts` config: after stripping, same lines and columns). */
  content: string;
  shownPath: string;
  kind?: 'module' | 'commonjs';
}): Promise<Error> {
  const { err, filepath, content, shownPath } = options;
  if (err instanceof UsageError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.split(shownPath).join(filepath);
  const tsCode = (err as { code?: unknown }).code;
  if (tsCode === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' || tsCode === 'ERR_INVALID_TYPESCRIPT_SYNTAX') {
    return new UsageError('config/unsupported-syntax', `${filepath}: ${message.split('\n')[0]}`, {
      hint: `Rewrite that part of ${basename(filepath)} without it, or use espflash.config.mjs or espflash.config.json.`,
      details: { file: filepath, error: message },
      cause: err,
    });
  }
  const code = (err as { code?: unknown }).code;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(message);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || missing) {
    return unresolvable({ filepath, specifier: missing?.[1] ?? '?', message, err });
  }
  // Whatever Node (or a bundler's module runner) said, a file that does not parse gets its position.
  const { locateSyntaxError } = await import('./syntax-location.js'); // only on a failure
  const located = locateSyntaxError(content, options.kind ?? 'module');
  if (located) return syntaxError({ filepath, ...located });
  const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
  return new UsageError(
    'config/load-failed',
    `${filepath} failed to load: ${name}${message.split('\n')[0]}`,
    {
      hint: `Fix ${basename(filepath)} (it threw while being evaluated), or pass another file with --config.`,
      details: { file: filepath, error: message },
      cause: err,
    },
  );
}

function unresolvable(options: {
  filepath: string;
  specifier: string;
  message: string;
  err: unknown;
}): UsageError {
  const { filepath, specifier, message, err } = options;
  const isSelf = specifier === 'espflash' || specifier.startsWith('espflash/');
  const text = isSelf
    ? `${filepath} imports '${specifier}' as a value (e.g. defineConfig), but espflash is not installed in that project`
    : `${filepath} imports '${specifier}', which cannot be resolved from ${dirname(filepath)}`;
  const hint = isSelf
    ? "Use the type-only form that works without a local install: `import type { EspflashConfig } from 'espflash'` and `export default { … } satisfies EspflashConfig` (what `espflash init` writes), or `npm i -D espflash` in the project."
    : `Install '${specifier}' in the project or remove the import from ${basename(filepath)}.`;
  return new UsageError('config/unresolvable-import', text, {
    hint,
    details: { file: filepath, specifier, error: message },
    cause: err,
  });
}

function syntaxError(options: {
  filepath: string;
  line: number;
  column?: number;
  message: string;
}): UsageError {
  const { filepath, line, column, message } = options;
  const at = column === undefined ? `line ${line}` : `line ${line}, column ${column}`;
  return new UsageError('config/load-failed', `Syntax error in ${filepath} at ${at}: ${message}`, {
    hint: `Fix the syntax in ${basename(filepath)} (\`espflash init --force\` writes a fresh template).`,
    details: { file: filepath, line, ...(column === undefined ? {} : { column }), error: message },
  });
}

/** Whether the nearest package.json above `filepath` says `"type": "module"`. */
function isModulePackage(filepath: string): boolean {
  let dir = dirname(filepath);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type === 'module';
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return false;
      dir = parent;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function looksLikeEsm(content: string): boolean {
  return /^\s*(import\s|export\s)/m.test(content);
}
