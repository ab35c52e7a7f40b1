// Leave the chip after an operation (PROTOCOL.md §4.5): hard reset via an RTS pulse (longer over
// USB-OTG), soft reset, no reset (the stub returns to the ROM), keep the stub, or a watchdog reset.

import { EspflashError } from '../../errors.js';
import { pulseHardReset } from '../connect/reset-sequences.js';
import { packU32 } from '../protocol/bytes.js';
import { OP } from '../protocol/opcodes.js';
import type { Loader } from '../session/loader.js';
import { type AfterReset, resetModeLabel } from '../settings.js';
import { flashBegin, writeBlockSize } from '../write/flash-begin.js';

/** Options for {@link resetAfter}. */
export interface ResetAfterOptions {
  mode: AfterReset;
  /** The connection is the chip's USB-OTG CDC interface (longer pulses, watchdog reset on S2/S3/P4). */
  usbOtg?: boolean;
}

/** ESP32-S3 RTC_CNTL_OPTION1: bit 0 forces download boot and must be cleared before a reset. */
const S3_RTC_CNTL_OPTION1 = 0x6000812c;
/** Chips where esptool performs the watchdog reset (C6/H2 deliberately excluded). */
const WATCHDOG_RESET_CHIPS = new Set([
  'esp32s2',
  'esp32s3',
  'esp32c2',
  'esp32c3',
  'esp32c5',
  'esp32c61',
  'esp32p4',
]);

/** Whether `--after watchdog-reset` is implemented for this loader's chip (else it falls back to hard reset). */
export function supportsWatchdogReset(loader: Pick<Loader, 'chip' | 'secureDownloadMode'>): boolean {
  return (
    !loader.secureDownloadMode && loader.chip.watchdog !== null && WATCHDOG_RESET_CHIPS.has(loader.chip.name)
  );
}

/** Reset (or not) according to `mode`. Emits a `reset` event with the mode actually used, and resolves with it. */
export async function resetAfter(loader: Loader, options: ResetAfterOptions): Promise<string> {
  const { mode } = options;
  switch (mode) {
    case 'hard_reset':
      return pulseReset(loader, options.usbOtg ?? false);
    case 'watchdog_reset':
      if (supportsWatchdogReset(loader)) return watchdogReset(loader);
      loader.logger.warn(`${loader.chip.displayName} has no watchdog reset here; doing a hard reset instead`);
      return pulseReset(loader, options.usbOtg ?? false);
    case 'soft_reset':
      await softReset(loader);
      break;
    case 'no_reset':
      // The stub leaves itself through FLASH_BEGIN(0,0) + FLASH_END(0): a software reset back into the ROM loader.
      if (loader.isStub) {
        await flashBegin(loader, { size: 0, blocks: 0, blockSize: writeBlockSize(loader), offset: 0 });
        await endIgnoringSilence(loader, 0);
      }
      break;
    case 'no_reset_stub':
      break;
  }
  loader.onEvent({ type: 'reset', mode });
  return mode;
}

/** RTS pulse: EN low for 100 ms (200 ms and a 200 ms settle over USB-OTG). */
async function pulseReset(loader: Loader, usbOtg: boolean): Promise<string> {
  if (loader.chip.name === 'esp32s3' && !loader.secureDownloadMode) {
    try {
      await loader.writeReg(S3_RTC_CNTL_OPTION1, 0, { mask: 1 });
    } catch (err) {
      loader.logger.debug(`clearing RTC_CNTL_OPTION1 failed: ${String(err)}`);
    }
  }
  const otgWatchdog =
    usbOtg &&
    (loader.chip.name === 'esp32p4' || loader.chip.name === 'esp32s2' || loader.chip.name === 'esp32s3');
  if (otgWatchdog && supportsWatchdogReset(loader)) return watchdogReset(loader);
  const transport = loader.transport;
  if (!transport.capabilities.modemLines) {
    if (supportsWatchdogReset(loader)) return watchdogReset(loader);
    loader.onEvent({
      type: 'warning',
      code: 'reset/no-modem-lines',
      message: `${transport.description} has no DTR/RTS lines; the chip was not reset (press EN/RESET on the board)`,
    });
    loader.onEvent({ type: 'reset', mode: 'none' });
    return 'none';
  }
  await pulseHardReset(transport, loader.clock, { usbOtg });
  loader.onEvent({ type: 'reset', mode: 'hard_reset' });
  return 'hard_reset';
}

/** RTC watchdog reset: unlock, short timeout, enable with a system-reset stage, relock, wait 0.5 s. */
async function watchdogReset(loader: Loader): Promise<string> {
  const wdt = loader.chip.watchdog!;
  await loader.writeReg(wdt.wprotect, wdt.wprotectKey);
  await loader.writeReg(wdt.config1, 2000);
  await loader.writeReg(wdt.config0, ((1 << 31) | (5 << 28) | (1 << 8) | 2) >>> 0);
  await loader.writeReg(wdt.wprotect, 0);
  await loader.clock.sleep(500);
  loader.onEvent({ type: 'reset', mode: 'watchdog_reset' });
  return 'watchdog_reset';
}

/** ROM: FLASH_BEGIN(0,0) + FLASH_END(1) runs the app. ESP8266 stub: RUN_USER_CODE. Others: unsupported. */
async function softReset(loader: Loader): Promise<void> {
  if (!loader.isStub) {
    await flashBegin(loader, { size: 0, blocks: 0, blockSize: writeBlockSize(loader), offset: 0 });
    await endIgnoringSilence(loader, 1);
    return;
  }
  if (loader.chip.name === 'esp8266') {
    await loader.command({ op: OP.RUN_USER_CODE, expectResponse: false });
    return;
  }
  throw new EspflashError(
    'reset/soft-unsupported',
    `${resetModeLabel('soft_reset')} with the flasher stub is only supported on ESP8266`,
    {
      hint: `Use --after ${resetModeLabel('hard_reset')} (or ${resetModeLabel('no_reset')}).`,
      details: { chip: loader.chip.name },
    },
  );
}

/** FLASH_END(flag); the loader may restart before its reply arrives, so a timeout is not an error. */
async function endIgnoringSilence(loader: Loader, flag: 0 | 1): Promise<void> {
  try {
    await loader.command({ op: OP.FLASH_END, data: packU32(flag), timeoutMs: 500 });
  } catch (err) {
    if (err instanceof EspflashError && err.code.startsWith('timeout/')) {
      loader.logger.debug('FLASH_END got no reply (the loader restarted)');
      return;
    }
    throw err;
  }
}
