// Handler args typed from the builder: a flag given twice keeps its last value (as esptool does), so
// a `string` option is never an array at run time; options declared `array` keep every value.

import { describe, expect, it } from 'vitest';
import type { Argv } from 'yargs';
import yargs from 'yargs';
import { defineCommand, required } from '../../src/cli/command.js';
import type { CliContext } from '../../src/cli/context.js';

async function run(argv: string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  const def = defineCommand({
    command: 'probe <file>',
    describe: 'test',
    examples: [],
    builder: (y: Argv) =>
      required(
        y
          .positional('file', { type: 'string' })
          .option('mac', { type: 'string' })
          .option('extra-subtype', { alias: 'x', type: 'string', array: true })
          .option('force', { type: 'boolean', default: false }),
        'file',
      ),
    handler: async (args) => {
      // Typed: no String()/Boolean() needed.
      const file: string = args.file;
      const mac: string | undefined = args.mac;
      const extra: string[] | undefined = args.extraSubtype;
      const force: boolean = args.force;
      seen = { file, mac, extra, force };
      return 0;
    },
  });
  const parser = yargs()
    .exitProcess(false)
    .command({
      command: def.command,
      describe: def.describe,
      builder: def.builder,
      handler: (a) => def.handler(a as Record<string, unknown>, {} as CliContext).then(() => {}),
    });
  await parser.parseAsync(argv);
  return seen;
}

describe('typed command args', () => {
  it('a repeated string flag keeps its last value; array options keep every value', async () => {
    expect(
      await run(['probe', 'a.bin', '--mac', '11', '--mac', '22', '-x', 'p', '--extra-subtype', 'q']),
    ).toEqual({
      file: 'a.bin',
      mac: '22',
      extra: ['p', 'q'],
      force: false,
    });
  });

  it('absent options stay undefined and defaults apply', async () => {
    expect(await run(['probe', 'b.bin', '--force'])).toEqual({
      file: 'b.bin',
      mac: undefined,
      extra: undefined,
      force: true,
    });
  });
});
