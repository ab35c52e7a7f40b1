// Every supported chip as one row of data: identity (image chip id, magic values), flash layout
// (bootloader offset, header size/frequency codes), ROM loader traits and register addresses.
// Facts from ../shared/PROTOCOL.md and IMAGE_FORMAT.md. Platform-free; no logic beyond lookups.

/** Canonical chip names (ESP-IDF target names). */
export const CHIP_NAMES = [
  'esp8266',
  'esp32',
  'esp32s2',
  'esp32s3',
  'esp32c2',
  'esp32c3',
  'esp32c5',
  'esp32c6',
  'esp32c61',
  'esp32h2',
  'esp32p4',
] as const;

export type ChipName = (typeof CHIP_NAMES)[number];

/** SPI flash controller registers used for the JEDEC RDID sequence (absolute addresses). */
export interface SpiRegisters {
  base: number;
  usr: number;
  usr1: number;
  usr2: number;
  /** Absent on ESP8266, where lengths live in USR1. */
  mosiDlen: number | null;
  misoDlen: number | null;
  w0: number;
}

/** How the MAC address is read from eFuse words. */
export type MacLayout =
  | { kind: 'esp8266' }
  | { kind: 'esp32'; word1: number; word2: number }
  | { kind: 'efuse'; mac0: number };

/** Watchdog registers (absolute addresses) for disabling the RTC WDT/SWD and for watchdog resets. */
export interface WatchdogRegisters {
  config0: number;
  config1: number;
  wprotect: number;
  /** Value written to `wprotect` to unlock the watchdog's registers (0 locks them again). */
  wprotectKey: number;
  swdConf: number | null;
  swdWprotect: number | null;
  swdKey: number | null;
  swdAutoFeedBit: number | null;
}

/** One chip's data. */
export interface ChipInfo {
  name: ChipName;
  /** Marketing name: `ESP32-S3`. */
  displayName: string;
  /** Chip id in the image extended header and in GET_SECURITY_INFO (null: ESP8266 images have none). */
  imageChipId: number | null;
  /** Values of the register at 0x40001000 (CHIP_DETECT_MAGIC_REG) across ECOs. */
  magicValues: readonly number[];
  /** Whether esptool trusts magic detection for this chip (only 8266, 32, S2 today). */
  usesMagicValue: boolean;
  /** Flash offset the ROM loads the 2nd-stage bootloader from. */
  bootloaderOffset: number;
  /** Status bytes at the end of every ROM response (stub always sends 2). */
  romStatusBytes: 2 | 4;
  /** Length of the ROM's GET_SECURITY_INFO payload, or null when the ROM lacks the command. */
  securityInfoLength: 20 | 12 | null;
  /** What the ROM loader supports (the stub supports everything). */
  rom: {
    compressedWrite: boolean;
    md5: boolean;
    changeBaud: boolean;
    spiAttach: boolean;
    spiSetParams: boolean;
    readFlashSlow: boolean;
    /** Whether FLASH_BEGIN to the ROM carries the 5th `encrypted` word. */
    flashBeginEncryptedWord: boolean;
  };
  spi: SpiRegisters;
  /** SPI_ADDR alignment: 'msb' shifts an n-bit address left by 32 - n. */
  spiAddrAlign: 'msb' | 'lsb';
  efuseBase: number;
  mac: MacLayout;
  uartClkdiv: number | null;
  /** Register the WRITE_REG delay records target (harmless). */
  uartDateReg: number;
  /** Divider for the crystal estimate (2 on ESP8266, 1 elsewhere). */
  xtalClkDivider: number;
  /** Image header byte 3 low nibble per frequency (esptool spellings). */
  flashFreqCodes: Readonly<Record<string, number>>;
  /** Image header byte 3 high nibble (already shifted: 0x00..0x70) per flash size. */
  flashSizeCodes: Readonly<Record<string, number>>;
  /** Frequency the build system writes when nothing is configured. */
  defaultFlashFreq: string;
  /** USB PID of the chip's ROM USB-OTG CDC interface (VID 0x303A), when it has one. */
  usbOtgPid: number | null;
  /** File name of this chip's flasher stub in the stub package (`lib/targets/stub_flasher/`). */
  stubFile: string | null;
  watchdog: WatchdogRegisters | null;
  /** Largest flash the chip supports. */
  maxFlashSize: number;
}

const MB = 1024 * 1024;

