// `espflash build`: run `idf.py build` (or the config's `build.command`) in the project, streaming its
// output (dimmed on a TTY); Ctrl+C stops the build and exits 130.

import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { runBuild } from '../../build/run-build.js';
import { isEspflashError } from '../../errors.js';
import { painter } from '../color.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { INTERRUPTED_EXIT, withInterrupt } from '../flows/interrupt.js';
import { resolveCliOptions } from '../shared-options.js';

export const buildCommand = defineCommand({
  command: 'build',
  describe: 'Build the ESP-IDF project (idf.py build, or build.command from the config)',
  examples: [
    ['$0 build', 'Run idf.py build in the current project'],
    ['$0 build --project ~/esp/blink', 'Build another project'],
  ],
  builder: (y: Argv) =>
    y
      .option('project', {
        type: 'string',
        describe:
          'ESP-IDF project directory (default: the working directory) [env ESPFLASH_PROJECT, config project]',
      })
      .option('config', {
        type: 'string',
        describe:
          'Config file to use instead of searching for espflash.config.*; --no-config ignores config files',
      }),
  handler: async (args, ctx) => {
    const resolved = await resolveCliOptions(args, ctx);
    // --project on the command line wins; otherwise the config's build.cwd, then project, then cwd.
    const project = resolved.project;
    const projectDir =
      project?.source.kind === 'cli'
        ? project.value
        : (resolved.buildCwd?.value ?? project?.value ?? ctx.io.cwd);
    const command = resolved.buildCommand?.value;
    // Dimmed where the stream shows colour (the build writes to both).
    const dim = ctx.color || ctx.stderrColor;
    const stream = !ctx.json;
    ctx.logger.debug(
      `build: in ${resolve(projectDir)}${command ? ` with ${typeof command === 'string' ? command : command.join(' ')}` : ''}`,
    );
    try {
      const result = await withInterrupt((signal) =>
        runBuild({
          projectDir,
          env: ctx.io.env,
          signal,
          ...(command ? { command } : {}),
          ...(stream ? { onOutput: (line, which) => printLine(ctx, line, which, dim) } : {}),
        }),
      );
      if (ctx.json) ctx.emitJson({ event: 'build-done', ms: result.ms, command: result.command });
      else ctx.print(`Build finished in ${(result.ms / 1000).toFixed(1)} s`);
      return 0;
    } catch (err) {
      if (isEspflashError(err) && err.code === 'build/cancelled') {
        if (ctx.json) ctx.emitJson({ event: 'build-cancelled' });
        else ctx.io.stderr('Build cancelled.\n');
        return INTERRUPTED_EXIT;
      }
      // On a TTY the log was dimmed: repeat the last lines plainly so the error stands out.
      if (isEspflashError(err) && err.code === 'build/failed' && dim && Array.isArray(err.details.tail)) {
        ctx.io.stderr(`\n--- last ${err.details.tail.length} lines of build output ---\n`);
        ctx.io.stderr(`${(err.details.tail as string[]).join('\n')}\n\n`);
      }
      throw err;
    }
  },
});

function printLine(ctx: CliContext, line: string, which: 'stdout' | 'stderr', dim: boolean): void {
  const text = `${painter(dim && (which === 'stderr' ? ctx.stderrColor : ctx.color))('dim', line)}\n`;
  if (which === 'stderr') ctx.io.stderr(text);
  else ctx.io.stdout(text);
}
