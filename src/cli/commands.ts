// The registry of CLI commands, in the order `--help` lists them. One import per command file.

import type { CommandDef } from './command.js';
import { imageInfoCommand } from './commands/image-info.js';
import { planCommand } from './commands/plan.js';

export const commands: CommandDef[] = [planCommand, imageInfoCommand];
