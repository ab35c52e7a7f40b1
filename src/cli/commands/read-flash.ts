// `espflash read-flash <offset> <size> <file>`: read a flash range into a file.

import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { parseNumberArg } from '../../api/parse-number.js';
import { hex, toHex } from '../../core/protocol/bytes.js';
import { UsageError } from '../../errors.js';
import { nodeMd5 } from '../../flash/write-plan.js';
import { defineCommand, required } from '../command.js';
import { withDevice } from '../flows/device.js';
import { addDeviceOptions, resolveCliOptions } from '../shared-options.js';

export const readFlashCommand = defineCommand({
  command: 'read-flash <offset> <size> <file>',
  describe: 'Read a flash range into a file',
  examples: [
    ['$0 read-flash 0 4M backup.bin --port /dev/ttyUSB0', 'Back up a whole 4 MB flash'],
    ['$0 read-flash 0x8000 0xc00 table.bin --port sim://esp32', 'Read the partition table'],
  ],
  builder: (y: Argv) =>
    required(
      addDeviceOptions(y)
        .positional('offset', { type: 'string', describe: 'Start (0x hex, decimal, k/M suffix)' })
        .positional('size', { type: 'string', describe: 'Bytes to read (0x hex, decimal, k/M suffix)' })
        .positional('file', { type: 'string', describe: 'Output file' }),
      'offset',
      'size',
      'file',
    ),
  handler: async (args, ctx) => {
    const offset = parseNumberArg(args.offset, { name: '<offset>' });
    const size = parseNumberArg(args.size, { name: '<size>', allowZero: false });
    const file = resolve(ctx.io.cwd, args.file);
    await assertWritableFile(file);
    const data = await withDevice(await resolveCliOptions(args, ctx), ctx, ({ device }) =>
      device.readFlash(offset, size),
    );
    try {
      await writeFile(file, data);
    } catch (err) {
      throw new UsageError('usage/cannot-write', `cannot write ${file}`, {
        hint: 'Pick a <file> in a directory you can write to.',
        details: { file },
        cause: err,
      });
    }
    const md5 = toHex(nodeMd5(data));
    if (ctx.json) ctx.emitJson({ event: 'read', offset, size, file, md5 });
    else ctx.print(`Read ${size} bytes at ${hex(offset)} into ${file} (md5 ${md5})`);
    return 0;
  },
});

/** Fail before touching the device when `file` cannot be written (missing folder, a directory, read-only). */
async function assertWritableFile(file: string): Promise<void> {
  const problem = await stat(file).then(
    (st) => (st.isDirectory() ? 'is a directory' : null),
    () =>
      access(dirname(file), constants.W_OK).then(
        () => null,
        () => `its folder ${dirname(file)} does not exist or is not writable`,
      ),
  );
  if (problem) {
    throw new UsageError('usage/cannot-write', `cannot write ${file}: ${problem}`, {
      hint: 'Pick a <file> in a directory you can write to.',
      details: { file },
    });
  }
}
