import { describe, expect, it } from 'vitest';
import { CHIP_NAMES, type ChipName, chipInfo } from '../../../src/chips/chips.js';
import { PRODUCTION_REVISION, revisionLayout } from '../../../src/chips/efuse-revision.js';
import {
  type ChipRevision,
  decodeChipRevision,
  encodeChipRevision,
  formatChipRevision,
  parseChipRevision,
  readChipRevision,
  revisionLimits,
  revisionNumber,
  revisionRegisters,
} from '../../../src/core/ops/chip-revision.js';
import { ScriptedLoader } from './support/scripted-loader.js';

/** A register map as a read function (unlisted registers read 0, like the real eFuse words). */
const regs =
  (map: Record<number, number>) =>
  (address: number): number =>
    map[address] ?? 0;

// Register values computed by hand from the eFuse layouts (addresses are absolute READ_REG addresses).
const CASES: Array<[ChipName, Record<number, number>, ChipRevision]> = [
  // ESP32: word3 (0x3FF5A00C) bit 15, word5 (0x3FF5A014) bit 20, APB_CTL_DATE (0x3FF6607C) bit 31; minor word5 bits 24-25.
  ['esp32', {}, { major: 0, minor: 0 }],
  ['esp32', { 1073061900: 0x0000_8200 }, { major: 1, minor: 0 }],
  ['esp32', { 1073061900: 0x0000_8000, 1073061908: 0x0010_0000 }, { major: 2, minor: 0 }],
  [
    'esp32',
    { 1073061900: 0x0000_8000, 1073061908: 0x0110_0000, 1073111164: 0x8000_0000 },
    { major: 3, minor: 1 },
  ],
  ['esp32', { 1073111164: 0x8000_0000, 1073061908: 0x0300_0000 }, { major: 0, minor: 3 }], // index 0b100: not listed → 0
  // ESP32-S2: major word3 (0x3F41A050) bits 18-19; minor word3 bit 20 : word4 (0x3F41A054) bits 4-6.
  ['esp32s2', { 1061265488: 0x0004_0000 }, { major: 1, minor: 0 }],
  ['esp32s2', { 1061265488: 0x0014_0000, 1061265492: 0x0000_0030 }, { major: 1, minor: 11 }],
  // ESP32-S3: major word5 (0x60007058) bits 24-25; minor word5 bit 23 : word3 (0x60007050) bits 18-20.
  ['esp32s3', { 1610641488: 0x0008_0000 }, { major: 0, minor: 2 }],
  ['esp32s3', { 1610641496: 0x0180_0000, 1610641488: 0x0004_0000 }, { major: 1, minor: 9 }],
  // S3 v0.0 quirk: minor low bits 0 and block version 1.1 (BLK2 word4 0x6000706C bits 0-1 = 1,
  // BLK1 word3 bits 24-26 = 1) → the major (and minor top bit) hold other data: v0.0.
  ['esp32s3', { 1610641496: 0x0180_0000, 1610641488: 0x0100_0000, 1610641516: 0x1 }, { major: 0, minor: 0 }],
  ['esp32s3', { 1610641496: 0x0100_0000, 1610641488: 0x0100_0000 }, { major: 1, minor: 0 }], // block version 0.1
  ['esp32s3', { 1610641496: 0x0100_0000, 1610641488: 0x0104_0000, 1610641516: 0x1 }, { major: 1, minor: 1 }],
  // ESP32-C2: BLOCK2 word1 (0x60008844) bits 16-19 minor, 20-21 major; bits 0-15 are MAC bytes.
  ['esp32c2', { 1610647620: 0x0011_abcd }, { major: 1, minor: 1 }],
  ['esp32c2', { 1610647620: 0x0000_ffff }, { major: 0, minor: 0 }],
  // ESP32-C3: like the S3 split (0x60008858 / 0x60008850), no quirk.
  ['esp32c3', { 1610647632: 0x0010_0000 }, { major: 0, minor: 4 }],
  ['esp32c3', { 1610647640: 0x0100_0000, 1610647632: 0x0004_0000 }, { major: 1, minor: 1 }],
  ['esp32c3', { 1610647640: 0x0080_0000 }, { major: 0, minor: 8 }],
  ['esp32c3', { 1610647640: 0x0100_0000, 1610647632: 0x0100_0000 }, { major: 1, minor: 0 }],
  // ESP32-C5 / C61: BLOCK1 word2 (0x600B484C) bits 0-3 minor, 4-5 major.
  ['esp32c5', { 1611352140: 0x0000_0010 }, { major: 1, minor: 0 }],
  ['esp32c5', { 1611352140: 0xffff_ff12 }, { major: 1, minor: 2 }],
  ['esp32c61', { 1611352140: 0x0000_0002 }, { major: 0, minor: 2 }],
  // ESP32-C6: BLOCK1 word3 (0x600B0850) bits 18-21 minor, 22-23 major.
  ['esp32c6', { 1611335760: 0x0004_0000 }, { major: 0, minor: 1 }],
  ['esp32c6', { 1611335760: 0x004c_0000 }, { major: 1, minor: 3 }],
  ['esp32c6', { 1611335760: 0x0028_0000 }, { major: 0, minor: 10 }],
  // ESP32-H2: the same word, but minor bits 18-20 and major 21-22.
  ['esp32h2', { 1611335760: 0x0004_0000 }, { major: 0, minor: 1 }],
  ['esp32h2', { 1611335760: 0x0028_0000 }, { major: 1, minor: 2 }],
  // ESP32-P4: BLOCK1 word2 (0x5012D04C) bits 0-3 minor, 4-5 major low, bit 23 major MSB.
  ['esp32p4', { 1343410252: 0x0000_0010 }, { major: 1, minor: 0 }],
  ['esp32p4', { 1343410252: 0x0000_0031 }, { major: 3, minor: 1 }],
  ['esp32p4', { 1343410252: 0x0080_0000 }, { major: 4, minor: 0 }],
  ['esp32p4', { 1343410252: 0x0080_0012 }, { major: 5, minor: 2 }],
];

