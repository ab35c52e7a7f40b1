// What the virtual chip prints when it boots: the ROM banner (download or flash boot, with the reset
// cause) and a short application log, per chip family, plus the baud the ROM prints it at.

import type { ChipInfo } from '../chips/chips.js';
import { readU32 } from '../core/protocol/bytes.js';
import type { NorFlash } from './nor-flash.js';

/** Why the chip (re)started; `watchdog` is the RTC watchdog reset of the `reset-at` fault. */
export type ResetCause = 'power-on' | 'software' | 'watchdog';

/** ESP8266 ROM prints at 74880 baud (26 MHz crystal); the others at 115200. */
export function romLogBaud(chip: ChipInfo): number {
  return chip.name === 'esp8266' ? 74880 : 115200;
}

interface StrapCodes {
  download: string;
  flash: string;
}

function straps(chip: ChipInfo): StrapCodes {
  switch (chip.name) {
    case 'esp32':
      return {
        download: '0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))',
        flash: '0x13 (SPI_FAST_FLASH_BOOT)',
      };
    case 'esp32s2':
    case 'esp32s3':
    case 'esp32p4':
      return { download: '0x0 (DOWNLOAD(USB/UART0))', flash: '0x8 (SPI_FAST_FLASH_BOOT)' };
    default:
      return { download: '0x4 (DOWNLOAD(USB/UART0))', flash: '0xc (SPI_FAST_FLASH_BOOT)' };
  }
}

/** The ROM's first lines after a reset. */
export function romBanner(chip: ChipInfo, options: { download: boolean; cause: ResetCause }): string {
  if (chip.name === 'esp8266') {
    const cause = options.cause === 'power-on' ? 1 : options.cause === 'watchdog' ? 4 : 2;
    return `\r\n ets Jan  8 2013,rst cause:${cause}, boot mode:(${options.download ? 1 : 3},7)\r\n\r\n`;
  }
  const s = straps(chip);
  const boot = options.download ? s.download : s.flash;
  if (chip.name === 'esp32') {
    const rst = {
      'power-on': '0x1 (POWERON_RESET)',
      software: '0xc (SW_CPU_RESET)',
      watchdog: '0x10 (RTCWDT_RTC_RESET)',
    }[options.cause];
    const tail = options.download ? 'waiting for download\r\n' : '';
    return `ets Jun  8 2016 00:22:57\r\n\r\nrst:${rst},boot:${boot}\r\n${tail}`;
  }
  const rst = {
    'power-on': '0x1 (POWERON)',
    software: '0x3 (RTC_SW_SYS_RST)',
    watchdog: '0x10 (RTCWDT_RTC_RST)',
  }[options.cause];
  const tail = options.download ? 'waiting for download\r\n' : '';
  return `ESP-ROM:${chip.name}-sim\r\nBuild:Jan  1 2024\r\nrst:${rst},boot:${boot}\r\n${tail}`;
}

/**
 * What runs from flash: an image with the 0xE9 magic at the bootloader offset "boots" (the sim
 * cannot execute it, so it prints a recognisable log); erased or foreign data gives the ROM's
 * `invalid header` complaint.
 */
export function appLog(chip: ChipInfo, flash: NorFlash): string {
  const header = flash.read(chip.bootloaderOffset, 8);
  if (header[0] !== 0xe9) {
    const word = readU32(header, 0).toString(16).padStart(8, '0');
    return `invalid header: 0x${word}\r\ninvalid header: 0x${word}\r\n`;
  }
  const entry = readU32(header, 4).toString(16).padStart(8, '0');
  return (
    `entry 0x${entry}\r\n` +
    'I (31) boot: ESP-IDF second stage bootloader (espflash sim: code is not executed)\r\n' +
    `I (45) boot: chip ${chip.displayName}, booting application from flash\r\n` +
    'I (120) app: espflash sim: application running\r\n'
  );
}
