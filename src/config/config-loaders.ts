// The per-format loaders behind loadConfig: .ts/.mts transpiled with TypeScript to a temporary .mjs
// next to the file (so imports resolve from the user's project), JS via import()/require, JSON(C).
// Every failure becomes a coded UsageError naming the config file; no stack traces.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, parse } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';

type TypeScript = typeof import('typescript');
let typescript: TypeScript | undefined;
let importCounter = 0;

/** Load a `.ts`/`.mts` config: transpile to ESM (types erased), import it from a temp file, delete it. */
export async function loadTsConfig(filepath: string, content: string): Promise<unknown> {
  const ts = await loadTypeScript();
  const out = ts.transpileModule(content, {
    fileName: basename(filepath),
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
      sourceMap: false,
      inlineSourceMap: false,
    },
  });
  const diagnostic = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostic) {
    throw syntaxError({
      filepath,
      content,
      position: diagnostic.start ?? 0,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    });
  }
  return importViaTempFile({ filepath, content, code: out.outputText });
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
      throw await describeLoadError({ err, filepath, content, shownPath: filepath });
    }
  }
  if (ext === '.js' && !isModulePackage(filepath))
    return importViaTempFile({ filepath, content, code: content });
  try {
    const url = `${pathToFileURL(filepath).href}?espflash=${++importCounter}`;
    return await defaultExport(await importWithDeadline(url, filepath), filepath, 'esm');
  } catch (err) {
    throw await describeLoadError({ err, filepath, content, shownPath: filepath });
  }
}

/** Load JSON; comments and trailing commas (JSONC) are accepted. Errors give line and column. */
export async function loadJsonConfig(filepath: string, content: string): Promise<unknown> {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    const ts = await loadTypeScript();
    const relaxed = ts.parseConfigFileTextToJson(filepath, content);
    if (!relaxed.error) return relaxed.config as unknown;
    throw syntaxError({
      filepath,
      content,
      position: relaxed.error.start ?? 0,
      message: ts.flattenDiagnosticMessageText(relaxed.error.messageText, '\n'),
    });
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

async function importViaTempFile(options: {
  filepath: string;
  content: string;
  code: string;
}): Promise<unknown> {
  const { filepath, content, code } = options;
  const name = `.${basename(filepath)}.${randomUUID().slice(0, 8)}.mjs`;
  let temp = join(dirname(filepath), name);
  try {
    await writeFile(temp, code);
  } catch {
    // Read-only project directory: relative imports will not resolve, plain configs still load.
    temp = join(tmpdir(), name);
    await writeFile(temp, code);
  }
  try {
    return await defaultExport(await importWithDeadline(pathToFileURL(temp).href, filepath), filepath, 'esm');
  } catch (err) {
    throw await describeLoadError({ err, filepath, content, shownPath: temp });
  } finally {
    await rm(temp, { force: true });
  }
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
  content: string;
  shownPath: string;
}): Promise<Error> {
  const { err, filepath, content, shownPath } = options;
  if (err instanceof UsageError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.split(shownPath).join(filepath);
  const code = (err as { code?: unknown }).code;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(message);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || missing) {
    return unresolvable({ filepath, specifier: missing?.[1] ?? '?', message, err });
  }
  const located = await locateSyntaxError(filepath, content);
  if (located) return located;
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

/** Re-parse a JS file with TypeScript's parser to report the first syntax error with its line. */
async function locateSyntaxError(filepath: string, content: string): Promise<UsageError | null> {
  const ts = await loadTypeScript();
  const out = ts.transpileModule(content, {
    fileName: basename(filepath).replace(/\.[cm]?js$/, '.js'),
    reportDiagnostics: true,
    compilerOptions: { allowJs: true, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const d = out.diagnostics?.find((x) => x.category === ts.DiagnosticCategory.Error);
  if (!d) return null;
  return syntaxError({
    filepath,
    content,
    position: d.start ?? 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  });
}

function syntaxError(options: {
  filepath: string;
  content: string;
  position: number;
  message: string;
}): UsageError {
  const { filepath, content, position, message } = options;
  const before = content.slice(0, position).split('\n');
  const line = before.length;
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  return new UsageError(
    'config/load-failed',
    `Syntax error in ${filepath} at line ${line}, column ${column}: ${message}`,
    {
      hint: `Fix the syntax in ${basename(filepath)} (\`espflash init --force\` writes a fresh template).`,
      details: { file: filepath, line, column, error: message },
    },
  );
}

async function loadTypeScript(): Promise<TypeScript> {
  typescript ??= ((await import('typescript')) as unknown as { default: TypeScript }).default;
  return typescript;
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
