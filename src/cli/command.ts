// The shape of one CLI command: yargs wiring plus a handler that gets the parsed args, typed from
// the builder's options (camelCase keys), and the context.

import type { Arguments, ArgumentsCamelCase, Argv } from 'yargs';
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
  /** Extra text at the end of this command's `--help`, worked out from the project (e.g. its tasks). */
  helpEpilogue?: (cwd: string) => Promise<string | undefined>;
}

/** A command as written: `A` is what the builder's options parse to. */
export interface TypedCommandDef<A> extends Omit<CommandDef, 'builder' | 'handler'> {
  builder: (y: Argv) => Argv<A>;
  /** Gets the args as the builder declares them (yargs parsed them by those declarations). */
  handler: (args: ArgumentsCamelCase<A>, ctx: CliContext) => Promise<number | undefined>;
}

/** Flags kept as given when repeated: `--port a --port b` names several boards (flash; others refuse it). */
const REPEATABLE = new Set(['port', 'p']);

/**
 * yargs makes a flag given twice an array; for flags not declared `array` the last one wins (as in
 * esptool), so every value has the type its option declares; {@link REPEATABLE} flags stay lists.
 */
function lastWins(argv: Arguments, y: Argv): void {
  const options = (
    y as unknown as { getOptions(): { array: string[]; alias: Record<string, string[]> } }
  ).getOptions();
  // Array options under every name yargs sets: as declared, camelCase, and aliases.
  const arrays = new Set<string>();
  for (const name of options.array) {
    for (const n of [name, ...(options.alias[name] ?? [])]) {
      arrays.add(n);
      arrays.add(n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
    }
  }
  for (const [key, value] of Object.entries(argv)) {
    if (key !== '_' && Array.isArray(value) && !arrays.has(key) && !REPEATABLE.has(key))
      argv[key] = value[value.length - 1];
  }
}

/** Define a command; the handler's args get their type from the builder. */
export function defineCommand<A>(def: TypedCommandDef<A>): CommandDef {
  return {
    ...def,
    builder: (y) => {
      const built = def.builder(y) as unknown as Argv;
      return built.middleware((argv) => lastWins(argv, built));
    },
    handler: (args, ctx) => def.handler(args as ArgumentsCamelCase<A>, ctx),
  };
}

/** The parsed-args type of a yargs builder. */
type ArgsOf<Y> = Y extends Argv<infer T> ? T : never;

/** The handler args of a builder, for helpers a handler passes them to. */
export type CommandArgs<B extends (y: Argv) => unknown> = ArgumentsCamelCase<ArgsOf<ReturnType<B>>>;

/** `T` with the `K` keys present (no `undefined`). */
type Present<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };

/**
 * `<name>` positionals are present in the handler's args: yargs refuses the command without them.
 * Changes the type only.
 */
export function required<Y, K extends keyof ArgsOf<Y>>(y: Y, ..._names: K[]): Argv<Present<ArgsOf<Y>, K>> {
  return y as unknown as Argv<Present<ArgsOf<Y>, K>>;
}
