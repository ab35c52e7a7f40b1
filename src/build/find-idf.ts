// Locates ESP-IDF's idf.py: on PATH (an activated ESP-IDF shell), else $IDF_PATH/tools/idf.py run
// with python3. Neither → `build/idf-not-found` with the activation command in the hint.

import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** Options for {@link findIdfPy}. */
export interface FindIdfPyOptions {
  /** Environment to search (`PATH`, `IDF_PATH`; `PATHEXT` on Windows). */
  env: Record<string, string | undefined>;
  /** Directory relative PATH entries resolve against. */
  cwd: string;
  /** Platform, for executable names and the Python command (default `process.platform`). */
  platform?: NodeJS.Platform;
}

/** How to run idf.py. */
export interface IdfPyCommand {
  /** argv prefix: `['/opt/esp/idf/tools/idf.py']` or `['python3', '$IDF_PATH/tools/idf.py']`. */
  command: string[];
  /** Where it was found. */
  via: 'path' | 'idf-path';
}

/** The hint shown when ESP-IDF is not active; names every way to fix it. */
export const IDF_NOT_FOUND_HINT =
  'Activate ESP-IDF in this shell (`. $IDF_PATH/export.sh`, or `export.bat` / `export.ps1` on Windows) so ' +
  '`idf.py` is on PATH, or set `build.command` in espflash.config.ts to the command that builds your project.';

/**
 * Find idf.py. Throws `build/idf-not-found` (a UsageError: the environment needs fixing) when it is
 * neither on PATH nor under `$IDF_PATH/tools`.
 */
export async function findIdfPy(options: FindIdfPyOptions): Promise<IdfPyCommand> {
  const platform = options.platform ?? process.platform;
  const onPath = await searchPath({ ...options, platform });
  if (onPath !== null) return { command: [onPath], via: 'path' };

  const idfPath = options.env.IDF_PATH?.trim();
  if (idfPath) {
    const script = join(resolve(options.cwd, idfPath), 'tools', 'idf.py');
    if (await isFile(script)) {
      return { command: [platform === 'win32' ? 'python' : 'python3', script], via: 'idf-path' };
    }
  }
  throw new UsageError('build/idf-not-found', 'ESP-IDF environment is not active: idf.py is not on PATH.', {
    hint: IDF_NOT_FOUND_HINT,
    details: {
      idfPath: idfPath || null,
      ...(idfPath ? { looked: join(resolve(options.cwd, idfPath), 'tools', 'idf.py') } : {}),
    },
  });
}

async function searchPath(options: FindIdfPyOptions & { platform: NodeJS.Platform }): Promise<string | null> {
  const pathVar = options.env.PATH ?? options.env.Path ?? '';
  const names =
    options.platform === 'win32'
      ? ['idf.py', ...(options.env.PATHEXT ?? '.EXE;.BAT;.CMD').split(';').map((ext) => `idf.py${ext}`)]
      : ['idf.py'];
  const sep = options.platform === 'win32' ? ';' : delimiter;
  for (const entry of pathVar.split(sep)) {
    if (entry.trim() === '') continue;
    const dir = isAbsolute(entry) ? entry : resolve(options.cwd, entry);
    for (const name of names) {
      const candidate = join(dir, name);
      if (await isExecutable(candidate, options.platform)) return candidate;
    }
  }
  return null;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isExecutable(file: string, platform: NodeJS.Platform): Promise<boolean> {
  if (!(await isFile(file))) return false;
  if (platform === 'win32') return true;
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
