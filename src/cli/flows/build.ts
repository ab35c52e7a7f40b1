// CLI flow for `flash --build` and `watch --build`: where the build runs and with what, and the
// build before a flash (output streamed, dimmed on a TTY; Ctrl+C cancels with exit 130).

import { resolve } from 'node:path';
import { type BuildResult, type BuildStream, runBuild } from '../../build/run-build.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { isEspflashError } from '../../errors.js';
import { painter } from '../color.js';
import type { CliContext } from '../context.js';
import { withInterrupt } from './interrupt.js';

/** Where the build runs and with what: `--project` (CLI) > config build.cwd > project > cwd. */
export function buildSettings(
  resolved: ResolvedOptions,
  cwd: string,
): { projectDir: string; command?: string[] | string } {
  const project = resolved.project;
  const projectDir = resolve(
    cwd,
    project?.source.kind === 'cli' ? project.value : (resolved.buildCwd?.value ?? project?.value ?? cwd),
  );
  const command = resolved.buildCommand?.value;
  return { projectDir, ...(command ? { command } : {}) };
}

/**
 * Run the project's build for the CLI: output streamed line by line (dimmed on a TTY; `split` keeps
 * the build's stdout on stdout, otherwise everything goes to stderr so stdout stays for results),
 * Ctrl+C cancels (`build/cancelled`), and a failure repeats the last lines plainly after a dimmed log.
 */
export async function runCliBuild(
  resolved: ResolvedOptions,
  ctx: CliContext,
  options: { split?: boolean } = {},
): Promise<BuildResult> {
  const { projectDir, command } = buildSettings(resolved, ctx.io.cwd);
  // Dimmed where the stream written to shows colour (stderr, or stdout for the build's own stdout).
  const colorOf = (which: BuildStream): boolean =>
    options.split && which === 'stdout' ? ctx.color : ctx.stderrColor;
  const dim = ctx.stderrColor;
  ctx.logger.debug(
    `build: in ${projectDir}${command ? ` with ${typeof command === 'string' ? command : command.join(' ')}` : ''}`,
  );
  const print = (line: string, which: BuildStream): void => {
    const text = `${painter(colorOf(which))('dim', line)}\n`;
    if (options.split && which === 'stdout') ctx.io.stdout(text);
    else ctx.io.stderr(text);
  };
  try {
    return await withInterrupt((signal) =>
      runBuild({
        projectDir,
        env: ctx.io.env,
        signal,
        ...(command ? { command } : {}),
        ...(ctx.json ? {} : { onOutput: print }),
      }),
    );
  } catch (err) {
    if (isEspflashError(err) && err.code === 'build/failed' && dim && Array.isArray(err.details.tail)) {
      const tail = err.details.tail as string[];
      ctx.io.stderr(`\n--- last ${tail.length} lines of build output ---\n${tail.join('\n')}\n\n`);
    }
    throw err;
  }
}

/** Run the build before flashing (`flash --build`): output streamed, Ctrl+C cancels (exit 130). */
export async function buildForFlash(resolved: ResolvedOptions, ctx: CliContext): Promise<void> {
  const result = await runCliBuild(resolved, ctx);
  if (ctx.json) ctx.emitJson({ event: 'build-done', ms: result.ms });
  else ctx.io.stderr(`Build finished in ${(result.ms / 1000).toFixed(1)} s\n`);
}
