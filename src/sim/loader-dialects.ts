// How the real loaders differ, as data: the ESP32 ROM's observed quirks (checked against the ECO3
// mask ROM under QEMU by test/reference/sim-vs-rom.test.ts) and the two flasher-stub families the
// sim can become after a MEM_END: esp-flasher-stub (what espflash and esptool v5 upload; the default
// for any upload) and the legacy esptool stub, recognised by its entry point and text length.

import type { ChipName } from '../chips/chips.js';

/** ROM loader behaviour that is not the same on every chip. */
export interface RomQuirks {
  /**
   * Replies come from one response buffer that lives for the whole boot: the header's value is only
   * rewritten by READ_REG and SYNC, a success rewrites the first status byte only, the two reserved
   * status bytes keep whatever an earlier, longer reply left there, an unsupported opcode is answered
   * with the previous reply's opcode, and a reply whose opcode is SYNC goes out 8 times.
   */
  persistentReplyBuffer: boolean;
  /** The header's size field is not checked: handlers use the bytes that arrived. */
  ignoresDeclaredSize: boolean;
  /** SPI_ATTACH also takes a 4-byte argument; SPI_FLASH_MD5 reads only its first two words. */
  lenientArguments: boolean;
  /** A FLASH_DEFL_DATA after the end of the zlib stream hangs the loader until reset. */
  hangsAfterStreamEnd: boolean;
  /** Opcodes whose success rewrites only the first status byte (the reason byte stays as it was). */
  successKeepsReason: ReadonlySet<number>;
}

const OBSERVED_ESP32: RomQuirks = {
  persistentReplyBuffer: true,
  ignoresDeclaredSize: true,
  lenientArguments: true,
  hangsAfterStreamEnd: true,
  // FLASH_BEGIN, FLASH_DATA, MEM_DATA, SPI_SET_PARAMS, FLASH_DEFL_DATA
  successKeepsReason: new Set([0x02, 0x03, 0x07, 0x0b, 0x11]),
};

/** Chips whose ROM has not been observed: the documented protocol, replies built fresh each time. */
const DOCUMENTED: RomQuirks = {
  persistentReplyBuffer: false,
  ignoresDeclaredSize: false,
  lenientArguments: false,
  hangsAfterStreamEnd: false,
  successKeepsReason: new Set(),
};

const ROM_QUIRKS: Partial<Record<ChipName, RomQuirks>> = { esp32: OBSERVED_ESP32 };

/** The ROM quirks of `chip`. */
export function romQuirks(chip: ChipName): RomQuirks {
  return ROM_QUIRKS[chip] ?? DOCUMENTED;
}

/** Which flasher stub is running. */
export type StubFamily = 'flasher-stub' | 'legacy';

/** Replies in which the two stub families differ (observed on the ESP32 under QEMU). */
export interface StubDialect {
  family: StubFamily;
  /** First status byte for an opcode the stub does not implement. */
  unknownOpcode: number;
  /** A request whose direction byte is not 0 is rejected as an unknown command (else it runs). */
  checksDirection: boolean;
  /** Status for a WRITE_REG whose length is not a multiple of 16. */
  writeRegBadLength: number;
  /** Status for SPI_ATTACH / SPI_SET_PARAMS with the wrong length. */
  spiBadLength: number;
  /** Status for ERASE_REGION with an unaligned offset or size. */
  eraseUnaligned: number;
  /** MEM_END without MEM_BEGIN fails with NOT_IN_FLASH_MODE (else it succeeds). */
  memEndNeedsBegin: boolean;
  /** Largest FLASH_BEGIN / FLASH_DEFL_BEGIN block size (null: not checked). */
  maxBlockSize: number | null;
  /** FLASH_DEFL_END after more compressed data than the stream holds: its status (0: fine). */
  deflEndTooMuch: number;
  /** FLASH_DEFL_END after a corrupt zlib stream. */
  deflEndInflateError: number;
  /** FLASH_END / FLASH_DEFL_END before all announced data arrived. */
  endNotEnoughData: number;
  /** FLASH_END(0) / FLASH_DEFL_END(0) resets into the ROM loader (else the stub just stays). */
  endZeroReboots: boolean;
}

export const FLASHER_STUB: StubDialect = {
  family: 'flasher-stub',
  unknownOpcode: 0xc3,
  checksDirection: true,
  writeRegBadLength: 0xc8,
  spiBadLength: 0xc0,
  eraseUnaligned: 0xc0,
  memEndNeedsBegin: true,
  maxBlockSize: null,
  deflEndTooMuch: 0,
  deflEndInflateError: 0xc7,
  endNotEnoughData: 0xc0,
  endZeroReboots: false,
};

export const LEGACY_STUB: StubDialect = {
  family: 'legacy',
  unknownOpcode: 0xff,
  checksDirection: false,
  writeRegBadLength: 0xc0,
  spiBadLength: 0x01,
  eraseUnaligned: 0x01,
  memEndNeedsBegin: false,
  maxBlockSize: 0x4000,
  deflEndTooMuch: 0xc9,
  deflEndInflateError: 0xc8,
  endNotEnoughData: 0xc8,
  endZeroReboots: true,
};

/**
 * Legacy stubs by chip, entry point and text length (esptool 4.8.1's own set and esptool v5.3's
 * set 1, legacy 1.11.1). Any other upload that jumps into uploaded RAM is taken to be esp-flasher-stub.
 */
const LEGACY_STUBS: ReadonlyArray<readonly [ChipName, number, number]> = [
  ['esp32', 0x400be5ec, 3532],
  ['esp32', 0x400be658, 3540],
  ['esp32c2', 0x403805b8, 3380],
  ['esp32c2', 0x403805da, 3360],
  ['esp32c3', 0x403806d0, 3868],
  ['esp32c3', 0x403806d2, 3812],
  ['esp32c5', 0x408006c4, 3788],
  ['esp32c5', 0x40800a88, 4924],
  ['esp32c6', 0x408006c4, 3792],
  ['esp32c6', 0x408006c2, 3728],
  ['esp32c61', 0x408006c4, 3792],
  ['esp32h2', 0x408006c4, 3792],
  ['esp32h2', 0x408006c2, 3728],
  ['esp32p4', 0x4ff1068e, 3680],
  ['esp32p4', 0x4ff10ba0, 5400],
  ['esp32s2', 0x40028804, 4444],
  ['esp32s2', 0x400288ac, 4476],
  ['esp32s3', 0x40378a80, 5292],
  ['esp32s3', 0x40378c94, 5676],
  ['esp8266', 0x4010d004, 8248],
  ['esp8266', 0x4010d004, 8276],
];

/** The dialect of the stub whose text segment (`textLength` bytes) holds `entry`. */
export function recogniseStub(chip: ChipName, entry: number, textLength: number): StubDialect {
  const legacy = LEGACY_STUBS.some(([c, e, n]) => c === chip && e === entry >>> 0 && n === textLength);
  return legacy ? LEGACY_STUB : FLASHER_STUB;
}
