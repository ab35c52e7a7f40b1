// CLI flow for `flash --build` and `watch --build`: where the build runs and with what, and the
// build before a flash (output streamed, dimmed on a TTY; Ctrl+C cancels with exit 130).

import { resolve } from 'node:path';
import { runBuild } from '../../build/run-build.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { isEspflashError } from '../../errors.js';
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

/** Run the build before flashing (`flash --build`): output streamed, Ctrl+C cancels (exit 130). */
export async function buildForFlash(resolved: ResolvedOptions, ctx: CliContext): Promise<void> {
  const { projectDir, command } = buildSettings(resolved, ctx.io.cwd);
  // Build output goes to stderr: its colour decides.
  const dim = ctx.stderrColor;
  try {
    const result = await withInterrupt((signal) =>
      runBuild({
        projectDir,
        env: ctx.io.env,
        signal,
        ...(command ? { command } : {}),
        ...(ctx.json
          ? {}
          : { onOutput: (line) => ctx.io.stderr(dim ? `\x1b[2m${line}\x1b[22m\n` : `${line}\n`) }),
      }),
    );
    if (ctx.json) ctx.emitJson({ event: 'build-done', ms: result.ms });
    else ctx.io.stderr(`Build finished in ${(result.ms / 1000).toFixed(1)} s\n`);
  } catch (err) {
    // On a TTY the log was dimmed: repeat the last lines plainly so the error stands out. Plain
    // output already shows every line once.
    if (isEspflashError(err) && err.code === 'build/failed' && dim && Array.isArray(err.details.tail)) {
      ctx.io.stderr(`\n--- last lines of build output ---\n${(err.details.tail as string[]).join('\n')}\n\n`);
    }
    throw err;
  }
}
