// The registry of CLI commands, in the order `--help` lists them. One import per command file.

import type { CommandDef } from './command.js';

export const commands: CommandDef[] = [];
