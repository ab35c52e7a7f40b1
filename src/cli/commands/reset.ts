// `espflash reset`: connect and reset the chip (--after picks how; default hard-reset).

import type { Argv } from 'yargs';
import { resetModeLabel } from '../../core/settings.js';
import { EspflashError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { withDevice } from '../flows/device.js';
import { addDeviceOptions, resolveCliOptions } from '../shared-options.js';

export const resetCommand = defineCommand({
  command: 'reset',
  describe: 'Reset the chip so it runs its app (--after picks the method)',
  examples: [
    ['$0 reset --port /dev/ttyUSB0', 'Hard reset through RTS'],
    [
      '$0 reset --after watchdog-reset --port /dev/ttyACM0',
      'Watchdog reset (USB-OTG / USB-Serial/JTAG boards)',
    ],
  ],
  builder: (y: Argv) => addDeviceOptions(y),
  handler: async (args, ctx) => {
    // Report what was done, not what was asked: a port without DTR/RTS cannot reset the chip, and a
    // watchdog reset falls back to a hard reset on chips without one.
    const { asked, done } = await withDevice(
      await resolveCliOptions(args, ctx),
      ctx,
      async ({ device, after }) => ({ asked: after, done: await device.reset(after) }),
      { reset: false },
    );
    if (done === 'none') {
      throw new EspflashError('reset/not-reset', 'the chip was not reset: this port has no DTR/RTS lines', {
        hint: "Press the board's EN/RESET button, or use a port with DTR/RTS (a USB serial port, or rfc2217:// instead of socket://).",
        details: { asked },
      });
    }
    if (ctx.json) ctx.emitJson({ event: 'reset-done', mode: done, asked });
    else
      ctx.print(
        done === asked
          ? `Reset (${resetModeLabel(done)})`
          : `Reset (${resetModeLabel(done)}; ${resetModeLabel(asked)} is not available here)`,
      );
    return 0;
  },
});
