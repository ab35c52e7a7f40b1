// Runs the project's build (idf.py build, or the config's `build.command`) through execa, streaming
// output line by line, keeping the last lines for the error, and stopping the whole tree on abort.

import { execa } from 'execa';
import { EspflashError, UsageError } from '../errors.js';
import { findIdfPy } from './find-idf.js';

/** Which stream a line of build output came from. */
export type BuildStream = 'stdout' | 'stderr';

/** Options for {@link runBuild}. */
export interface RunBuildOptions {
  /** Directory the build runs in (the ESP-IDF project). */
  projectDir: string;
  /** Full command line (config `build.command`: CMake presets, a script); default `idf.py build`. */
  command?: string[];
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
  /** The command that ran. */
  command: string[];
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
  const command =
    options.command && options.command.length > 0
      ? options.command
      : [...(await findIdfPy({ env, cwd: options.projectDir })).command, 'build'];
  const [file, ...args] = command as [string, ...string[]];
  const keep = options.tailLines ?? 30;
  const tail: string[] = [];
  const record = (line: string, stream: BuildStream): void => {
    tail.push(line);
    if (tail.length > keep) tail.shift();
    options.onOutput?.(line, stream);
  };
  if (options.signal?.aborted) throw cancelled(command, options.projectDir);

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
    detached: ownGroup,
    forceKillAfterDelay: KILL_GRACE_MS,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const killGroup = () => killTree(child.pid, ownGroup);
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
  if (result.failed && result.exitCode === undefined && spawnCode === 'ENOENT') {
    throw new UsageError('build/command-not-found', `The build command "${file}" was not found.`, {
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
    throw new EspflashError('build/failed', `Build failed (${how}): ${command.join(' ')}`, {
      hint: `Run \`${displayCommand(command)}\` in ${options.projectDir} to see the full log, and fix the first error it reports.`,
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

function cancelled(command: string[], cwd: string): EspflashError {
  return new EspflashError('build/cancelled', `The build was cancelled: ${command.join(' ')}`, {
    hint: `Run \`${displayCommand(command)}\` in ${cwd} to build without espflash.`,
    details: { command, cwd },
  });
}

/** `idf.py build` rather than `/opt/esp/idf/tools/idf.py build` in hints. */
function displayCommand(command: string[]): string {
  const idf = command.findIndex((word) => /(^|[\\/])idf\.py(\.exe)?$/i.test(word));
  if (idf >= 0) return ['idf.py', ...command.slice(idf + 1)].join(' ');
  return command.join(' ');
}

function killTree(pid: number | undefined, group: boolean): void {
  if (pid === undefined || !group) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, KILL_GRACE_MS);
  timer.unref();
}
