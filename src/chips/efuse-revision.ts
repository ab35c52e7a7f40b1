// Where each chip keeps its chip (wafer) revision, as data: for major and minor, the 32-bit eFuse read
// registers (absolute READ_REG addresses), bit offsets and widths, most significant part first. Some
// chips split a value over two words (C3/S3 minor hi/lo, S2 minor hi/lo, P4 major hi/lo); the ESP32
// assembles three single bits into an index; the ESP8266 has no revision at all.
// Decoding (and the simulator's encoding) is in src/core/ops/chip-revision.ts. Platform-free data.
//
// Sources (facts only), per chip below:
//   esptool  = espressif/esptool esptool/targets/<chip>.py (get_major_chip_version,
//              get_minor_chip_version, EFUSE_BASE, EFUSE_BLOCK1_ADDR / EFUSE_BLOCK2_ADDR);
//   idf-csv  = espressif/esp-idf components/efuse/<chip>/esp_efuse_table*.csv (WAFER_VERSION_* rows:
//              block, first bit, bit count; bit n of a block is bit n%32 of its word n/32).
// GET_SECURITY_INFO's word at offset 16 (PROTOCOL.md §3.1) is an API/ECO number of the ROM, not the
// wafer revision; neither source derives the revision from it, so it is not used here.

import type { ChipName } from './chips.js';

/** One bit field of a 32-bit register: `(READ_REG(address) >>> shift) & ((1 << width) - 1)`. */
export interface EfuseField {
  address: number;
  shift: number;
  width: number;
}

/** A chip whose revision is read from eFuse (and, on the ESP32, one APB register bit). */
export interface EfuseRevisionLayout {
  kind: 'efuse';
  /** Major revision parts, most significant first: value = concatenation of the parts' bits. */
  major: readonly EfuseField[];
  /** Minor revision parts, most significant first. */
  minor: readonly EfuseField[];
  /**
   * When present, the concatenated major bits are an index into this map (ESP32: three ECO bits);
   * an index that is not listed decodes as major 0.
   */
  majorFromRaw?: Readonly<Record<number, number>>;
  /**
   * ESP32-S3 v0.0 quirk: with BLOCK2 version v1.1 the major field (and the minor's top bit) held other
   * data, so when the minor's low 3 bits are 0 and the block version is 1.1 the revision is v0.0.
   */
  eco0BlockVersion?: { major: EfuseField; minor: EfuseField };
  /** Where the facts come from. */
  source: string;
}

/** A chip with no readable chip revision. */
export interface NoRevisionLayout {
  kind: 'none';
  /** Why, for messages. */
  reason: string;
}

export type RevisionLayout = EfuseRevisionLayout | NoRevisionLayout;

/** `{ major, minor }`, e.g. v3.0 → `{ major: 3, minor: 0 }`. */
export interface ChipRevisionValue {
  major: number;
  minor: number;
}

const f = (address: number, shift: number, width: number): EfuseField => ({ address, shift, width });

// ESP32: EFUSE_RD_REG_BASE 0x3FF5A000 (BLOCK0 words), APB_CTL_DATE = DR_REG_SYSCON_BASE 0x3FF66000 + 0x7C.
const ESP32_WORD3 = 0x3ff5a00c;
const ESP32_WORD5 = 0x3ff5a014;
const ESP32_APB_CTL_DATE = 0x3ff6607c;
// ESP32-S2: EFUSE_BASE 0x3F41A000, BLOCK1 at +0x44.
const S2_BLK1 = 0x3f41a000 + 0x44;
// ESP32-S3: EFUSE_BASE 0x60007000, BLOCK1 at +0x44, BLOCK2 at +0x5C.
const S3_BLK1 = 0x60007000 + 0x44;
const S3_BLK2 = 0x60007000 + 0x5c;
// ESP32-C2: EFUSE_BASE 0x60008800, BLOCK2 (MAC, wafer version) at +0x40.
const C2_BLK2 = 0x60008800 + 0x40;
// ESP32-C3: EFUSE_BASE 0x60008800, BLOCK1 at +0x44.
const C3_BLK1 = 0x60008800 + 0x44;
// ESP32-C6 and ESP32-H2: EFUSE_BASE 0x600B0800, BLOCK1 at +0x44.
const C6_BLK1 = 0x600b0800 + 0x44;
// ESP32-C5 and ESP32-C61: EFUSE_BASE 0x600B4800, BLOCK1 at +0x44.
const C5_BLK1 = 0x600b4800 + 0x44;
// ESP32-P4: EFUSE_BASE 0x5012D000, BLOCK1 at +0x44.
const P4_BLK1 = 0x5012d000 + 0x44;

