// Crystal frequency estimate (PROTOCOL.md §3.4): baud × UART_CLKDIV / 1e6 / k, rounded to 26/40/48 MHz.

import type { Loader } from '../loader.js';

/** Round a measured frequency (MHz) to the crystal it comes from. */
export function nearestCrystal(mhz: number): 26 | 40 | 48 {
  if (mhz > 45) return 48;
  if (mhz > 33) return 40;
  return 26;
}

/** Estimated crystal frequency in MHz, or null without a UART_CLKDIV register (or an implausible value). */
export async function estimateCrystal(loader: Loader): Promise<number | null> {
  const reg = loader.chip.uartClkdiv;
  if (reg === null) return null;
  const divider = (await loader.readReg(reg)) & 0xfffff;
  const mhz = (loader.transport.baudRate * divider) / 1e6 / loader.chip.xtalClkDivider;
  // Below 10 MHz the register did not hold a real divider (0, or read before the ROM set it).
  return mhz > 10 ? nearestCrystal(mhz) : null;
}
