// The registry of CLI commands, in the order `--help` lists them: one entry per command file with
// the words `--help` shows, and `load` importing the command's module only when yargs runs it
// (so `--help` and `plan` never load the dependencies of other commands). An entry's `command` and
// `describe` repeat the module's (test/cli-audit/lazy-commands.test.ts keeps them equal).

import type { CommandDef } from './command.js';

/** One command: what `--help` lists, and how to load the rest. */
export interface CommandEntry {
  /** yargs command string, as the module's `command`. */
  command: string | string[];
  describe: string;
  load: () => Promise<CommandDef>;
}

export const commands: CommandEntry[] = [
  {
    command: ['flash', '$0'],
    describe:
      'Flash the ESP-IDF build: bootloader, partition table and app at the offsets the build says (default command)',
    load: async () => (await import('./commands/flash.js')).flashCommand,
  },
  {
    command: 'build',
    describe: 'Build the ESP-IDF project (idf.py build, or build.command from the config)',
    load: async () => (await import('./commands/build.js')).buildCommand,
  },
  {
    command: 'watch',
    describe:
      'Reflash whenever the build changes; --build rebuilds on source changes first, --monitor shows the log',
    load: async () => (await import('./commands/watch.js')).watchCommand,
  },
  {
    command: 'run [task]',
    describe: 'Run a task from the config (`tasks`: erase, flash, write, run a command…); --list lists them',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    command: 'board-info',
    describe: 'Show the chip, its features, crystal, MAC, flash id and size, and security info',
    load: async () => (await import('./commands/board-info.js')).boardInfoCommand,
  },
  {
    command: 'erase-flash',
    describe: 'Erase the whole flash chip (everything becomes 0xFF)',
    load: async () => (await import('./commands/erase-flash.js')).eraseFlashCommand,
  },
  {
    command: 'erase-region <offset> <size>',
    describe: 'Erase a flash range (offset and size multiples of 4 KiB)',
    load: async () => (await import('./commands/erase-region.js')).eraseRegionCommand,
  },
  {
    command: 'erase-parts <labels..>',
    describe: 'Erase partitions by label (table read from the device, else from the build)',
    load: async () => (await import('./commands/erase-parts.js')).erasePartsCommand,
  },
  {
    command: 'read-flash <offset> <size> <file>',
    describe: 'Read a flash range into a file',
    load: async () => (await import('./commands/read-flash.js')).readFlashCommand,
  },
  {
    command: 'write-bin <target> <file>',
    describe: 'Write a binary at an offset or into a partition (by label), and verify it',
    load: async () => (await import('./commands/write-bin.js')).writeBinCommand,
  },
  {
    command: ['write-flash [pairs..]', 'write_flash'],
    describe: "esptool's write-flash: write <offset> <file> pairs and verify each (MD5)",
    load: async () => (await import('./commands/write-flash.js')).writeFlashCommand,
  },
  {
    command: 'merge-bin',
    describe: 'Merge the whole build into one image for factory programmers (raw or Intel HEX)',
    load: async () => (await import('./commands/merge-bin.js')).mergeBinCommand,
  },
  {
    command: 'checksum-md5 <offset> <size>',
    describe: "Print the device's MD5 of a flash range",
    load: async () => (await import('./commands/checksum-md5.js')).checksumMd5Command,
  },
  {
    command: 'reset',
    describe: 'Reset the chip so it runs its app (--after picks the method)',
    load: async () => (await import('./commands/reset.js')).resetCommand,
  },
  {
    command: 'monitor',
    describe: "Show the app's serial output (colours, decoded backtraces); Ctrl+] quits, Ctrl+T R resets",
    load: async () => (await import('./commands/monitor.js')).monitorCommand,
  },
  {
    command: 'demo',
    describe:
      'Generate an example build, flash it (default: the virtual ESP32) and prove every region by reading it back',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    command: 'plan',
    describe: 'Show what would be flashed from the ESP-IDF build, with where every value came from',
    load: async () => (await import('./commands/plan.js')).planCommand,
  },
  {
    command: 'image-info <file>',
    describe: 'Decode an ESP application or bootloader image and check its checksum and SHA-256',
    load: async () => (await import('./commands/image-info.js')).imageInfoCommand,
  },
  {
    command: 'partition-table <file>',
    describe: 'Show, check or convert an ESP-IDF partition table (CSV or binary)',
    load: async () => (await import('./commands/partition-table.js')).partitionTableCommand,
  },
  {
    command: 'list-ports',
    describe: 'List serial ports, most likely ESP boards first',
    load: async () => (await import('./commands/list-ports.js')).listPortsCommand,
  },
  {
    command: 'init',
    describe: 'Write a documented espflash.config.ts into the current directory',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    command: 'sim',
    describe: 'Run a virtual ESP32 on a TCP port (test espflash and your scripts without hardware)',
    load: async () => (await import('./commands/sim.js')).simCommand,
  },
];

/** Every word that names a command (names and aliases, not the default `$0`). */
export function commandNames(entries: readonly CommandEntry[] = commands): string[] {
  return entries.flatMap((e) =>
    (Array.isArray(e.command) ? e.command : [e.command])
      .map((c) => c.split(' ')[0]!)
      .filter((name) => name !== '$0'),
  );
}