const LAYOUTS: Record<ChipName, RevisionLayout> = {
  esp8266: {
    kind: 'none',
    reason: 'the ESP8266 has no chip revision field (esptool reports none either)',
  },
  // Major index = APB_CTL_DATE bit 31 : word5 bit 20 (CHIP_VER_REV2) : word3 bit 15 (CHIP_VER_REV1);
  // 0b000 → 0, 0b001 → 1, 0b011 → 2, 0b111 → 3. Minor = word5 bits 24-25.
  esp32: {
    kind: 'efuse',
    major: [f(ESP32_APB_CTL_DATE, 31, 1), f(ESP32_WORD5, 20, 1), f(ESP32_WORD3, 15, 1)],
    majorFromRaw: { 0: 0, 1: 1, 3: 2, 7: 3 },
    minor: [f(ESP32_WORD5, 24, 2)],
    source:
      'esptool esptool/targets/esp32.py (APB_CTL_DATE_ADDR, EFUSE_RD_CHIP_VER_REV1/REV2, read_efuse(5) >> 24)',
  },
  // Major = BLOCK1 word3 bits 18-19; minor = word3 bit 20 (hi) : word4 bits 4-6 (lo).
  esp32s2: {
    kind: 'efuse',
    major: [f(S2_BLK1 + 4 * 3, 18, 2)],
    minor: [f(S2_BLK1 + 4 * 3, 20, 1), f(S2_BLK1 + 4 * 4, 4, 3)],
    source: 'esptool esptool/targets/esp32s2.py',
  },
  // Major = BLOCK1 word5 bits 24-25; minor = word5 bit 23 (hi) : word3 bits 18-20 (lo).
  // v0.0 quirk: BLK_VERSION_MAJOR = BLOCK2 word4 bits 0-1, BLK_VERSION_MINOR = BLOCK1 word3 bits 24-26.
  esp32s3: {
    kind: 'efuse',
    major: [f(S3_BLK1 + 4 * 5, 24, 2)],
    minor: [f(S3_BLK1 + 4 * 5, 23, 1), f(S3_BLK1 + 4 * 3, 18, 3)],
    eco0BlockVersion: { major: f(S3_BLK2 + 4 * 4, 0, 2), minor: f(S3_BLK1 + 4 * 3, 24, 3) },
    source: 'esptool esptool/targets/esp32s3.py (is_eco0, get_raw_minor/major_chip_version)',
  },
  // BLOCK2 bits 48-51 minor, 52-53 major → word1 bits 16-19 / 20-21 (the word also holds MAC bytes 0-1).
  esp32c2: {
    kind: 'efuse',
    major: [f(C2_BLK2 + 4 * 1, 20, 2)],
    minor: [f(C2_BLK2 + 4 * 1, 16, 4)],
    source: 'esptool esptool/targets/esp32c2.py; esp-idf components/efuse/esp32c2/esp_efuse_table.csv',
  },
  // Same split as the S3 (without its quirk).
  esp32c3: {
    kind: 'efuse',
    major: [f(C3_BLK1 + 4 * 5, 24, 2)],
    minor: [f(C3_BLK1 + 4 * 5, 23, 1), f(C3_BLK1 + 4 * 3, 18, 3)],
    source: 'esptool esptool/targets/esp32c3.py',
  },
  // BLOCK1 bits 64-67 minor, 68-69 major → word2 bits 0-3 / 4-5 (mass-production eFuse map; the
  // pre-production C5 map in older esp-idf tables had them in word3).
  esp32c5: {
    kind: 'efuse',
    major: [f(C5_BLK1 + 4 * 2, 4, 2)],
    minor: [f(C5_BLK1 + 4 * 2, 0, 4)],
    source: 'esptool esptool/targets/esp32c5.py',
  },
  // BLOCK1 bits 114-117 minor, 118-119 major → word3 bits 18-21 / 22-23.
  esp32c6: {
    kind: 'efuse',
    major: [f(C6_BLK1 + 4 * 3, 22, 2)],
    minor: [f(C6_BLK1 + 4 * 3, 18, 4)],
    source: 'esptool esptool/targets/esp32c6.py; esp-idf components/efuse/esp32c6/esp_efuse_table.csv',
  },
  // BLOCK1 bits 64-67 minor, 68-69 major → word2 bits 0-3 / 4-5.
  esp32c61: {
    kind: 'efuse',
    major: [f(C5_BLK1 + 4 * 2, 4, 2)],
    minor: [f(C5_BLK1 + 4 * 2, 0, 4)],
    source: 'esptool esptool/targets/esp32c61.py; esp-idf components/efuse/esp32c61/esp_efuse_table.csv',
  },
  // BLOCK1 bits 114-116 minor (3 bits), 117-118 major → word3 bits 18-20 / 21-22.
  esp32h2: {
    kind: 'efuse',
    major: [f(C6_BLK1 + 4 * 3, 21, 2)],
    minor: [f(C6_BLK1 + 4 * 3, 18, 3)],
    source: 'esptool esptool/targets/esp32h2.py; esp-idf components/efuse/esp32h2/esp_efuse_table.csv',
  },
  // BLOCK1 bits 64-67 minor, 68-69 major (low 2 bits), 87 major MSB → word2 bits 0-3, 4-5 and 23.
  esp32p4: {
    kind: 'efuse',
    major: [f(P4_BLK1 + 4 * 2, 23, 1), f(P4_BLK1 + 4 * 2, 4, 2)],
    minor: [f(P4_BLK1 + 4 * 2, 0, 4)],
    source:
      'esp-idf components/efuse/esp32p4/esp_efuse_table_v3.0.csv (WAFER_VERSION_MINOR, WAFER_VERSION_MAJOR lo + MSB)',
  },
};

