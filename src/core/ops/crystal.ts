// Crystal frequency estimate (PROTOCOL.md §3.4): baud × UART_CLKDIV / 1e6 / k, rounded to 26/40/48 MHz.

import type { Loader } from '../loader.js';

/** Round a measured frequency (MHz) to the crystal it comes from. */
export function nearestCrystal(mhz: number): 26 | 40 | 48 {
  if (mhz > 45) return 48;
  if (mhz > 33) return 40;
  return 26;
}

/** Estimated crystal frequency in MHz, or null without a UART_CLKDIV register (or when it reads 0). */
export async function estimateCrystal(loader: Loader): Promise<number | null> {
  const reg = loader.chip.uartClkdiv;
  if (reg === null) return null;
  const divider = (await loader.readReg(reg)) & 0xfffff;
  if (divider === 0) return null;
  const mhz = (loader.transport.baudRate * divider) / 1e6 / loader.chip.xtalClkDivider;
  return nearestCrystal(mhz);
}
