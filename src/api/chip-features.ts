// Static feature list per chip for board-info (radio, cores), from the chips' datasheets.

import type { ChipName } from '../chips/chips.js';

const FEATURES: Record<ChipName, readonly string[]> = {
  esp8266: ['Wi-Fi', 'single core'],
  esp32: ['Wi-Fi', 'Bluetooth Classic', 'BLE', 'dual core'],
  esp32s2: ['Wi-Fi', 'single core', 'USB-OTG'],
  esp32s3: ['Wi-Fi', 'BLE 5', 'dual core', 'USB-OTG', 'USB-Serial/JTAG'],
  esp32c2: ['Wi-Fi', 'BLE 5', 'single core RISC-V'],
  esp32c3: ['Wi-Fi', 'BLE 5', 'single core RISC-V', 'USB-Serial/JTAG'],
  esp32c5: ['Wi-Fi 6 (2.4 + 5 GHz)', 'BLE 5', '802.15.4', 'RISC-V', 'USB-Serial/JTAG'],
  esp32c6: ['Wi-Fi 6', 'BLE 5', '802.15.4', 'RISC-V', 'USB-Serial/JTAG'],
  esp32c61: ['Wi-Fi 6', 'BLE 5', 'RISC-V', 'USB-Serial/JTAG'],
  esp32h2: ['BLE 5', '802.15.4', 'RISC-V', 'USB-Serial/JTAG'],
  esp32p4: ['dual core RISC-V', 'no radio', 'USB-OTG', 'USB-Serial/JTAG'],
};

/** Headline features of a chip family (what board-info prints under "features"). */
export function chipFeatures(chip: ChipName): readonly string[] {
  return FEATURES[chip];
}
