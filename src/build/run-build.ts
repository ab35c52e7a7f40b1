// Runs the project's build (idf.py build, or the config's `build.command`) through execa, streaming
// output line by line, keeping the last lines for the error, and stopping the whole tree on abort.
// A command given as one string runs through the shell (`a && b`, `;`, pipes work); an array is argv.
// Cancelling stops the whole tree (src/build/kill-tree.ts), on Windows too.

import { EspflashError, UsageError } from '../errors.js';
import { findIdfPy } from './find-idf.js';
import { killPlan, killTree } from './kill-tree.js';

/** Which stream a line of build output came from. */
export type BuildStream = 'stdout' | 'stderr';

/** Options for {@link runBuild}. */
export interface RunBuildOptions {
  /** Directory the build runs in (the ESP-IDF project). */
  projectDir: string;
  /**
   * The build (config `build.command`: CMake presets, a script); default `idf.py build`. A string
   * runs through the shell (`/bin/sh -c`, `cmd.exe` on Windows); an array is argv, run without one.
   */
  command?: string[] | string;
  /** Environment of the build (default `process.env`); also where idf.py is looked for. */
  env?: Record<string, string | undefined>;
  /**
   * Aborting stops the build (and its children) and rejects with `build/cancelled`. Pass one when
   * your process handles SIGINT itself: the build then runs in its own process group.
   */
  signal?: AbortSignal;
  /** Receives every output line as it arrives (without the line ending). */
  onOutput?: (line: string, stream: BuildStream) => void;
  /** Lines of output kept for the failure details (default 30). */
  tailLines?: number;
}

/** A finished build. */
export interface BuildResult {
  /** Wall time of the build in milliseconds. */
  ms: number;
  /** The command that ran (a string: through the shell). */
  command: string[] | string;
}

/** How long a cancelled build gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 3000;

/**
 * Run the build and resolve when it succeeds. Rejects with `build/idf-not-found` (no command and no
 * idf.py), `build/command-not-found`, `build/failed` (details: exitCode, command, tail) or
 * `build/cancelled`.
 */
export async function runBuild(options: RunBuildOptions): Promise<BuildResult> {
  const env = options.env ?? process.env;
  const given = options.command;
  const shell = typeof given === 'string';
  if (shell && given.trim() === '') {
    throw new UsageError('build/command-not-found', 'The build command is empty.', {
      hint: 'Set `build.command` in espflash.config.ts to a command, or remove it to use `idf.py build`.',
      details: { command: given, cwd: options.projectDir },
    });
  }
  const command: string[] | string =
    shell || (given && given.length > 0)
      ? given!
      : [...(await findIdfPy({ env, cwd: options.projectDir })).command, 'build'];
  const [file, ...args] = (typeof command === 'string' ? [command] : command) as [string, ...string[]];
  const keep = options.tailLines ?? 30;
  const tail: string[] = [];
  const record = (line: string, stream: BuildStream): void => {
    tail.push(line);
    if (tail.length > keep) tail.shift();
    options.onOutput?.(line, stream);
  };
  if (options.signal?.aborted) throw cancelled(command, options.projectDir);

  // Loaded here, not at start-up: only commands that build need it.
  const { execa } = await import('execa');
  const started = performance.now();
  // With a signal: a process group of its own (POSIX), so cancelling also stops ninja, cmake and the
  // compilers. Without one the build stays in ours and a terminal Ctrl+C reaches it directly.
  const ownGroup = process.platform !== 'win32' && options.signal !== undefined;
  const child = execa(file, args, {
    cwd: options.projectDir,
    env,
    extendEnv: false,
    stdin: 'ignore',
    // Line transforms that consume each line (yielding nothing keeps the log out of memory).
    // biome-ignore lint/correctness/useYield: a consuming execa line transform
    stdout: function* (line: unknown) {
      record(String(line), 'stdout');
    },
    // biome-ignore lint/correctness/useYield: a consuming execa line transform
    stderr: function* (line: unknown) {
      record(String(line), 'stderr');
    },
    reject: false,
    windowsHide: true,
    shell,
    detached: ownGroup,
    forceKillAfterDelay: KILL_GRACE_MS,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const killGroup = () => killTree(killPlan(child.pid, process.platform, ownGroup), KILL_GRACE_MS);
  options.signal?.addEventListener('abort', killGroup, { once: true });
  let result: Awaited<typeof child>;
  try {
    result = await child;
  } finally {
    options.signal?.removeEventListener('abort', killGroup);
  }
  const ms = Math.round(performance.now() - started);

  if (result.isCanceled || options.signal?.aborted) throw cancelled(command, options.projectDir);
  const spawnCode = (result as { code?: unknown }).code;
  // A shell reports a missing program as exit 127 (POSIX) rather than ENOENT.
  const notFound = shell ? result.exitCode === 127 : result.exitCode === undefined && spawnCode === 'ENOENT';
  if (result.failed && notFound) {
    const name = shell ? (file.trim().split(/\s+/)[0] ?? file) : file;
    throw new UsageError('build/command-not-found', `The build command "${name}" was not found.`, {
      hint: 'Fix `build.command` in espflash.config.ts, or activate ESP-IDF (`. $IDF_PATH/export.sh`) so `idf.py` is on PATH.',
      details: { command, cwd: options.projectDir },
    });
  }
  if (result.failed) {
    const how =
      result.exitCode !== undefined
        ? `exit code ${result.exitCode}`
        : result.signal
          ? `killed by ${result.signal}`
          : result.shortMessage;
    throw new EspflashError('build/failed', `Build failed (${how}): ${displayCommand(command)}`, {
      hint: `Run \`${runnable(command, options.projectDir)}\` to see the full log, and fix the first error it reports.`,
      details: {
        exitCode: result.exitCode ?? null,
        signal: result.signal ?? null,
        command,
        cwd: options.projectDir,
        tail: [...tail],
      },
    });
  }
  return { ms, command };
}

function cancelled(command: string[] | string, cwd: string): EspflashError {
  return new EspflashError('build/cancelled', `The build was cancelled: ${displayCommand(command)}`, {
    hint: `Run \`${runnable(command, cwd)}\` to build without espflash.`,
    details: { command, cwd },
  });
}

/** `idf.py build` rather than `/opt/esp/idf/tools/idf.py build` in hints; argv words shell-quoted. */
function displayCommand(command: string[] | string): string {
  if (typeof command === 'string') return command;
  const idf = command.findIndex((word) => /(^|[\\/])idf\.py(\.exe)?$/i.test(word));
  const words = idf >= 0 ? ['idf.py', ...command.slice(idf + 1)] : command;
  return words.map(shellQuote).join(' ');
}

/** A line a user can paste into a shell: `cd '<dir>' && <command>`. */
export function runnable(command: string[] | string, cwd: string): string {
  return `cd ${shellQuote(cwd)} && ${displayCommand(command)}`;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
