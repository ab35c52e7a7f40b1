// The shape of one CLI command: yargs wiring plus a handler that gets the parsed args, typed from
// the builder's options (camelCase keys), and the context.

import type { ArgumentsCamelCase, Argv } from 'yargs';
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

/** A command as written: `A` is what the builder's options parse to. */
export interface TypedCommandDef<A> extends Omit<CommandDef, 'builder' | 'handler'> {
  builder: (y: Argv) => Argv<A>;
  /** Gets the args as the builder declares them (yargs parsed them by those declarations). */
  handler: (args: ArgumentsCamelCase<A>, ctx: CliContext) => Promise<number | undefined>;
}

/** Define a command; the handler's args get their type from the builder. */
export function defineCommand<A>(def: TypedCommandDef<A>): CommandDef {
  return {
    ...def,
    builder: (y) => def.builder(y) as unknown as Argv,
    handler: (args, ctx) => def.handler(args as ArgumentsCamelCase<A>, ctx),
  };
}
