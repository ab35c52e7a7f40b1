// Finds and loads `espflash.config.*`, then validates it. The search walks up from cwd and stops at
// the first directory holding `.git`, the home directory, `stopDir`, or the filesystem root; in each
// directory the names of CONFIG_SEARCH_PLACES are tried in order. (cosmiconfig is not used: its
// strategies cannot stop at `.git` without adding global config folders, and every loader is ours.)

import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { EspflashError, UsageError } from '../errors.js';
import { loadJsConfig, loadJsonConfig, loadTsConfig } from './config-loaders.js';
import type { EspflashConfig } from './schema.js';
import { validateConfig } from './validate-config.js';

/** A loaded, validated config and the file it came from. */
export interface LoadedConfig {
  config: EspflashConfig;
  /** Absolute path of the file (a `package.json` when the config is its `espflash` key). */
  filepath: string;
}

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Directory to search from; relative `configPath` resolves against it. */
  cwd: string;
  /** Load exactly this file (from `--config` / `ESPFLASH_CONFIG`) instead of searching. */
  configPath?: string;
  /** Last directory to search (inclusive); by default the `.git` root, the home dir or `/`. */
  stopDir?: string;
}

/** File names searched in each directory, first match wins. */
export const CONFIG_SEARCH_PLACES: readonly string[] = [
  'espflash.config.ts',
  'espflash.config.mts',
  'espflash.config.js',
  'espflash.config.mjs',
  'espflash.config.cjs',
  'espflash.config.json',
  '.espflashrc.json',
  '.espflashrc',
  'package.json',
];

/** Loads one file's text; `undefined`/`null` means empty. */
type Loader = (filepath: string, content: string) => Promise<unknown>;

const LOADERS: Record<string, Loader> = {
  '.ts': loadTsConfig,
  '.mts': loadTsConfig,
  '.js': loadJsConfig,
  '.mjs': loadJsConfig,
  '.cjs': loadJsConfig,
  '.json': loadJsonConfig,
  noExt: loadJsonConfig,
};

/**
 * Load the espflash config: `configPath` if given (must exist), else the nearest config file
 * from `cwd` upward. Returns null when none is found. Throws UsageErrors: `config/not-found`,
 * `config/unsupported-format`, `config/empty`, `config/load-failed`, `config/unresolvable-import`,
 * `config/no-default-export`, and the validation codes (`config/unknown-key`, …).
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig | null> {
  if (options.configPath !== undefined) {
    const filepath = resolve(options.cwd, options.configPath);
    await checkExplicitFile(filepath);
    const config = await guard(filepath, async () => loadFile(filepath, await readFile(filepath, 'utf8')));
    if (config === undefined || config === null) {
      const what = basename(filepath) === 'package.json' ? 'has no "espflash" key' : 'is empty';
      throw new UsageError('config/empty', `Config file ${filepath} ${what}`, {
        hint: 'Put settings in the file passed with --config / ESPFLASH_CONFIG (`espflash init` writes a template).',
        details: { file: filepath },
      });
    }
    return { config: validateConfig(config, { file: filepath }), filepath };
  }
  for (const dir of searchDirs(resolve(options.cwd), options.stopDir)) {
    for (const place of CONFIG_SEARCH_PLACES) {
      const filepath = join(dir, place);
      const content = await readFile(filepath, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES'].includes(err.code ?? '')) return null;
        throw err;
      });
      if (content === null) continue;
      const config = await guard(filepath, () => loadFile(filepath, content));
      if (config !== undefined && config !== null) {
        return { config: validateConfig(config, { file: filepath }), filepath };
      }
    }
  }
  return null;
}

/** Load one file by its extension; a package.json gives its `espflash` key. Empty → undefined. */
async function loadFile(filepath: string, content: string): Promise<unknown> {
  if (content.trim() === '') return undefined;
  const ext = extname(filepath);
  const value = await (LOADERS[ext || 'noExt'] ?? loadJsonConfig)(filepath, content);
  if (basename(filepath) !== 'package.json') return value;
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>).espflash
    : undefined;
}

/** Directories searched from `start`, nearest first (exported for docs and tests). */
export function searchDirs(start: string, stopDir?: string): string[] {
  const stop = stopDir === undefined ? null : resolve(stopDir);
  const home = homedir();
  const dirs: string[] = [];
  let dir = start;
  for (;;) {
    dirs.push(dir);
    const parent = dirname(dir);
    if (dir === stop || dir === home || parent === dir || existsSync(join(dir, '.git'))) return dirs;
    dir = parent;
  }
}

async function checkExplicitFile(filepath: string): Promise<void> {
  const info = await stat(filepath).catch(() => null);
  if (!info?.isFile()) {
    throw new UsageError(
      'config/not-found',
      `Config file ${filepath} ${info ? 'is not a file' : 'does not exist'}`,
      {
        hint: 'Check the path given with --config or ESPFLASH_CONFIG (relative paths are from the current directory).',
        details: { file: filepath },
      },
    );
  }
  const ext = extname(filepath);
  if (ext !== '' && !(ext in LOADERS)) {
    throw new UsageError(
      'config/unsupported-format',
      `Config file ${filepath} has an unsupported extension '${ext}'`,
      {
        hint: `Use one of ${Object.keys(LOADERS)
          .filter((k) => k !== 'noExt')
          .join(', ')} for --config / ESPFLASH_CONFIG.`,
        details: { file: filepath },
      },
    );
  }
}

/** Wrap anything unexpected (unreadable files, …) in `config/load-failed`. */
async function guard<T>(where: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof EspflashError) throw err;
    const file = (err as { filepath?: unknown }).filepath;
    const at = typeof file === 'string' ? file : where;
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError('config/load-failed', `Could not load the espflash config from ${at}: ${message}`, {
      hint: `Fix or remove ${at}, or pass another file with --config.`,
      details: { file: at },
      cause: err,
    });
  }
}
