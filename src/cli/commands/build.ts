// `espflash build`: run `idf.py build` (or the config's `build.command`) in the project, streaming its
// output (dimmed on a TTY); Ctrl+C stops the build and exits 130.

import type { Argv } from 'yargs';
import { isEspflashError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { runCliBuild } from '../flows/build.js';
import { INTERRUPTED_EXIT } from '../flows/interrupt.js';
import { PROJECT_ALIASES, resolveCliOptions } from '../shared-options.js';

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
        alias: [...PROJECT_ALIASES],
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
    try {
      const result = await runCliBuild(resolved, ctx, { split: true });
      if (ctx.json) ctx.emitJson({ event: 'build-done', ms: result.ms, command: result.command });
      else ctx.print(`Build finished in ${(result.ms / 1000).toFixed(1)} s`);
      return 0;
    } catch (err) {
      if (isEspflashError(err) && err.code === 'build/cancelled') {
        if (ctx.json) ctx.emitJson({ event: 'build-cancelled' });
        else ctx.io.stderr('Build cancelled.\n');
        return INTERRUPTED_EXIT;
      }
      throw err;
    }
  },
});