const ESP32_FREQS = { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 } as const;
const ESP32_SIZES = {
  '1MB': 0x00,
  '2MB': 0x10,
  '4MB': 0x20,
  '8MB': 0x30,
  '16MB': 0x40,
  '32MB': 0x50,
  '64MB': 0x60,
  '128MB': 0x70,
} as const;
const ESP8266_SIZES = {
  '512KB': 0x00,
  '256KB': 0x10,
  '1MB': 0x20,
  '2MB': 0x30,
  '4MB': 0x40,
  '2MB-c1': 0x50,
  '4MB-c1': 0x60,
  '8MB': 0x80,
  '16MB': 0x90,
} as const;

const ROM_ESP32_FAMILY = {
  compressedWrite: true,
  md5: true,
  changeBaud: true,
  spiAttach: true,
  spiSetParams: true,
  readFlashSlow: true,
  flashBeginEncryptedWord: true,
} as const;

/** SPI register map of S2 and later (USR at +0x18, W0 at +0x58). */
function spiS2Style(base: number): SpiRegisters {
  return {
    base,
    usr: base + 0x18,
    usr1: base + 0x1c,
    usr2: base + 0x20,
    mosiDlen: base + 0x24,
    misoDlen: base + 0x28,
    w0: base + 0x58,
  };
}

/** Write-protect key of the RTC/LP watchdog (the same on every chip that has one). */
export const RTC_WDT_KEY = 0x50d83aa1;

function lpWdt(
  base: number,
  offsets: { wprotect: number; swdConf: number; swdWprotect: number },
): WatchdogRegisters {
  return {
    config0: base,
    config1: base + 0x04,
    wprotect: base + offsets.wprotect,
    wprotectKey: RTC_WDT_KEY,
    swdConf: base + offsets.swdConf,
    swdWprotect: base + offsets.swdWprotect,
    // On the LP watchdog the super-watchdog key is the same value.
    swdKey: RTC_WDT_KEY,
    swdAutoFeedBit: 18,
  };
}