describe('decoding the per-chip eFuse revision tables', () => {
  it.each(CASES)('%s %j → %j', (chip, map, expected) => {
    expect(decodeChipRevision(chip, regs(map))).toEqual(expected);
  });

  it('has no revision for the ESP8266, and says why', () => {
    expect(decodeChipRevision('esp8266', () => 0xffffffff)).toBeNull();
    const layout = revisionLayout('esp8266');
    expect(layout.kind).toBe('none');
    expect(layout.kind === 'none' && layout.reason).toMatch(/ESP8266/);
    expect(revisionRegisters('esp8266')).toEqual([]);
    expect(revisionLimits('esp8266')).toBeNull();
  });

  it('reads only eFuse words of the chip (plus the ESP32 APB date register)', () => {
    for (const name of CHIP_NAMES) {
      const base = chipInfo(name).efuseBase;
      for (const address of revisionRegisters(name)) {
        if (name === 'esp32' && address === 0x3ff6607c) continue;
        const offset = address - base;
        // ESP32: BLOCK0 words; later chips: the system-data words of BLOCK1/BLOCK2 from +0x40.
        expect(offset, `${name} 0x${address.toString(16)}`).toBeGreaterThanOrEqual(
          name === 'esp32' ? 0 : 0x40,
        );
        expect(offset, `${name} 0x${address.toString(16)}`).toBeLessThan(0x80);
        expect(offset % 4).toBe(0);
      }
    }
  });

  it('knows which registers each chip needs', () => {
    expect(revisionRegisters('esp32')).toEqual([0x3ff6607c, 0x3ff5a014, 0x3ff5a00c]);
    expect(revisionRegisters('esp32c3')).toEqual([0x60008858, 0x60008850]);
    expect(revisionRegisters('esp32s3')).toEqual([0x60007058, 0x60007050, 0x6000706c]);
    expect(revisionRegisters('esp32p4')).toEqual([0x5012d04c]);
    expect(revisionRegisters('esp32c2')).toEqual([0x60008844]);
  });
});

