// `espflash reset`: connect and reset the chip (--after picks how; default hard_reset).

import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { withDevice } from '../reporter/device-session.js';
import { addDeviceOptions } from '../shared-options.js';

export const resetCommand = defineCommand({
  command: 'reset',
  describe: 'Reset the chip so it runs its app (--after picks the method)',
  examples: [
    ['$0 reset --port /dev/ttyUSB0', 'Hard reset through RTS'],
    [
      '$0 reset --after watchdog_reset --port /dev/ttyACM0',
      'Watchdog reset (USB-OTG / USB-Serial/JTAG boards)',
    ],
  ],
  builder: (y: Argv) => addDeviceOptions(y),
  handler: async (args, ctx) => {
    const mode = await withDevice(args, ctx, async ({ after }) => after);
    if (ctx.json) ctx.emitJson({ event: 'reset-done', mode });
    else ctx.print(`Reset (${mode.replace(/_/g, '-')})`);
    return 0;
  },
});
