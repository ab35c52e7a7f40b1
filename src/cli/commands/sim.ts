// `espflash sim`: run a virtual ESP32 (ROM loader, flasher stub, NOR flash, timing) on a TCP port,
// optionally behind a pseudo-terminal, until SIGINT/SIGTERM; saves the flash file on exit.

import { access, constants, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CHIP_NAMES } from '../../chips/chips.js';
import { UsageError } from '../../errors.js';
import { FAULT_KINDS, formatFaults, parseFaultSpecs, parseSeed } from '../../sim/fault-spec.js';
import type { SimFaults } from '../../sim/faults.js';
import {
  parseByteSize,
  simChip,
  simMac,
  simRevision,
  validateFlashSize,
  validateSecureDownload,
} from '../../sim/sim-options.js';
import { type SimServer, startSimServer } from '../../sim/tcp-server.js';
import type { SimMode } from '../../sim/virtual-chip.js';
import { defineCommand } from '../command.js';

/** Parse `--listen host:port` (IPv6 as `[::1]:5555`). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim()) ?? /^()()(\d+)$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new UsageError('sim/bad-listen', `--listen "${text}" is not host:port`, {
      hint: 'Pass --listen as host:port, e.g. 127.0.0.1:5555 (port 0 picks a free one).',
      details: { value: text },
    });
  }
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

function flashSizeArg(text: string, chip: Parameters<typeof validateFlashSize>[0]): number {
  const size = parseByteSize(text);
  if (size === null) {
    throw new UsageError('sim/bad-flash-size', `--flash-size "${text}" is not a size`, {
      hint: 'Pass --flash-size as 1MB, 2MB, 4MB, 8MB or 16MB.',
      details: { value: text },
    });
  }
  return validateFlashSize(chip, size, '--flash-size');
}

const MODE_TEXT: Record<SimMode, string> = {
  rom: 'ROM loader (download mode)',
  stub: 'flasher stub running',
  app: 'running the application from flash',
  reset: 'held in reset',
};

function waitForStopSignal(): Promise<string> {
  return new Promise((done) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

/** `--fault` tokens and `--seed` as SimFaults; undefined when neither was given. */
function faultArgs(fault: string[] | undefined, seed: string | undefined): SimFaults | undefined {
  const tokens = fault ?? [];
  if (tokens.length === 0 && seed === undefined) return undefined;
  const faults = parseFaultSpecs(tokens, '--fault');
  return seed === undefined ? faults : { ...faults, seed: parseSeed(seed, '--seed') };
}

