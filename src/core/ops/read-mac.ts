// Read the factory MAC address from eFuse with READ_REG (PROTOCOL.md §3.5): the ESP8266 OTP layout,
// the ESP32 word1/word2 layout, and the MAC0/MAC1 layout of every later chip.

import type { MacLayout } from '../../chips/chips.js';
import type { Loader } from '../session/loader.js';

/** `aa:bb:cc:dd:ee:ff` (lower case). */
export function formatMac(bytes: readonly number[]): string {
  return bytes.map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':');
}

/** The six MAC bytes from the words a layout reads (pure; `words` maps register address → value). */
export function decodeMac(layout: MacLayout, words: (address: number) => number): number[] {
  switch (layout.kind) {
    case 'esp8266': {
      const m0 = words(0x3ff00050);
      const m1 = words(0x3ff00054);
      const m3 = words(0x3ff0005c);
      let oui: number[];
      if (m3 !== 0) oui = [(m3 >>> 16) & 0xff, (m3 >>> 8) & 0xff, m3 & 0xff];
      else if (((m1 >>> 16) & 0xff) === 0) oui = [0x18, 0xfe, 0x34];
      else if (((m1 >>> 16) & 0xff) === 1) oui = [0xac, 0xd0, 0x74];
      else oui = [0, 0, 0];
      return [...oui, (m1 >>> 8) & 0xff, m1 & 0xff, (m0 >>> 24) & 0xff];
    }
    case 'esp32': {
      const w1 = words(layout.word1);
      const w2 = words(layout.word2);
      return [
        (w2 >>> 8) & 0xff,
        w2 & 0xff,
        (w1 >>> 24) & 0xff,
        (w1 >>> 16) & 0xff,
        (w1 >>> 8) & 0xff,
        w1 & 0xff,
      ];
    }
    case 'efuse': {
      const mac0 = words(layout.mac0);
      const mac1 = words(layout.mac0 + 4);
      return [
        (mac1 >>> 8) & 0xff,
        mac1 & 0xff,
        (mac0 >>> 24) & 0xff,
        (mac0 >>> 16) & 0xff,
        (mac0 >>> 8) & 0xff,
        mac0 & 0xff,
      ];
    }
  }
}

/** Registers a layout reads. */
function macRegisters(layout: MacLayout): number[] {
  switch (layout.kind) {
    case 'esp8266':
      return [0x3ff00050, 0x3ff00054, 0x3ff0005c];
    case 'esp32':
      return [layout.word1, layout.word2];
    case 'efuse':
      return [layout.mac0, layout.mac0 + 4];
  }
}

/** Read the chip's MAC address as `aa:bb:cc:dd:ee:ff`. */
export async function readMac(loader: Loader): Promise<string> {
  const values = new Map<number, number>();
  for (const reg of macRegisters(loader.chip.mac)) values.set(reg, await loader.readReg(reg));
  return formatMac(decodeMac(loader.chip.mac, (a) => values.get(a) ?? 0));
}
