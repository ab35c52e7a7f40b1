// Chip hooks after detection (PROTOCOL.md §3.8): over USB-Serial/JTAG the ROM feeds neither the RTC
// watchdog nor the super-watchdog, so disable the former and turn on the latter's auto-feed.

import type { LoaderSession } from '../session/loader-session.js';

/**
 * Disable the RTC watchdog and enable super-watchdog auto-feed when connected through USB-Serial/JTAG
 * (not in SDM, not when re-using a running stub). Returns whether anything was written.
 */
export async function disableWatchdogsForUsbJtag(session: LoaderSession): Promise<boolean> {
  const wdt = session.chip.watchdog;
  if (
    !wdt ||
    wdt.swdConf === null ||
    wdt.swdWprotect === null ||
    wdt.swdKey === null ||
    wdt.swdAutoFeedBit === null
  ) {
    return false;
  }
  await session.writeReg(wdt.wprotect, wdt.wprotectKey);
  await session.writeReg(wdt.config0, 0);
  await session.writeReg(wdt.wprotect, 0);
  await session.writeReg(wdt.swdWprotect, wdt.swdKey);
  const conf = await session.readReg(wdt.swdConf);
  await session.writeReg(wdt.swdConf, (conf | (1 << wdt.swdAutoFeedBit)) >>> 0);
  await session.writeReg(wdt.swdWprotect, 0);
  return true;
}
