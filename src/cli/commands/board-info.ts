// `espflash board-info`: connect and show chip, features, crystal, MAC, flash id/size and security info.

import type { Argv } from 'yargs';
import type { BoardInfo } from '../../api/device.js';
import { hex } from '../../core/protocol/bytes.js';
import { defineCommand } from '../command.js';
import { withDevice } from '../flows/device.js';
import { resolveBoards, runOnBoards } from '../flows/many-boards.js';
import { addDeviceOptions, addMaxParallelOption } from '../shared-options.js';

/** Text rendering of {@link BoardInfo}. */
export function renderBoardInfo(info: BoardInfo): string {
  const s = info.security;
  const flags = s
    ? [
        `secure boot ${s.secureBootEnabled ? 'on' : 'off'}`,
        `flash encryption ${s.flashEncryptionEnabled ? 'on' : 'off'}`,
        `secure download mode ${s.secureDownloadMode ? 'on' : 'off'}`,
        ...(s.jtagHardDisabled || s.jtagSoftDisabled ? ['JTAG disabled'] : []),
      ].join(', ')
    : 'not reported by this chip';
  const rows: Array<[string, string]> = [
    ['Port', info.port],
    [
      'Chip',
      `${info.displayName}${info.revision === null ? ' (no chip revision readable)' : ` (revision ${info.revision})`}`,
    ],
    ['Features', info.features.join(', ')],
    ['Crystal', info.crystalMhz === null ? 'unknown' : `${info.crystalMhz} MHz`],
    ['MAC', info.mac ?? 'unknown'],
    [
      'Flash',
      `${info.flash.size ?? 'unknown size'}${info.flash.jedecId === null ? '' : ` (JEDEC ${hex(info.flash.jedecId)}, manufacturer ${hex(info.flash.manufacturer ?? 0)}, device ${hex(info.flash.deviceId ?? 0)})`}`,
    ],
    ['Security', flags],
    ['Loader', `${info.stub ? 'flasher stub' : 'ROM'} at ${info.baud} baud`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(9)} ${v}`).join('\n');
}

export const boardInfoCommand = defineCommand({
  command: 'board-info',
  describe: 'Show the chip, its features, crystal, MAC, flash id and size, and security info',
  examples: [
    ['$0 board-info --port /dev/ttyUSB0', 'Describe the board on /dev/ttyUSB0'],
    ['$0 board-info --port sim://esp32s3 --json', 'The virtual ESP32-S3, as JSON'],
    [
      '$0 board-info -p /dev/ttyUSB0 -p /dev/ttyUSB1',
      'Describe two boards at once (--port all: every ESP board)',
    ],
  ],
  builder: (y: Argv) => addMaxParallelOption(addDeviceOptions(y)),
  handler: async (args, ctx) => {
    const boards = await resolveBoards(args, ctx);
    const { resolved, ports } = boards;
    if (ports) {
      return runOnBoards({ ...boards, ports }, ctx, {
        verb: 'read',
        job: (device) => device.boardInfo(),
        json: (info) => ({ event: 'board-info', ...info }),
        render: renderBoardInfo,
      });
    }
    const info = await withDevice(resolved, ctx, ({ device }) => device.boardInfo());
    if (ctx.json) ctx.emitJson({ event: 'board-info', ...info });
    else ctx.print(renderBoardInfo(info));
    return 0;
  },
});
