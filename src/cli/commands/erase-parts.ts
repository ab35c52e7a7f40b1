// `espflash erase-parts <label…>`: erase partitions by label, using the partition table on the
// device (or the build's when the device has none).

import type { Argv } from 'yargs';
import { parseNumberArg } from '../../api/parse-number.js';
import {
  DEFAULT_PARTITION_TABLE_OFFSET,
  loadPartitionTable,
  partitionByLabel,
} from '../../api/partitions.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { hex } from '../../core/bytes.js';
import { locateBuildDir } from '../../project/locate-build.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { withDevice } from '../reporter/device-session.js';
import { addDeviceOptions } from '../shared-options.js';

/** The project's build directory when one can be found (for partition-table fallback), else null. */
export async function findBuildDir(resolved: ResolvedOptions, ctx: CliContext): Promise<string | null> {
  try {
    const located = await locateBuildDir({
      cwd: ctx.io.cwd,
      ...(resolved.buildDir ? { buildDir: resolved.buildDir } : {}),
      ...(resolved.project ? { project: resolved.project } : {}),
    });
    return located.buildDir;
  } catch (err) {
    // A build dir the user named must exist; the implicit lookup from cwd is only a fallback.
    const named = [resolved.buildDir, resolved.project].some(
      (v) => v && (v.source.kind === 'cli' || v.source.kind === 'env'),
    );
    if (named) throw err;
    return null;
  }
}

export const erasePartsCommand = defineCommand({
  command: 'erase-parts <labels..>',
  describe: 'Erase partitions by label (table read from the device, else from the build)',
  examples: [
    ['$0 erase-parts nvs --port /dev/ttyUSB0', 'Erase the nvs partition (forget Wi-Fi credentials etc.)'],
    ['$0 erase-parts nvs otadata --port sim://esp32', 'Erase two partitions'],
  ],
  builder: (y: Argv) =>
    addDeviceOptions(y)
      .positional('labels', { type: 'string', array: true, describe: 'Partition labels' })
      .option('partition-table-offset', {
        type: 'string',
        default: '0x8000',
        describe: 'Where the partition table is on flash',
      })
      .option('build-dir', {
        type: 'string',
        describe: 'Build directory whose partition table to use when the device has none',
      }),
  handler: async (args, ctx) => {
    const labels = (args.labels as unknown[]).map(String);
    const tableOffset = parseNumberArg(String(args.partitionTableOffset ?? DEFAULT_PARTITION_TABLE_OFFSET), {
      name: '--partition-table-offset',
    });
    const erased = await withDevice(args, ctx, async ({ device, resolved }) => {
      const loaded = await loadPartitionTable({
        device,
        offset: tableOffset,
        buildDir: await findBuildDir(resolved, ctx),
      });
      const parts = labels.map((l) => partitionByLabel(loaded, l)); // all labels checked before erasing any
      for (const p of parts) await device.eraseRegion(p.offset, p.size);
      return parts.map((p) => ({ label: p.name, offset: p.offset, size: p.size }));
    });
    for (const p of erased) {
      if (ctx.json) ctx.emitJson({ event: 'erased', ...p });
      else ctx.print(`Erased ${p.label} (${hex(p.offset)} +${hex(p.size)})`);
    }
    return 0;
  },
});
