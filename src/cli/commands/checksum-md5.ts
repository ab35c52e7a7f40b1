// `espflash checksum-md5 <offset> <size>`: the device's MD5 of a flash range.

import type { Argv } from 'yargs';
import { parseNumberArg } from '../../api/parse-number.js';
import { hex } from '../../core/protocol/bytes.js';
import { defineCommand, required } from '../command.js';
import { withDevice } from '../flows/device.js';
import { addDeviceOptions, resolveCliOptions } from '../shared-options.js';

export const checksumMd5Command = defineCommand({
  command: 'checksum-md5 <offset> <size>',
  describe: "Print the device's MD5 of a flash range",
  examples: [
    ['$0 checksum-md5 0x10000 0x100000 --port /dev/ttyUSB0', 'MD5 of 1 MiB at 0x10000'],
    ['$0 checksum-md5 0 4k --port sim://esp32 --json', 'As JSON'],
  ],
  builder: (y: Argv) =>
    required(
      addDeviceOptions(y)
        .positional('offset', { type: 'string', describe: 'Start (0x hex, decimal, k/M suffix)' })
        .positional('size', { type: 'string', describe: 'Length (0x hex, decimal, k/M suffix)' }),
      'offset',
      'size',
    ),
  handler: async (args, ctx) => {
    const offset = parseNumberArg(args.offset, { name: '<offset>' });
    const size = parseNumberArg(args.size, { name: '<size>', allowZero: false });
    const md5 = await withDevice(await resolveCliOptions(args, ctx), ctx, ({ device }) =>
      device.md5(offset, size),
    );
    if (ctx.json) ctx.emitJson({ event: 'md5', offset, size, md5 });
    else ctx.print(`${md5}  ${hex(offset)} +${hex(size)}`);
    return 0;
  },
});