describe('encoding (the simulator side)', () => {
  const apply = (
    bits: NonNullable<ReturnType<typeof encodeChipRevision>>,
    initial: Record<number, number> = {},
  ) => {
    const map: Record<number, number> = { ...initial };
    for (const b of bits) map[b.address] = (((map[b.address] ?? 0) & ~b.mask) | (b.value & b.mask)) >>> 0;
    return map;
  };

  it('produces the hand-computed words', () => {
    expect(apply(encodeChipRevision('esp32', { major: 3, minor: 1 })!)).toEqual({
      1073111164: 0x8000_0000,
      1073061908: 0x0110_0000,
      1073061900: 0x0000_8000,
    });
    expect(apply(encodeChipRevision('esp32c3', { major: 1, minor: 9 })!)).toEqual({
      1610647640: 0x0180_0000,
      1610647632: 0x0004_0000,
    });
    expect(apply(encodeChipRevision('esp32p4', { major: 5, minor: 2 })!)).toEqual({
      1343410252: 0x0080_0012,
    });
    expect(apply(encodeChipRevision('esp32h2', { major: 1, minor: 2 })!)).toEqual({
      1611335760: 0x0028_0000,
    });
  });

  it('leaves the other bits of a shared word alone (C2 MAC bytes, ESP32 package bit)', () => {
    const c2 = apply(encodeChipRevision('esp32c2', { major: 1, minor: 1 })!, { 1610647620: 0xff3f_abcd });
    expect(c2[0x60008844]).toBe(0xff11_abcd);
    const esp32 = apply(encodeChipRevision('esp32', { major: 0, minor: 0 })!, { 1073061900: 0x0000_8200 });
    expect(esp32[0x3ff5a00c]).toBe(0x0000_0200);
  });

  it.each(CHIP_NAMES.filter((c) => c !== 'esp8266'))('%s: decode(encode(r)) = r across its range', (chip) => {
    const limits = revisionLimits(chip)!;
    const samples: ChipRevision[] = [
      { major: 0, minor: 0 },
      { major: limits.maxMajor, minor: limits.maxMinor },
      { major: 1, minor: 0 },
      PRODUCTION_REVISION[chip]!,
    ];
    for (const r of samples) {
      const bits = encodeChipRevision(chip, r);
      expect(bits, `${chip} ${formatChipRevision(r)}`).not.toBeNull();
      const noise = Object.fromEntries(revisionRegisters(chip).map((a) => [a, 0xffffffff]));
      expect(decodeChipRevision(chip, regs(apply(bits!, noise)))).toEqual(r);
    }
  });

  it('refuses revisions the fields cannot hold', () => {
    expect(revisionLimits('esp32')).toEqual({ maxMajor: 3, maxMinor: 3 });
    expect(revisionLimits('esp32c3')).toEqual({ maxMajor: 3, maxMinor: 15 });
    expect(revisionLimits('esp32h2')).toEqual({ maxMajor: 3, maxMinor: 7 });
    expect(revisionLimits('esp32p4')).toEqual({ maxMajor: 7, maxMinor: 15 });
    expect(encodeChipRevision('esp32', { major: 4, minor: 0 })).toBeNull();
    expect(encodeChipRevision('esp32', { major: 3, minor: 4 })).toBeNull();
    expect(encodeChipRevision('esp32c3', { major: 0, minor: 16 })).toBeNull();
    expect(encodeChipRevision('esp32h2', { major: 0, minor: 8 })).toBeNull();
    expect(encodeChipRevision('esp32p4', { major: 8, minor: 0 })).toBeNull();
    expect(encodeChipRevision('esp32c6', { major: -1, minor: 0 })).toBeNull();
    expect(encodeChipRevision('esp32c6', { major: 0.5, minor: 0 })).toBeNull();
    expect(encodeChipRevision('esp8266', { major: 0, minor: 0 })).toBeNull();
  });
});