/** Where `chip` keeps its revision (or why it has none). */
export function revisionLayout(chip: ChipName): RevisionLayout {
  return LAYOUTS[chip];
}

/**
 * A current production revision per chip; the simulator reports it unless told otherwise
 * (`sim://<chip>?rev=X.Y`). Null where the chip has no revision. Chosen to be common silicon, and for
 * the C2 and P4 to keep the ordinary stub path (C2 v0.0 runs without the stub; P4 below v3.0 takes
 * the rev1 stub): ESP32 v3.0 (ECO3), S2 v1.0, S3 v0.2, C2 v1.0, C3 v0.4, C5 v1.0, C6 v0.1, C61 v1.0,
 * H2 v0.1, P4 v3.0.
 */
export const PRODUCTION_REVISION: Readonly<Record<ChipName, ChipRevisionValue | null>> = {
  esp8266: null,
  esp32: { major: 3, minor: 0 },
  esp32s2: { major: 1, minor: 0 },
  esp32s3: { major: 0, minor: 2 },
  esp32c2: { major: 1, minor: 0 },
  esp32c3: { major: 0, minor: 4 },
  esp32c5: { major: 1, minor: 0 },
  esp32c6: { major: 0, minor: 1 },
  esp32c61: { major: 1, minor: 0 },
  esp32h2: { major: 0, minor: 1 },
  esp32p4: { major: 3, minor: 0 },
};
