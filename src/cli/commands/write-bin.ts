// `espflash write-bin <offset|label> <file>`: write one binary at an offset or into a partition
// (label looked up in the device's partition table, else the build's), then verify it.

import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Device } from '../../api/device.js';
import { parseNumberArg } from '../../api/parse-number.js';
import { loadPartitionTable, partitionByLabel } from '../../api/partitions.js';
import { hex } from '../../core/protocol/bytes.js';
import { UsageError } from '../../errors.js';
import { defineCommand, required } from '../command.js';
import { withDevice } from '../flows/device.js';
import { readBinaryToWrite } from '../flows/input-file.js';
import { resolveBoards, runOnBoards } from '../flows/many-boards.js';
import { findBuildDir } from '../flows/plan.js';
import {
  addCompressOptions,
  addDeviceOptions,
  addMaxParallelOption,
  compressChoice,
} from '../shared-options.js';

export const writeBinCommand = defineCommand({
  command: 'write-bin <target> <file>',
  describe: 'Write a binary at an offset or into a partition (by label), and verify it',
  examples: [
    ['$0 write-bin 0x10000 app.bin --port /dev/ttyUSB0', 'Write app.bin at 0x10000'],
    ['$0 write-bin storage data.bin --port sim://esp32', 'Write data.bin into the "storage" partition'],
  ],
  builder: (y: Argv) =>
    required(
      addMaxParallelOption(addCompressOptions(addDeviceOptions(y)))
        .positional('target', {
          type: 'string',
          describe: 'Offset (0x hex, decimal, k/M suffix) or partition label',
        })
        .positional('file', { type: 'string', describe: 'Binary to write' })
        .option('partition-table-offset', {
          type: 'string',
          default: '0x8000',
          describe: 'Where the partition table is on flash',
        })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'Write even if the device already holds these bytes',
        }),
      'target',
      'file',
    ),
  handler: async (args, ctx) => {
    const target = args.target;
    const numeric =
      /^(0x[0-9a-f]+|\d+)\s*(k|kb|m|mb)?$/i.test(target.trim()) || /^[-+.\d]/.test(target.trim());
    const offsetArg = numeric ? parseNumberArg(target, { name: '<offset>' }) : null;
    const tableOffset = parseNumberArg(args.partitionTableOffset, {
      name: '--partition-table-offset',
    });
    const file = resolve(ctx.io.cwd, args.file);
    const data = await readBinaryToWrite(file, '<file>');
    const boards = await resolveBoards(args, ctx);
    const { resolved, ports } = boards;
    const job = async (device: Device) => {
      let offset = offsetArg;
      let label: string | null = null;
      if (offset === null) {
        const loaded = await loadPartitionTable({
          device,
          offset: tableOffset,
          buildDir: await findBuildDir(resolved, ctx),
        });
        const part = partitionByLabel(loaded, target);
        if (data.length > part.size) {
          throw new UsageError(
            'partition/too-small',
            `${file} (${data.length} bytes) does not fit partition "${part.name}" (${hex(part.offset)}, ${part.size} bytes)`,
            {
              hint: 'Write a smaller file or pick a larger partition.',
              details: { file, label: part.name, size: part.size },
            },
          );
        }
        offset = part.offset;
        label = part.name;
      }
      return device.writeBin(offset, data, { label, force: args.force, ...compressChoice(args) });
    };
    const render = (result: Awaited<ReturnType<typeof job>>): string => {
      const { span } = result;
      const kept =
        span.offset !== result.offset || span.size !== result.size
          ? ` (sectors ${hex(span.offset)}..${hex(span.offset + span.size)} rewritten, the bytes around it kept and verified)`
          : '';
      return result.status === 'skipped'
        ? `${file} is already at ${hex(result.offset)} (md5 ${result.md5}); nothing written`
        : `Wrote ${file} at ${hex(result.offset)} and verified it (md5 ${result.md5})${kept}`;
    };
    if (ports) {
      return runOnBoards({ ...boards, ports }, ctx, {
        verb: 'written',
        job,
        json: (result) => ({ event: 'written', file, ...result }),
        render,
      });
    }
    const result = await withDevice(resolved, ctx, ({ device }) => job(device));
    if (ctx.json) ctx.emitJson({ event: 'written', file, ...result });
    else ctx.print(render(result));
    return 0;
  },
});
