// `espflash monitor`: open the port at the app's console baud rate, reset the board (unless
// --no-reset) and show its output decoded and coloured; keys go to the device, Ctrl+] quits.

import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Logger } from '../../logger.js';
import { createKeyHandler, KEY_HELP, type KeyAction } from '../../monitor/keys.js';
import { resolveMonitorBaud } from '../../monitor/monitor-baud.js';
import { assertLogFileWritable } from '../../monitor/monitor-output.js';
import { type MonitorSession, startMonitor } from '../../monitor/monitor-session.js';
import { openTransport } from '../../node/open-transport.js';
import { describeSource, sourced } from '../../provenance.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { choosePortFor } from '../flows/device.js';
import { INTERRUPTED_EXIT, withInterrupt } from '../flows/interrupt.js';
import { addPortOption, PROJECT_ALIASES, resolveCliOptions } from '../shared-options.js';

export const monitorCommand = defineCommand({
  command: 'monitor',
  describe: "Show the app's serial output (colours, decoded backtraces); Ctrl+] quits, Ctrl+T R resets",
  examples: [
    ['$0 monitor --port /dev/ttyUSB0', 'Reset the board and show its output'],
    ['$0 monitor --no-reset --timestamps --log-file serial.log', 'Attach without resetting; log with times'],
    ['$0 monitor --elf build/app.elf', 'Decode crash backtraces with this ELF'],
  ],
  builder: (y: Argv) =>
    addPortOption(y)
      .option('baud', {
        alias: 'b',
        type: 'string',
        describe:
          "Console baud rate (default: env ESPFLASH_MONITOR_BAUD or MONITORBAUD, config monitor.baud, the build's sdkconfig, else 115200)",
      })
      .option('timestamps', {
        type: 'boolean',
        describe: 'Prefix each line with the time it arrived [config monitor.timestamps]',
      })
      .option('log-file', {
        type: 'string',
        describe: 'Also append the output to this file [config monitor.logFile]',
      })
      .option('elf', {
        type: 'string',
        describe: "App ELF for backtrace decoding (default: the build's) [config monitor.elf]",
      })
      .option('reset', {
        type: 'boolean',
        default: true,
        describe: 'Reset the board first (--no-reset attaches as is)',
      })
      .option('chip', {
        alias: 'c',
        type: 'string',
        describe: 'Chip, for the addr2line toolchain when no build says it',
      })
      .option('project', {
        alias: [...PROJECT_ALIASES],
        type: 'string',
        describe: 'ESP-IDF project directory [env ESPFLASH_PROJECT, config project]',
      })
      .option('build-dir', {
        alias: 'B',
        type: 'string',
        describe: 'ESP-IDF build directory (default: <project>/build)',
      })
      .option('config', { type: 'string', describe: 'Config file to use; --no-config ignores config files' }),
  handler: async (args, ctx) => {
    const resolved = await resolveCliOptions(args, ctx);
    const { port } = await choosePortFor(resolved, ctx);
    const projectDir = resolved.project?.value ?? ctx.io.cwd;
    const buildDir = resolved.buildDir?.value ?? join(projectDir, 'build');
    const flagBaud =
      resolved.baud?.source.kind === 'cli' ? sourced(resolved.baud.value, 'cli', '--baud') : undefined;
    const baud = await resolveMonitorBaud({
      buildDir,
      projectDir,
      ...((flagBaud ?? resolved.monitor.baud) ? { configured: flagBaud ?? resolved.monitor.baud } : {}),
    });
    const logFile =
      args.logFile === undefined ? resolved.monitor.logFile?.value : resolve(ctx.io.cwd, args.logFile);
    const elf = args.elf === undefined ? resolved.monitor.elf?.value : resolve(ctx.io.cwd, args.elf);
    const timestamps = args.timestamps ?? resolved.monitor.timestamps?.value ?? false;
    // Opening a pty or TCP port warns about missing modem lines in flashing terms; not useful here.
    const logger: Logger = { ...ctx.logger, warn: (m) => ctx.logger.debug(m) };
    if (logFile !== undefined) await assertLogFileWritable(logFile);
    const open = () => openTransport(port, { baud: baud.value, logger });
    const transport = await open();

    return withInterrupt(async (signal) => {
      if (!ctx.json) {
        ctx.io.stderr(
          `--- espflash monitor on ${port} at ${baud.value} baud (${describeSource(baud.source)}) ---\n`,
        );
        ctx.io.stderr(`--- ${KEY_HELP} ---\n`);
      }
      const session = startMonitor({
        transport,
        baud: baud.value,
        sink: createSink(ctx),
        timestamps,
        color: ctx.color,
        buildDir,
        reopen: open,
        signal,
        env: ctx.io.env,
        ...(logFile !== undefined ? { logFile } : {}),
        ...(elf !== undefined ? { elf } : {}),
        ...(resolved.chip ? { chip: resolved.chip.value } : {}),
      });
      const detachKeys = attachKeys(ctx, session);
      try {
        if (args.reset) await session.reset();
        await session.done;
      } finally {
        detachKeys();
        await session.close();
      }
      return signal.aborted ? INTERRUPTED_EXIT : 0;
    });
  },
});

/** Where monitor text goes: stdout as is, or one `{event:'serial', text}` object per line with --json. */
function createSink(ctx: CliContext): (text: string) => void {
  if (!ctx.json) return (text) => ctx.io.stdout(text);
  let partial = '';
  return (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) ctx.emitJson({ event: 'serial', text: line });
  };
}

/** Read keys from stdin (raw mode on a TTY) and act on them; returns the cleanup. */
function attachKeys(ctx: CliContext, session: MonitorSession): () => void {
  const stdin = ctx.io.stdin;
  if (!stdin) return () => {};
  const keys = createKeyHandler();
  const raw = Boolean(stdin.isTTY && stdin.setRawMode);
  if (raw) stdin.setRawMode!(true);
  const act = (action: KeyAction): void => {
    switch (action.type) {
      case 'send':
        void session.send(action.bytes);
        break;
      case 'exit':
        void session.close();
        break;
      case 'reset':
        ctx.io.stderr('--- resetting ---\n');
        void session.reset().catch((err: unknown) => ctx.logger.warn(`reset failed: ${String(err)}`));
        break;
      case 'help':
      case 'unknown-menu-key':
        ctx.io.stderr(`--- ${KEY_HELP} ---\n`);
        break;
    }
  };
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk);
    for (const action of keys.feed(bytes)) act(action);
  };
  stdin.on('data', onData);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    if (raw) stdin.setRawMode!(false);
    stdin.pause();
  };
}