export const simCommand = defineCommand({
  command: 'sim',
  describe: 'Run a virtual ESP32 on a TCP port (test espflash and your scripts without hardware)',
  examples: [
    ['$0 sim', 'Virtual ESP32 on 127.0.0.1:5555; flash with --port socket://127.0.0.1:5555'],
    [
      '$0 sim --chip esp32s3 --flash-size 8MB --flash-file flash.bin',
      'ESP32-S3 whose flash persists in flash.bin',
    ],
    [
      '$0 sim --fault corrupt=1e-4 --fault disconnect-at=300000 --fault status=0xC1@13 --seed 7',
      'A flaky chip: bit errors, a USB re-enumeration, a checksum error on block 13; reproducible',
    ],
    ['$0 sim --pty', 'Also expose a pseudo-terminal (needs socat) for tools that want a serial device'],
    ['$0 sim --chip esp32c3 --rev 0.3', 'ESP32-C3 whose eFuses report chip revision v0.3'],
    [
      '$0 sim --no-timing --listen 127.0.0.1:0 --json',
      'Fast, on a free port; prints {"event":"listening",...}',
    ],
  ],
  builder: (y: Argv) =>
    y
      .option('chip', {
        type: 'string',
        default: 'esp32',
        describe: `Chip to simulate (${CHIP_NAMES.join(', ')})`,
      })
      .option('listen', {
        type: 'string',
        default: '127.0.0.1:5555',
        describe: 'TCP address to serve on (host:port)',
      })
      .option('flash-file', {
        type: 'string',
        describe: 'Load the flash from this file and save it back on change and exit',
      })
      .option('flash-size', {
        type: 'string',
        default: '4MB',
        describe: 'Flash size (1MB..16MB; more on S2/S3/P4/C5)',
      })
      .option('mac', { type: 'string', describe: 'MAC address the eFuses report (default: fixed per chip)' })
      .option('timing', {
        type: 'boolean',
        default: true,
        describe: 'Real-chip timing: baud wire time, erase/program times (--no-timing: instant)',
      })
      .option('rev', {
        type: 'string',
        describe: 'Chip revision the eFuses report, major.minor (default: a production revision per chip)',
      })
      .option('secure-download', {
        type: 'boolean',
        default: false,
        describe: 'Simulate Secure Download Mode (ESP32-S2 and later)',
      })
      .option('fault', {
        type: 'string',
        array: true,
        describe: `Inject a fault (repeatable, or comma-separated): ${FAULT_KINDS.join(', ')}`,
      })
      .option('seed', {
        type: 'string',
        describe: 'Seed for the faults (default 1): the same seed and traffic give the same faults',
      })
      .option('pty', {
        type: 'string',
        describe: 'Link a pseudo-terminal to the port via socat (optional symlink path)',
      }),
  handler: async (args, ctx) => {
    const chip = simChip(args.chip, '--chip');
    const flashSize = flashSizeArg(args.flashSize, chip);
    const mac = args.mac;
    if (mac !== undefined) simMac(mac, '--mac');
    const { host, port } = parseListen(args.listen);
    const secureDownload = args.secureDownload;
    if (secureDownload) validateSecureDownload(chip, '--secure-download');
    const revision = args.rev === undefined ? undefined : simRevision(chip, args.rev, '--rev');
    const flashFile = args.flashFile === undefined ? undefined : resolve(ctx.io.cwd, args.flashFile);
    if (flashFile) await assertFlashFileWritable(flashFile);
    const ptyArg = args.pty;
    const faults = faultArgs(args.fault, args.seed);
    const server: SimServer = await startSimServer({
      chip,
      flashSize,
      ...(flashFile ? { flashFile } : {}),
      ...(mac ? { mac } : {}),
      timing: args.timing,
      secureDownload,
      ...(revision ? { revision } : {}),
      ...(faults ? { faults } : {}),
      host,
      port,
      onClient: (e) => {
        if (ctx.json) ctx.emitJson({ event: `client-${e.type}`, remote: e.remote, clients: e.clients });
        else ctx.logger.info(`client ${e.type}: ${e.remote}`);
      },
      ...(ptyArg === undefined
        ? {}
        : { ptyLink: ptyArg ? resolve(ctx.io.cwd, ptyArg) : join(tmpdir(), `espflash-sim-${process.pid}`) }),
    });
    const stopped = waitForStopSignal();
    server.device.onModeChange((mode) => {
      if (ctx.json) ctx.emitJson({ event: 'mode', mode });
      else ctx.logger.info(`device: ${MODE_TEXT[mode]}`);
    });
    server.device.usb.onUnplug(() => {
      if (ctx.json) ctx.emitJson({ event: 'fault', kind: 'disconnect' });
      else ctx.logger.info('fault: the virtual USB port disconnected (re-enumerating)');
    });
    const info = server.device.chip;
    if (ctx.json) {
      ctx.emitJson({
        event: 'listening',
        host: server.host,
        port: server.port,
        ...(server.pty ? { pty: server.pty } : {}),
        chip: info.name,
        flashSize,
        faults: faults ? formatFaults(faults) : [],
        ...(faults?.seed === undefined ? {} : { seed: faults.seed }),
      });
    } else {
      ctx.print(
        `espflash sim: virtual ${info.displayName} (${flashSize / 1024 / 1024}MB flash, timing ${args.timing ? 'on' : 'off'}) listening on ${server.host}:${server.port}`,
      );
      ctx.print(`  connect with: --port socket://${server.host}:${server.port}`);
      if (server.pty) ctx.print(`  pty: ${server.pty} (no DTR/RTS: use --before no-reset)`);
      if (flashFile) ctx.print(`  flash file: ${flashFile}`);
      if (faults) {
        const seed = faults.seed === undefined ? '' : ` (seed ${faults.seed})`;
        ctx.print(`  faults: ${formatFaults(faults).join(', ') || 'none'}${seed}`);
      }
      ctx.print('Press Ctrl+C to stop.');
    }
    const signal = await stopped;
    await server.close();
    if (ctx.json) ctx.emitJson({ event: 'stopped', signal, ...(flashFile ? { flashFile } : {}) });
    else ctx.print(`espflash sim: stopped (${signal})${flashFile ? `; flash saved to ${flashFile}` : ''}`);
    return 0;
  },
});

/**
 * The sim saves its flash to `--flash-file` as clients write: a path it cannot write would only fail
 * when it exits, after clients were told "written and verified". Check it before serving.
 */
async function assertFlashFileWritable(file: string): Promise<void> {
  const problem = await stat(file).then(
    (st) =>
      st.isFile()
        ? access(file, constants.W_OK).then(
            () => null,
            () => 'it is not writable',
          )
        : 'it is not a file',
    () =>
      access(dirname(file), constants.W_OK).then(
        () => null,
        () => `its folder ${dirname(file)} does not exist or is not writable`,
      ),
  );
  if (problem) {
    throw new UsageError('sim/flash-file-write', `--flash-file ${file} cannot be used: ${problem}`, {
      hint: 'Pass --flash-file with a path in a folder you can write to.',
      details: { file },
    });
  }
}
