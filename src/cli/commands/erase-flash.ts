// `espflash erase-flash`: erase the whole flash chip. The chip erase is one command that takes
// seconds with no progress of its own, so the elapsed time is shown while it runs.

import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { withDevice } from '../flows/device.js';
import { resolveBoards, runOnBoards } from '../flows/many-boards.js';
import { addDeviceOptions, addMaxParallelOption } from '../shared-options.js';

/** How often the elapsed time of a running chip erase is shown. */
const ERASE_TICK_MS = 1000;

export const eraseFlashCommand = defineCommand({
  command: 'erase-flash',
  describe: 'Erase the whole flash chip (everything becomes 0xFF)',
  examples: [
    ['$0 erase-flash --port /dev/ttyUSB0', 'Erase the board on /dev/ttyUSB0'],
    ['$0 erase-flash --port sim://esp32', 'Erase the virtual ESP32'],
    ['$0 erase-flash -p /dev/ttyUSB0 -p /dev/ttyUSB1', 'Erase two boards at once'],
  ],
  builder: (y: Argv) => addMaxParallelOption(addDeviceOptions(y)),
  handler: async (args, ctx) => {
    const boards = await resolveBoards(args, ctx);
    const { resolved, ports } = boards;
    if (ports) {
      return runOnBoards({ ...boards, ports }, ctx, {
        verb: 'erased',
        job: async (device) => {
          await device.eraseFlash();
          return device.flashInfo.sizeName;
        },
        json: (size) => ({ event: 'erased', offset: 0, size }),
        render: (size) => `Erased the whole flash (${size})`,
      });
    }
    const size = await withDevice(resolved, ctx, async ({ device }) => {
      const started = Date.now();
      const tick = setInterval(() => {
        const elapsedMs = Date.now() - started;
        if (ctx.json) ctx.emitJson({ event: 'erase-waiting', elapsedMs });
        else ctx.io.stderr(`  still erasing… ${Math.round(elapsedMs / 1000)} s\n`);
      }, ERASE_TICK_MS);
      try {
        await device.eraseFlash();
      } finally {
        clearInterval(tick);
      }
      return device.flashInfo.sizeName;
    });
    if (ctx.json) ctx.emitJson({ event: 'erased', offset: 0, size });
    else ctx.print(`Erased the whole flash (${size})`);
    return 0;
  },
});
