// `espflash erase-flash`: erase the whole flash chip.

import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { withDevice } from '../reporter/device-session.js';
import { addDeviceOptions } from '../shared-options.js';

export const eraseFlashCommand = defineCommand({
  command: 'erase-flash',
  describe: 'Erase the whole flash chip (everything becomes 0xFF)',
  examples: [
    ['$0 erase-flash --port /dev/ttyUSB0', 'Erase the board on /dev/ttyUSB0'],
    ['$0 erase-flash --port sim://esp32', 'Erase the virtual ESP32'],
  ],
  builder: (y: Argv) => addDeviceOptions(y),
  handler: async (args, ctx) => {
    const size = await withDevice(args, ctx, async ({ device }) => {
      await device.eraseFlash();
      return device.flashInfo.sizeName;
    });
    if (ctx.json) ctx.emitJson({ event: 'erased', offset: 0, size });
    else ctx.print(`Erased the whole flash (${size})`);
    return 0;
  },
});
