// CLI flow for the serial monitor after a flash (`flash --monitor`) and between flashes (`watch
// --monitor`): the monitor settings both share, the sim:// chip kept alive between opens, and the
// monitor-until-Ctrl+] loop after a flash.

import { join, resolve } from 'node:path';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import type { Logger } from '../../logger.js';
import { createKeyHandler, KEY_HELP } from '../../monitor/keys.js';
import { resolveMonitorBaud } from '../../monitor/monitor-baud.js';
import { assertLogFileWritable } from '../../monitor/monitor-output.js';
import { type MonitorOptions, type MonitorSession, startMonitor } from '../../monitor/monitor-session.js';
import { openTransport } from '../../node/open-transport.js';
import type { MonitorHandle } from '../../watch/watch-types.js';
import type { CliContext } from '../context.js';
import { attachKeys } from '../watch/terminal-keys.js';
import { createWatchRenderer } from '../watch/watch-render.js';
import { INTERRUPTED_EXIT, withInterrupt } from './interrupt.js';

/** A monitor for the flash loop; `afterFlash` resets the chip again once the monitor reads. */
type FlashMonitor = MonitorHandle & { afterFlash(): Promise<void> };

let simChipCount = 0;

/**
 * A plain `sim://` chip lives only while a transport holds it. When a command opens the port more
 * than once (flash, then monitor), name it (`id=`) so every open reaches the chip that was flashed.
 */
export function keepSimChip(port: string): string {
  if (!/^sim:\/\//i.test(port) || /[?&]id=/.test(port)) return port;
  return `${port}${port.includes('?') ? '&' : '?'}id=espflash-${process.pid}-${++simChipCount}`;
}

/** The monitor settings shared by `watch --monitor` and `flash --monitor`. */
export async function monitorFactory(
  resolved: ResolvedOptions,
  ctx: CliContext,
  port: string,
  sink: (text: string) => void,
): Promise<{ factory: () => Promise<FlashMonitor>; baud: number }> {
  const projectDir = resolve(ctx.io.cwd, resolved.project?.value ?? ctx.io.cwd);
  const buildDir = resolve(ctx.io.cwd, resolved.buildDir?.value ?? join(projectDir, 'build'));
  const baud = await resolveMonitorBaud({
    buildDir,
    projectDir,
    ...(resolved.monitor.baud ? { configured: resolved.monitor.baud } : {}),
  });
  // Opening a pty or TCP port warns about missing modem lines in flashing terms; not useful here.
  const logger: Logger = { ...ctx.logger, warn: (m) => ctx.logger.debug(m) };
  if (resolved.monitor.logFile) await assertLogFileWritable(resolved.monitor.logFile.value);
  const open = () => openTransport(port, { baud: baud.value, logger });
  const options: Omit<MonitorOptions, 'transport' | 'reopen'> = {
    baud: baud.value,
    sink,
    buildDir,
    color: ctx.color,
    env: ctx.io.env,
    timestamps: resolved.monitor.timestamps?.value ?? false,
    ...(resolved.monitor.logFile ? { logFile: resolved.monitor.logFile.value } : {}),
    ...(resolved.monitor.elf ? { elf: resolved.monitor.elf.value } : {}),
    ...(resolved.chip ? { chip: resolved.chip.value } : {}),
  };
  // The flasher resets the chip before the monitor has the port again: reset once more (as idf.py
  // monitor does on open) so the first lines after the reset are on screen. Ports without DTR/RTS
  // cannot be reset from here; the flasher's reset stands there.
  const resetIfPossible = async (session: MonitorSession) => {
    if (session.transport.capabilities.modemLines) await session.reset();
  };
  const factory = async (): Promise<FlashMonitor> => {
    const session = startMonitor({ ...options, transport: await open(), reopen: open });
    return {
      pause: () => session.pause(),
      resume: async () => {
        await session.resume();
        await resetIfPossible(session);
      },
      reset: () => session.reset(),
      send: (bytes) => session.send(bytes),
      close: () => session.close(),
      done: session.done,
      afterFlash: () => resetIfPossible(session),
    };
  };
  return { factory, baud: baud.value };
}

/** `flash --monitor`: monitor `port` after the flash until Ctrl+] (or Ctrl+C). */
export async function monitorAfterFlash(
  resolved: ResolvedOptions,
  ctx: CliContext,
  port: string,
): Promise<number> {
  const sink = createWatchRenderer({ ...rendererIo(ctx), tty: false }).serial;
  const { factory, baud } = await monitorFactory(resolved, ctx, port, sink);
  if (!ctx.json) ctx.io.stderr(`--- monitor on ${port} at ${baud} baud; ${KEY_HELP} ---\n`);
  return withInterrupt(async (signal) => {
    const session = await factory();
    await session.afterFlash();
    const keys = createKeyHandler();
    const detach = attachKeys(ctx.io.stdin, (bytes) => {
      for (const action of keys.feed(bytes)) {
        if (action.type === 'send') void session.send(action.bytes);
        else if (action.type === 'exit') void session.close();
        else if (action.type === 'reset') void session.reset().catch(() => {});
        else ctx.io.stderr(`--- ${KEY_HELP} ---\n`);
      }
    });
    const onAbort = () => void session.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await session.done;
    } finally {
      signal.removeEventListener('abort', onAbort);
      detach();
      await session.close();
    }
    return signal.aborted ? INTERRUPTED_EXIT : 0;
  });
}

/** The renderer's view of the CLI context. */
export function rendererIo(ctx: CliContext) {
  return { stdout: ctx.io.stdout, stderr: ctx.io.stderr, color: ctx.color, json: ctx.json, cwd: ctx.io.cwd };
}