describe('readChipRevision over READ_REG', () => {
  function spy(loader: ScriptedLoader): number[] {
    const reads: number[] = [];
    const read = loader.readReg.bind(loader);
    loader.readReg = async (address: number) => {
      reads.push(address);
      return read(address);
    };
    return reads;
  }

  it('reads each needed register once and decodes', async () => {
    const loader = new ScriptedLoader({
      chip: 'esp32c3',
      stub: false,
      registers: { 1610647640: 0x0100_0000, 1610647632: 0x0004_0000 },
    });
    const reads = spy(loader);
    expect(await readChipRevision(loader)).toEqual({ major: 1, minor: 1 });
    expect(reads).toEqual([0x60008858, 0x60008850]);
  });

  it('decodes the ESP32 three-bit major through the loader', async () => {
    const loader = new ScriptedLoader({
      chip: 'esp32',
      stub: true,
      registers: { 1073061900: 0x8000, 1073061908: 0x0110_0000, 1073111164: 0x8000_0000 },
    });
    expect(await readChipRevision(loader)).toEqual({ major: 3, minor: 1 });
  });

  it('returns null without reading in Secure Download Mode and on the ESP8266', async () => {
    const sdm = new ScriptedLoader({ chip: 'esp32s3', stub: false, sdm: true });
    const sdmReads = spy(sdm);
    expect(await readChipRevision(sdm)).toBeNull();
    expect(sdmReads).toEqual([]);
    const e8266 = new ScriptedLoader({ chip: 'esp8266', stub: false });
    const e8266Reads = spy(e8266);
    expect(await readChipRevision(e8266)).toBeNull();
    expect(e8266Reads).toEqual([]);
  });

  it('passes READ_REG failures through', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32c6', stub: false });
    loader.readReg = async () => {
      throw new Error('link down');
    };
    await expect(readChipRevision(loader)).rejects.toThrow('link down');
  });
});

describe('revision text and numbers', () => {
  it('parses X.Y and vX.Y, rejects anything else', () => {
    expect(parseChipRevision('1.1')).toEqual({ major: 1, minor: 1 });
    expect(parseChipRevision(' v0.4 ')).toEqual({ major: 0, minor: 4 });
    expect(parseChipRevision('V3.10')).toEqual({ major: 3, minor: 10 });
    for (const bad of ['', '1', '1.', '.1', '1.1.1', 'a.b', '-1.0', '1,1', '1000.0']) {
      expect(parseChipRevision(bad), bad).toBeNull();
    }
  });

  it('formats and numbers like esptool (major × 100 + minor)', () => {
    expect(formatChipRevision({ major: 3, minor: 0 })).toBe('v3.0');
    expect(revisionNumber({ major: 3, minor: 1 })).toBe(301);
    expect(revisionNumber({ major: 0, minor: 4 })).toBe(4);
  });

  it('has a production revision for every chip with a revision, none for the ESP8266', () => {
    for (const name of CHIP_NAMES) {
      const r = PRODUCTION_REVISION[name];
      if (name === 'esp8266') expect(r).toBeNull();
      else expect(encodeChipRevision(name, r!), name).not.toBeNull();
    }
    expect(PRODUCTION_REVISION.esp32).toEqual({ major: 3, minor: 0 });
    expect(PRODUCTION_REVISION.esp32c3).toEqual({ major: 0, minor: 4 });
    expect(PRODUCTION_REVISION.esp32s3).toEqual({ major: 0, minor: 2 });
    expect(PRODUCTION_REVISION.esp32c6).toEqual({ major: 0, minor: 1 });
  });
});
