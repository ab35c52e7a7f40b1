// `espflash erase-parts <label…>`: erase partitions by label, using the partition table on the
// device (or the build's when the device has none).

import type { Argv } from 'yargs';
import type { Device } from '../../api/device.js';
import { parseNumberArg } from '../../api/parse-number.js';
import { loadPartitionTable, partitionByLabel } from '../../api/partitions.js';
import { hex } from '../../core/protocol/bytes.js';
import { defineCommand, required } from '../command.js';
import { withDevice } from '../flows/device.js';
import { resolveBoards, runOnBoards } from '../flows/many-boards.js';
import { findBuildDir } from '../flows/plan.js';
import { addDeviceOptions, addMaxParallelOption } from '../shared-options.js';

export const erasePartsCommand = defineCommand({
  command: 'erase-parts <labels..>',
  describe: 'Erase partitions by label (table read from the device, else from the build)',
  examples: [
    ['$0 erase-parts nvs --port /dev/ttyUSB0', 'Erase the nvs partition (forget Wi-Fi credentials etc.)'],
    ['$0 erase-parts nvs otadata --port sim://esp32', 'Erase two partitions'],
  ],
  builder: (y: Argv) =>
    required(
      addMaxParallelOption(addDeviceOptions(y))
        .positional('labels', { type: 'string', array: true, describe: 'Partition labels' })
        .option('partition-table-offset', {
          type: 'string',
          default: '0x8000',
          describe: 'Where the partition table is on flash',
        })
        .option('build-dir', {
          alias: 'B',
          type: 'string',
          describe: 'Build directory whose partition table to use when the device has none',
        }),
      'labels',
    ),
  handler: async (args, ctx) => {
    const labels = args.labels;
    const tableOffset = parseNumberArg(args.partitionTableOffset, {
      name: '--partition-table-offset',
    });
    const boards = await resolveBoards(args, ctx);
    const { resolved, ports } = boards;
    const buildDir = await findBuildDir(resolved, ctx);
    // The labels of each board's own table (read from the board, else the build's).
    const job = async (device: Device) => {
      const loaded = await loadPartitionTable({ device, offset: tableOffset, buildDir });
      const parts = labels.map((l) => partitionByLabel(loaded, l)); // all labels checked before erasing any
      for (const p of parts) await device.eraseRegion(p.offset, p.size);
      return parts.map((p) => ({ label: p.name, offset: p.offset, size: p.size }));
    };
    const line = (p: { label: string; offset: number; size: number }) =>
      `Erased ${p.label} (${hex(p.offset)} +${hex(p.size)})`;
    if (ports) {
      return runOnBoards({ ...boards, ports }, ctx, {
        verb: 'erased',
        job,
        json: (parts) => ({ event: 'erased-partitions', partitions: parts }),
        render: (parts) => parts.map(line).join('\n'),
      });
    }
    const erased = await withDevice(resolved, ctx, ({ device }) => job(device));
    for (const p of erased) {
      if (ctx.json) ctx.emitJson({ event: 'erased', ...p });
      else ctx.print(line(p));
    }
    return 0;
  },
});
