// `espflash init`: write a documented espflash.config.ts (type-only import, works without a local
// install) or a minimal espflash.config.json into the working directory; never overwrites silently.

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { CONFIG_SEARCH_PLACES } from '../../config/load-config.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';

/**
 * templates/ at the package root: the nearest folder above this module that has one (src/cli/commands,
 * dist/cli/commands and the bundled dist/cli-bundle sit at different depths).
 */
function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates', 'espflash.config.ts'))) return join(dir, 'templates');
    const up = dirname(dir);
    if (up === dir) throw new Error('espflash: the templates folder is missing from the installed package');
    dir = up;
  }
}

const FORMATS = { ts: 'espflash.config.ts', json: 'espflash.config.json' } as const;

export const initCommand = defineCommand({
  command: 'init',
  describe: 'Write a documented espflash.config.ts into the current directory',
  examples: [
    ['$0 init', 'Create espflash.config.ts (every key documented, type-only import)'],
    ['$0 init --format json', 'Create a minimal espflash.config.json instead'],
    ['$0 init --force', 'Overwrite an existing config file'],
  ],
  builder: (y: Argv) =>
    y
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing file' })
      .option('format', {
        type: 'string',
        choices: ['ts', 'json'],
        default: 'ts',
        describe: 'File format to write',
      }),
  handler: async (args, ctx) => {
    const format = args.format === 'json' ? 'json' : 'ts';
    const name = FORMATS[format];
    const target = join(ctx.io.cwd, name);
    const existed = existsSync(target);
    if (existed && !args.force) {
      throw new UsageError('config/exists', `${target} already exists; not overwriting it`, {
        hint: 'Pass --force to replace it, or edit the existing file.',
        details: { file: target },
      });
    }
    const template = await readFile(join(templatesDir(), name), 'utf8');
    await writeFile(target, template);

    const others = CONFIG_SEARCH_PLACES.filter((p) => p !== name && p !== 'package.json').filter((p) =>
      existsSync(join(ctx.io.cwd, p)),
    );
    const winner = CONFIG_SEARCH_PLACES.find((p) => p === name || others.includes(p));
    for (const other of others) {
      ctx.logger.warn(
        winner === name
          ? `${other} is also in ${ctx.io.cwd}; ${name} takes precedence, so ${other} is now ignored`
          : `${other} in ${ctx.io.cwd} takes precedence over the new ${name}; remove one of them`,
      );
    }
    if (ctx.json) {
      ctx.emitJson({ event: 'init', file: target, format, overwritten: existed });
    } else {
      ctx.print(`${existed ? 'Overwrote' : 'Wrote'} ${target}`);
      ctx.print(
        'Next: set `port` (or pass --port), then run `espflash plan --show-config` to check the settings.',
      );
    }
    return 0;
  },
});
