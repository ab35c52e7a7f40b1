// Which files `espflash watch` reacts to: the project sources (main/, components/, CMakeLists.txt,
// sdkconfig*, partitions*.csv) with `--build`, else the build outputs the flash plan names. Never
// the build directory's internals while building, never the transient `.espflash.config.*.mjs`.

import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FlashPlan } from '../plan/types.js';

/** Paths to watch plus the filter that leaves the rest out. */
export interface WatchSpec {
  paths: string[];
  ignored: (path: string) => boolean;
}

/** Top-level source directories of an ESP-IDF project (watched recursively). */
export const SOURCE_DIRS = ['main', 'components'] as const;

/** A transpiled config left next to the config while it loads (`.espflash.config.ts.1a2b3c4d.mjs`). */
const TRANSIENT_CONFIG = /^\.espflash\.config\..*\.mjs$/;

/** Top-level project files that change what the build produces. */
function isSourceFile(name: string): boolean {
  if (name === 'CMakeLists.txt') return true;
  if (name === 'sdkconfig' || name.startsWith('sdkconfig.defaults')) return true;
  return /^partitions.*\.csv$/i.test(name);
}

/** Directories and files no source watch descends into (editors, VCS, tools). */
function isNoise(name: string): boolean {
  return (
    TRANSIENT_CONFIG.test(name) ||
    name === '.git' ||
    name === 'node_modules' ||
    name === 'managed_components' ||
    name.endsWith('~') ||
    name.endsWith('.swp') ||
    name === '.DS_Store'
  );
}

/** `child` is `parent` or inside it. */
function within(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Options for {@link sourceWatchSpec}. */
export interface SourceWatchOptions {
  /** The ESP-IDF project directory. */
  projectDir: string;
  /** The build directory (default `<projectDir>/build`); never watched. */
  buildDir?: string;
  /** Extra files or directories to watch (config `watch.paths`), absolute or relative to the project. */
  extraPaths?: string[];
}

/**
 * What to watch with `--build`: the project directory filtered down to `main/`, `components/`,
 * `CMakeLists.txt`, `sdkconfig*` and `partitions*.csv`, plus any extra paths; never the build dir.
 */
export function sourceWatchSpec(options: SourceWatchOptions): WatchSpec {
  const project = resolve(options.projectDir);
  const builds = [join(project, 'build'), ...(options.buildDir ? [resolve(options.buildDir)] : [])];
  const extras = (options.extraPaths ?? []).map((p) => resolve(project, p));
  const ignored = (path: string): boolean => {
    const abs = resolve(project, path);
    if (isNoise(basename(abs))) return true;
    if (builds.some((b) => within(b, abs))) return true;
    if (extras.some((e) => within(e, abs) || within(abs, e))) return false;
    if (!within(project, abs)) return true;
    const rel = relative(project, abs);
    if (rel === '') return false;
    const [top, ...rest] = rel.split(sep);
    if ((SOURCE_DIRS as readonly string[]).includes(top!)) return false;
    return rest.length > 0 || !isSourceFile(top!);
  };
  return { paths: [project, ...extras], ignored };
}

/**
 * What to watch without `--build`: every file the plan writes, plus the build's
 * `flasher_args.json` (offsets and settings), and any extra paths.
 */
export function outputWatchSpec(plan: FlashPlan, extraPaths: string[] = []): WatchSpec {
  const files = new Set(plan.regions.map((r) => resolve(r.file)));
  files.add(join(resolve(plan.buildDir), 'flasher_args.json'));
  const extras = extraPaths.map((p) => resolve(plan.buildDir, p));
  const dirs = new Set([...files].map((f) => dirname(f)));
  const ignored = (path: string): boolean => {
    const abs = resolve(path);
    if (TRANSIENT_CONFIG.test(basename(abs))) return true;
    if (files.has(abs) || dirs.has(abs)) return false;
    return !extras.some((e) => within(e, abs) || within(abs, e));
  };
  return { paths: [...files, ...extras], ignored };
}
