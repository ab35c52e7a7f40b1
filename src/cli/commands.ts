// The registry of CLI commands, in the order `--help` lists them. One import per command file.

import type { CommandDef } from './command.js';
import { boardInfoCommand } from './commands/board-info.js';
import { buildCommand } from './commands/build.js';
import { checksumMd5Command } from './commands/checksum-md5.js';
import { demoCommand } from './commands/demo.js';
import { eraseFlashCommand } from './commands/erase-flash.js';
import { erasePartsCommand } from './commands/erase-parts.js';
import { eraseRegionCommand } from './commands/erase-region.js';
import { flashCommand } from './commands/flash.js';
import { imageInfoCommand } from './commands/image-info.js';
import { initCommand } from './commands/init.js';
import { listPortsCommand } from './commands/list-ports.js';
import { mergeBinCommand } from './commands/merge-bin.js';
import { monitorCommand } from './commands/monitor.js';
import { partitionTableCommand } from './commands/partition-table.js';
import { planCommand } from './commands/plan.js';
import { readFlashCommand } from './commands/read-flash.js';
import { resetCommand } from './commands/reset.js';
import { simCommand } from './commands/sim.js';
import { watchCommand } from './commands/watch.js';
import { writeBinCommand } from './commands/write-bin.js';
import { writeFlashCommand } from './commands/write-flash.js';

export const commands: CommandDef[] = [
  flashCommand,
  buildCommand,
  watchCommand,
  boardInfoCommand,
  eraseFlashCommand,
  eraseRegionCommand,
  erasePartsCommand,
  readFlashCommand,
  writeBinCommand,
  writeFlashCommand,
  mergeBinCommand,
  checksumMd5Command,
  resetCommand,
  monitorCommand,
  demoCommand,
  planCommand,
  imageInfoCommand,
  partitionTableCommand,
  listPortsCommand,
  initCommand,
  simCommand,
];
