// The shape of one CLI command: yargs wiring plus a handler that gets parsed args and the context.

import type { Argv } from 'yargs';
import type { CliContext } from './context.js';

/** A command definition; `main.ts` registers these with yargs. */
export interface CommandDef {
  /** yargs command string, e.g. `partition-table <file>`. */
  command: string | string[];
  describe: string;
  /** [command line, what it does] pairs shown in `--help`. */
  examples: Array<[string, string]>;
  builder: (y: Argv) => Argv;
  /** Returns the exit code (0 when omitted). Throw EspflashError for expected failures. */
  handler: (args: Record<string, unknown>, ctx: CliContext) => Promise<number | undefined>;
}

/** Identity helper for type inference. */
export function defineCommand(def: CommandDef): CommandDef {
  return def;
}
