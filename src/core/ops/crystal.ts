// Crystal frequency estimate (PROTOCOL.md §3.4): baud × UART_CLKDIV / 1e6 / k, rounded to 26/40/48 MHz.
// The divider tells the crystal only while the ROM loader runs: the ROM clocks its UART from the
// crystal, but a flasher stub may switch the CPU, and with it the APB clock that drives the UART, to
// the PLL. On the real ESP32 under esp-flasher-stub the register reads 694 (+7/16) at 115200, i.e.
// 80 MHz, which rounded to "48 MHz". After CHANGE_BAUDRATE the ESP32 ROM's divider follows its own
// calibrated crystal guess (esptool's correction), which QEMU's model makes 25 MHz. So connect measures
// once right after SYNC (rememberRomCrystal) and the estimate uses that; a stub found already running,
// with an APB clock above any crystal, gives "unknown" rather than a wrong value.

import { isEspflashError } from '../../errors.js';
import type { Loader } from '../session/loader.js';
import type { Transport } from '../session/transport.js';

/** No supported chip has a crystal above this (MHz); a faster UART clock is PLL-derived. */
const MAX_CRYSTAL_MHZ = 52;
/** Below this the register did not hold a real divider (0, or read before the ROM set it). */
const MIN_CRYSTAL_MHZ = 10;

/** What the ROM loader measured, per transport (the link outlives the switch to the stub). */
const romMeasured = new WeakMap<Transport, number>();

/** Round a measured frequency (MHz) to the crystal it comes from. */
export function nearestCrystal(mhz: number): 26 | 40 | 48 {
  if (mhz > 45) return 48;
  if (mhz > 33) return 40;
  return 26;
}

/** The UART clock in MHz from its divider at the current baud, or null without the register. */
async function uartClockMhz(loader: Loader): Promise<number | null> {
  const reg = loader.chip.uartClkdiv;
  if (reg === null) return null;
  const divider = (await loader.readReg(reg)) & 0xfffff;
  return (loader.transport.baudRate * divider) / 1e6 / loader.chip.xtalClkDivider;
}

/** A UART clock that can be the crystal, rounded; null otherwise. */
function asCrystal(mhz: number | null): number | null {
  return mhz !== null && mhz > MIN_CRYSTAL_MHZ && mhz < MAX_CRYSTAL_MHZ ? nearestCrystal(mhz) : null;
}

/**
 * Measure the crystal while the ROM loader still runs at the baud it synced at, and keep it for
 * {@link estimateCrystal} (after a baud change or once the stub has taken over). Call right after
 * SYNC and chip detection; does nothing on a stub or in Secure Download Mode. A failed read is
 * logged, never thrown (the estimate is informational).
 */
export async function rememberRomCrystal(loader: Loader): Promise<void> {
  if (loader.isStub || loader.secureDownloadMode) return;
  try {
    const mhz = asCrystal(await uartClockMhz(loader));
    if (mhz !== null) romMeasured.set(loader.transport, mhz);
  } catch (err) {
    if (isEspflashError(err) && err.code === 'transport/closed') throw err;
    loader.logger.debug(`crystal estimate skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Estimated crystal frequency in MHz: what the ROM loader showed right after SYNC (remembered by
 * connect, before any baud change or stub), else the divider now; null without a UART_CLKDIV register
 * or when the UART runs from a PLL-derived clock.
 */
export async function estimateCrystal(loader: Loader): Promise<number | null> {
  const remembered = romMeasured.get(loader.transport);
  if (remembered !== undefined) return remembered;
  return asCrystal(await uartClockMhz(loader));
}