const TABLE: Record<ChipName, ChipInfo> = {
  esp8266: {
    name: 'esp8266',
    displayName: 'ESP8266',
    imageChipId: null,
    magicValues: [0xfff0c101],
    usesMagicValue: true,
    bootloaderOffset: 0x0,
    romStatusBytes: 2,
    securityInfoLength: null,
    rom: {
      compressedWrite: false,
      md5: false,
      changeBaud: false,
      spiAttach: false,
      spiSetParams: false,
      readFlashSlow: false,
      flashBeginEncryptedWord: false,
    },
    spi: {
      base: 0x60000200,
      usr: 0x6000021c,
      usr1: 0x60000220,
      usr2: 0x60000224,
      mosiDlen: null,
      misoDlen: null,
      w0: 0x60000240,
    },
    spiAddrAlign: 'msb',
    efuseBase: 0x3ff00050,
    mac: { kind: 'esp8266' },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x60000078,
    xtalClkDivider: 2,
    flashFreqCodes: ESP32_FREQS,
    flashSizeCodes: ESP8266_SIZES,
    defaultFlashFreq: '40m',
    usbOtgPid: null,
    stubFile: 'esp8266.json',
    watchdog: null,
    maxFlashSize: 16 * MB,
  },
  esp32: {
    name: 'esp32',
    displayName: 'ESP32',
    imageChipId: 0,
    magicValues: [0x00f01d83],
    usesMagicValue: true,
    bootloaderOffset: 0x1000,
    romStatusBytes: 4,
    securityInfoLength: null,
    rom: { ...ROM_ESP32_FAMILY, flashBeginEncryptedWord: false },
    spi: {
      base: 0x3ff42000,
      usr: 0x3ff4201c,
      usr1: 0x3ff42020,
      usr2: 0x3ff42024,
      mosiDlen: 0x3ff42028,
      misoDlen: 0x3ff4202c,
      w0: 0x3ff42080,
    },
    spiAddrAlign: 'msb',
    efuseBase: 0x3ff5a000,
    mac: { kind: 'esp32', word1: 0x3ff5a004, word2: 0x3ff5a008 },
    uartClkdiv: 0x3ff40014,
    uartDateReg: 0x60000078,
    xtalClkDivider: 1,
    flashFreqCodes: ESP32_FREQS,
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '40m',
    usbOtgPid: null,
    stubFile: 'esp32.json',
    watchdog: null,
    maxFlashSize: 16 * MB,
  },
  esp32s2: {
    name: 'esp32s2',
    displayName: 'ESP32-S2',
    imageChipId: 2,
    magicValues: [0x000007c6],
    usesMagicValue: true,
    bootloaderOffset: 0x1000,
    romStatusBytes: 4,
    securityInfoLength: 12,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x3f402000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x3f41a000,
    mac: { kind: 'efuse', mac0: 0x3f41a044 },
    uartClkdiv: 0x3f400014,
    uartDateReg: 0x60000078,
    xtalClkDivider: 1,
    flashFreqCodes: ESP32_FREQS,
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '80m',
    usbOtgPid: 0x0002,
    stubFile: 'esp32s2.json',
    watchdog: {
      config0: 0x3f408094,
      config1: 0x3f408098,
      wprotect: 0x3f4080ac,
      wprotectKey: RTC_WDT_KEY,
      swdConf: null,
      swdWprotect: null,
      swdKey: null,
      swdAutoFeedBit: null,
    },
    maxFlashSize: 128 * MB,
  },
  esp32s3: {
    name: 'esp32s3',
    displayName: 'ESP32-S3',
    imageChipId: 9,
    magicValues: [0x00000009],
    usesMagicValue: false,
    bootloaderOffset: 0x0,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x60002000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x60007000,
    mac: { kind: 'efuse', mac0: 0x60007044 },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x60000080,
    xtalClkDivider: 1,
    flashFreqCodes: ESP32_FREQS,
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '80m',
    usbOtgPid: 0x0009,
    stubFile: 'esp32s3.json',
    watchdog: {
      config0: 0x60008098,
      config1: 0x6000809c,
      wprotect: 0x600080b0,
      wprotectKey: RTC_WDT_KEY,
      swdConf: 0x600080b4,
      swdWprotect: 0x600080b8,
      swdKey: 0x8f1d312a,
      swdAutoFeedBit: 31,
    },
    maxFlashSize: 128 * MB,
  },
  esp32c2: {
    name: 'esp32c2',
    displayName: 'ESP32-C2',
    imageChipId: 12,
    magicValues: [0x6f51306f, 0x7c41a06f, 0x0c21e06f],
    usesMagicValue: false,
    bootloaderOffset: 0x0,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x60002000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x60008800,
    mac: { kind: 'efuse', mac0: 0x60008840 },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x6000007c,
    xtalClkDivider: 1,
    flashFreqCodes: { '60m': 0xf, '30m': 0x0, '20m': 0x1, '15m': 0x2 },
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '60m',
    usbOtgPid: null,
    stubFile: 'esp32c2.json',
    watchdog: {
      config0: 0x60008084,
      config1: 0x60008088,
      wprotect: 0x6000809c,
      wprotectKey: RTC_WDT_KEY,
      swdConf: null,
      swdWprotect: null,
      swdKey: null,
      swdAutoFeedBit: null,
    },
    maxFlashSize: 16 * MB,
  },
  esp32c3: {
    name: 'esp32c3',
    displayName: 'ESP32-C3',
    imageChipId: 5,
    magicValues: [0x6921506f, 0x1b31506f, 0x4881606f, 0x4361606f],
    usesMagicValue: false,
    bootloaderOffset: 0x0,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x60002000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x60008800,
    mac: { kind: 'efuse', mac0: 0x60008844 },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x6000007c,
    xtalClkDivider: 1,
    flashFreqCodes: ESP32_FREQS,
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '80m',
    usbOtgPid: null,
    stubFile: 'esp32c3.json',
    watchdog: {
      config0: 0x60008090,
      config1: 0x60008094,
      wprotect: 0x600080a8,
      wprotectKey: RTC_WDT_KEY,
      swdConf: 0x600080ac,
      swdWprotect: 0x600080b0,
      swdKey: 0x8f1d312a,
      swdAutoFeedBit: 31,
    },
    maxFlashSize: 16 * MB,
  },
  esp32c5: {
    name: 'esp32c5',
    displayName: 'ESP32-C5',
    imageChipId: 23,
    magicValues: [0x1101406f, 0x63e1406f, 0x5fd1406f],
    usesMagicValue: false,
    bootloaderOffset: 0x2000,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x60003000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x600b4800,
    mac: { kind: 'efuse', mac0: 0x600b4844 },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x6000007c,
    xtalClkDivider: 1,
    flashFreqCodes: { '80m': 0xf, '40m': 0x0, '20m': 0x2 },
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '80m',
    usbOtgPid: null,
    stubFile: 'esp32c5.json',
    watchdog: lpWdt(0x600b1c00, { wprotect: 0x18, swdConf: 0x1c, swdWprotect: 0x20 }),
    maxFlashSize: 32 * MB,
  },
  esp32c6: {
    name: 'esp32c6',
    displayName: 'ESP32-C6',
    imageChipId: 13,
    magicValues: [0x2ce0806f],
    usesMagicValue: false,
    bootloaderOffset: 0x0,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x60003000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x600b0800,
    mac: { kind: 'efuse', mac0: 0x600b0844 },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x6000007c,
    xtalClkDivider: 1,
    // esptool writes 0x0 for 80m on C6 (ROM MSPI divider workaround); 40m shares the code.
    flashFreqCodes: { '80m': 0x0, '40m': 0x0, '20m': 0x2 },
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '80m',
    usbOtgPid: null,
    stubFile: 'esp32c6.json',
    watchdog: lpWdt(0x600b1c00, { wprotect: 0x18, swdConf: 0x1c, swdWprotect: 0x20 }),
    maxFlashSize: 16 * MB,
  },
  esp32c61: {
    name: 'esp32c61',
    displayName: 'ESP32-C61',
    imageChipId: 20,
    magicValues: [0x33f0206f, 0x2421606f, 0x4f81606f, 0x7211606f],
    usesMagicValue: false,
    bootloaderOffset: 0x0,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x60003000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x600b4800,
    mac: { kind: 'efuse', mac0: 0x600b4844 },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x6000007c,
    xtalClkDivider: 1,
    flashFreqCodes: { '80m': 0xf, '40m': 0x0, '20m': 0x2 },
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '80m',
    usbOtgPid: null,
    stubFile: 'esp32c61.json',
    watchdog: lpWdt(0x600b1c00, { wprotect: 0x18, swdConf: 0x1c, swdWprotect: 0x20 }),
    maxFlashSize: 32 * MB,
  },
  esp32h2: {
    name: 'esp32h2',
    displayName: 'ESP32-H2',
    imageChipId: 16,
    magicValues: [0xd7b73e80, 0x97e30068],
    usesMagicValue: false,
    bootloaderOffset: 0x0,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x60003000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x600b0800,
    mac: { kind: 'efuse', mac0: 0x600b0844 },
    uartClkdiv: 0x60000014,
    uartDateReg: 0x6000007c,
    xtalClkDivider: 1,
    flashFreqCodes: { '48m': 0xf, '24m': 0x0, '16m': 0x1, '12m': 0x2 },
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '48m',
    usbOtgPid: null,
    stubFile: 'esp32h2.json',
    watchdog: lpWdt(0x600b1c00, { wprotect: 0x1c, swdConf: 0x20, swdWprotect: 0x24 }),
    maxFlashSize: 16 * MB,
  },
  esp32p4: {
    name: 'esp32p4',
    displayName: 'ESP32-P4',
    imageChipId: 18,
    magicValues: [0x00000000, 0x0addbad0, 0x07039ad9],
    usesMagicValue: false,
    bootloaderOffset: 0x2000,
    romStatusBytes: 4,
    securityInfoLength: 20,
    rom: ROM_ESP32_FAMILY,
    spi: spiS2Style(0x5008d000),
    spiAddrAlign: 'lsb',
    efuseBase: 0x5012d000,
    mac: { kind: 'efuse', mac0: 0x5012d044 },
    uartClkdiv: null,
    uartDateReg: 0x500ca08c,
    xtalClkDivider: 1,
    flashFreqCodes: ESP32_FREQS,
    flashSizeCodes: ESP32_SIZES,
    defaultFlashFreq: '80m',
    usbOtgPid: 0x0012,
    stubFile: 'esp32p4.json',
    watchdog: lpWdt(0x50116000, { wprotect: 0x18, swdConf: 0x1c, swdWprotect: 0x20 }),
    maxFlashSize: 64 * MB,
  },
};

/** All chips, in table order. */
export const CHIPS: readonly ChipInfo[] = CHIP_NAMES.map((n) => TABLE[n]);

/** The row for a canonical chip name. */
export function chipInfo(name: ChipName): ChipInfo {
  return TABLE[name];
}

/**
 * Normalise user spellings to a canonical chip name: `ESP32-S3`, `esp32_s3`, `esp32s3` → `esp32s3`.
 * Returns null for unknown names.
 */
export function parseChipName(text: string): ChipName | null {
  const key = text
    .trim()
    .toLowerCase()
    .replace(/[-_\s]/g, '');
  return (CHIP_NAMES as readonly string[]).includes(key) ? (key as ChipName) : null;
}

/** The chip whose image chip id is `id`, or null. */
export function chipByImageId(id: number): ChipInfo | null {
  return CHIPS.find((c) => c.imageChipId === id) ?? null;
}

/** The chips whose magic register value is `value` (usually one). */
export function chipsByMagic(value: number): ChipInfo[] {
  return CHIPS.filter((c) => c.magicValues.includes(value >>> 0));
}
