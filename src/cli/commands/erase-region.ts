// `espflash erase-region <offset> <size>`: erase a 4 KiB-aligned range.

import type { Argv } from 'yargs';
import { parseNumberArg } from '../../api/parse-number.js';
import { checkEraseAlignment } from '../../core/ops/erase.js';
import { hex } from '../../core/protocol/bytes.js';
import { defineCommand, required } from '../command.js';
import { withDevice } from '../flows/device.js';
import { resolveBoards, runOnBoards } from '../flows/many-boards.js';
import { addDeviceOptions, addMaxParallelOption } from '../shared-options.js';

export const eraseRegionCommand = defineCommand({
  command: 'erase-region <offset> <size>',
  describe: 'Erase a flash range (offset and size multiples of 4 KiB)',
  examples: [
    ['$0 erase-region 0x9000 0x6000 --port /dev/ttyUSB0', 'Erase 24 KiB at 0x9000 (a default nvs partition)'],
    ['$0 erase-region 1M 64k --port sim://esp32', 'Suffixes work: 64 KiB at 1 MiB'],
  ],
  builder: (y: Argv) =>
    required(
      addMaxParallelOption(addDeviceOptions(y))
        .positional('offset', { type: 'string', describe: 'Start (0x hex, decimal, k/M suffix)' })
        .positional('size', { type: 'string', describe: 'Bytes to erase (0x hex, decimal, k/M suffix)' }),
      'offset',
      'size',
    ),
  handler: async (args, ctx) => {
    const offset = parseNumberArg(args.offset, { name: '<offset>' });
    const size = parseNumberArg(args.size, { name: '<size>', allowZero: false });
    checkEraseAlignment({ offset, size });
    const boards = await resolveBoards(args, ctx);
    const { resolved, ports } = boards;
    if (ports) {
      return runOnBoards({ ...boards, ports }, ctx, {
        verb: 'erased',
        job: (device) => device.eraseRegion(offset, size),
        json: () => ({ event: 'erased', offset, size }),
        render: () => `Erased ${hex(size)} bytes at ${hex(offset)}`,
      });
    }
    await withDevice(resolved, ctx, ({ device }) => device.eraseRegion(offset, size));
    if (ctx.json) ctx.emitJson({ event: 'erased', offset, size });
    else ctx.print(`Erased ${hex(size)} bytes at ${hex(offset)}`);
    return 0;
  },
});
