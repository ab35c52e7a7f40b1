// Finds the ESP-IDF build directory: --build-dir, then --project (its build/), then the working
// directory (itself when it holds build output, else ./build). Errors list every place looked at.

import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { type Source, type Sourced, type SourceKind, sourced } from '../provenance.js';

/** Files whose presence marks a directory as an ESP-IDF build directory. */
export const BUILD_MARKERS = [
  'flasher_args.json',
  'project_description.json',
  'flash_args',
  'flash_project_args',
];

/** Inputs for {@link locateBuildDir}; `buildDir`/`project` carry their own source (CLI, env, config). */
export interface LocateBuildOptions {
  /** Directory relative paths resolve against. */
  cwd: string;
  buildDir?: Sourced<string>;
  project?: Sourced<string>;
}

/** The chosen build directory and why. */
export interface LocatedBuild {
  /** Absolute path. */
  buildDir: string;
  source: Source;
  /** Every directory considered, in order. */
  looked: string[];
}

const RANK: Record<SourceKind, number> = {
  cli: 0,
  env: 1,
  config: 2,
  build: 3,
  derived: 4,
  default: 5,
  device: 6,
};

/**
 * Pick the build directory. `buildDir` wins over `project` unless the project came from a
 * higher-precedence layer (e.g. `--project` on the command line beats `buildDir` in a config file).
 * Throws `project/no-build-dir` when nothing usable is found.
 */
export async function locateBuildDir(options: LocateBuildOptions): Promise<LocatedBuild> {
  const looked: string[] = [];
  const { buildDir, project } = options;
  const useProject = project && (!buildDir || RANK[project.source.kind] < RANK[buildDir.source.kind]);

  if (buildDir && !useProject) {
    const dir = resolve(options.cwd, buildDir.value);
    looked.push(dir);
    if (await isDir(dir)) return { buildDir: dir, source: buildDir.source, looked };
    throw noBuildDir(
      looked,
      `${describe(buildDir.source, '--build-dir')} names ${dir}, which is not a directory`,
    );
  }
  if (project) {
    const dir = join(resolve(options.cwd, project.value), 'build');
    looked.push(dir);
    if (await isDir(dir)) return { buildDir: dir, source: project.source, looked };
    throw noBuildDir(looked, `${describe(project.source, '--project')} has no build/ directory (${dir})`);
  }

  const cwd = resolve(options.cwd);
  looked.push(cwd);
  if (await hasMarker(cwd))
    return { buildDir: cwd, ...sourcedDir(cwd, 'working directory holds build output'), looked };
  const sub = join(cwd, 'build');
  looked.push(sub);
  if (await isDir(sub))
    return { buildDir: sub, ...sourcedDir(sub, 'build/ in the working directory'), looked };
  throw noBuildDir(looked, 'no build directory was given and none was found in the working directory');
}

/** Whether `dir` contains one of the {@link BUILD_MARKERS}. */
export async function hasMarker(dir: string): Promise<boolean> {
  for (const name of BUILD_MARKERS) if (await isFile(join(dir, name))) return true;
  return false;
}

function sourcedDir(dir: string, why: string): { source: Source } {
  return { source: sourced(dir, 'default', why).source };
}

function describe(source: Source, flag: string): string {
  if (source.kind === 'cli') return source.detail ?? flag;
  return source.detail ? `${source.kind} (${source.detail})` : source.kind;
}

function noBuildDir(looked: string[], why: string): UsageError {
  return new UsageError(
    'project/no-build-dir',
    `No ESP-IDF build directory: ${why}. Looked at: ${looked.join(', ')}`,
    {
      hint: 'Run `idf.py build` in the project, or pass --build-dir <dir> (or --project <dir>, or set `buildDir` in espflash.config).',
      details: { looked },
    },
  );
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
