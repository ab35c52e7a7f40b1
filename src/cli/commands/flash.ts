// `espflash [flash]` (the default command): optionally build, run the flash job (flashProject: plan
// from the ESP-IDF build, connect, write + verify every region, unchanged ones skipped, reset),
// print the summary, optionally monitor.

import { relative } from 'node:path';
import type { Argv } from 'yargs';
import { hex } from '../../core/protocol/bytes.js';
import { UsageError } from '../../errors.js';
import type { FlashSummary } from '../../flash/write-plan.js';
import { defineCommand } from '../command.js';
import { buildForFlash } from '../flows/build.js';
import { choosePortFor } from '../flows/device.js';
import { runFlashJob } from '../flows/flash-job.js';
import { resolveBoards, runManyBoards } from '../flows/many-boards.js';
import { keepSimChip, monitorAfterFlash } from '../flows/monitor.js';
import { formatBytes } from '../reporter/describe-event.js';
import {
  addCompressOptions,
  addDeviceOptions,
  addMaxParallelOption,
  addProjectOptions,
  compressChoice,
} from '../shared-options.js';

/** Text summary of a flash: one line per region, then totals. */
export function renderFlashSummary(summary: FlashSummary, cwd: string): string {
  const lines = summary.regions.map((r) => {
    const name = (r.label ?? r.role).padEnd(16);
    const what = r.status === 'skipped' ? 'unchanged (skipped)' : r.verified ? 'written, verified' : r.status;
    return `  ${name} ${hex(r.offset).padEnd(9)} ${formatBytes(r.size).padStart(10)}  ${what.padEnd(20)} ${relative(cwd, r.file)}`;
  });
  const written = summary.regions.filter((r) => r.status === 'written').length;
  const unverified = summary.regions.filter((r) => !r.verified).length;
  const verdict =
    unverified === 0
      ? 'every region verified by MD5.'
      : `${unverified} region(s) NOT verified: ${summary.unverifiedReason ?? 'the loader has no MD5'}.`;
  lines.push(
    `Flashed ${written} of ${summary.regions.length} regions (${formatBytes(summary.bytesWritten)}) in ${(summary.ms / 1000).toFixed(1)} s; ${verdict}`,
  );
  return lines.join('\n');
}

export const flashCommand = defineCommand({
  command: ['flash', '$0'],
  describe:
    'Flash the ESP-IDF build: bootloader, partition table and app at the offsets the build says (default command)',
  examples: [
    ['$0 --port /dev/ttyUSB0', 'Flash ./build (or the current dir when it is a build dir)'],
    ['$0 flash --build-dir path/to/build --port sim://esp32', 'Flash a build to the virtual ESP32'],
    ['$0 flash --to ota_1 --port /dev/ttyUSB0', 'Write only the app, into the ota_1 partition'],
    ['$0 flash --only app --baud 921600', 'Write only the app, faster'],
    ['$0 flash --force --no-stub', 'Rewrite every region through the ROM loader'],
    ['$0 --build -M', 'Build (idf.py build or config build.command), flash, then show the serial log'],
    [
      '$0 -p /dev/ttyUSB0 -p /dev/ttyUSB1',
      'Flash two boards at once (--port all: every ESP board plugged in)',
    ],
  ],
  builder: (y: Argv) =>
    addMaxParallelOption(addCompressOptions(addDeviceOptions(addProjectOptions(y))))
      .option('full', {
        type: 'boolean',
        default: false,
        describe:
          'Write whole regions: skip fast reflash (only changed sectors of what this device last got)',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe:
          'Write regions even when the device already holds them, and images with a bad checksum or digest (with a warning)',
      })
      .option('allow-stale', {
        type: 'boolean',
        default: false,
        describe:
          'Flash even if the app image was not built from the ELF next to it (embedded ELF SHA-256 differs)',
      })
      .option('build', {
        type: 'boolean',
        default: false,
        describe:
          'Run the build first (idf.py build, or build.command from the config); a failed build flashes nothing',
      })
      .option('monitor', {
        alias: 'M',
        type: 'boolean',
        default: false,
        describe: 'Open the serial monitor after a successful flash (Ctrl+] quits)',
      }),
  handler: async (args, ctx) => {
    const flags = {
      full: args.full,
      force: args.force,
      allowStale: args.allowStale,
      ...compressChoice(args),
      ...(args.to === undefined ? {} : { to: args.to }),
      ...(args.only === undefined ? {} : { only: args.only }),
    };
    // Several boards: --port repeated or `all`, else a list as the config's `port`.
    const { resolved, ports, maxParallel } = await resolveBoards(args, ctx);
    if (ports) {
      if (args.monitor)
        throw new UsageError('boards/one-port-only', '--monitor watches one board, not several ports');
      if (args.build) await buildForFlash(resolved, ctx);
      return runManyBoards(resolved, ctx, { ports, maxParallel, flags });
    }
    if (args.build) await buildForFlash(resolved, ctx);
    // --monitor: pick the port once so the monitor opens the one just flashed (a plain sim:// chip
    // ends when the flasher closes it unless it is named).
    const chosen = args.monitor ? await choosePortFor(resolved, ctx) : undefined;
    const port = chosen && { ...chosen, port: keepSimChip(chosen.port) };
    const { summary } = await runFlashJob(resolved, ctx, { ...flags, ...(port ? { port } : {}) });
    if (ctx.json) ctx.emitJson({ event: 'flash-summary', ...summary });
    else ctx.print(renderFlashSummary(summary, ctx.io.cwd));
    if (port) return monitorAfterFlash(resolved, ctx, port.port);
    return 0;
  },
});
