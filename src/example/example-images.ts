// The example build's two images, made like an ESP-IDF build would: a bootloader (with the v5.2+
// bootloader descriptor; on the ESP32 with a tiny program at its entry that prints one line) and an
// app (app descriptor first, DROM/IROM placed so the MMU can map them).

import { type ChipName, chipInfo } from '../chips/chips.js';
import { toHex } from '../core/protocol/bytes.js';
import { buildAppDescriptor, buildBootloaderDescriptor, buildImage } from '../image/image-builder.js';
import { sha256 } from '../image/sha256.js';
import { placeEsp32Hello } from './esp32-hello.js';
import { codeBytes, createRng, dataBytes, rodataBytes } from './example-content.js';

/** Where segments load on each chip (plausible addresses from real builds; cosmetic for the demo). */
interface MemoryMap {
  /** Flash-mapped read-only data; its low 16 bits must equal the data's file offset (0x20). */
  drom: number;
  /** Flash-mapped code window (64 KiB page aligned). */
  irom: number;
  dram: number;
  iram: number;
  bootDram: number;
  bootIram: number;
  /** Bootloader entry point offset into its IRAM segment. */
  bootEntry: number;
}

const XTENSA_S3_STYLE = { drom: 0x3c000020, irom: 0x42000000 };
const RISCV_C6_STYLE = { drom: 0x42800020, irom: 0x42000000, iram: 0x40800000, dram: 0x40810000 };

const MEMORY: Record<ChipName, MemoryMap> = {
  esp8266: {
    drom: 0x3ffe8000,
    irom: 0x40200000,
    dram: 0x3ffe8800,
    iram: 0x40100000,
    bootDram: 0x3ffe8000,
    bootIram: 0x40100000,
    bootEntry: 0x324,
  },
  esp32: {
    drom: 0x3f400020,
    irom: 0x400d0000,
    dram: 0x3ffb0000,
    iram: 0x40080000,
    bootDram: 0x3fff0030,
    bootIram: 0x40080400,
    bootEntry: 0x294,
  },
  esp32s2: {
    drom: 0x3f000020,
    irom: 0x40080000,
    dram: 0x3ffbe000,
    iram: 0x40022000,
    bootDram: 0x3ffe6000,
    bootIram: 0x4004c000,
    bootEntry: 0x324,
  },
  esp32s3: {
    ...XTENSA_S3_STYLE,
    dram: 0x3fc88000,
    iram: 0x40374000,
    bootDram: 0x3fcd5b00,
    bootIram: 0x403c9000,
    bootEntry: 0x900,
  },
  esp32c2: {
    ...XTENSA_S3_STYLE,
    dram: 0x3fca0000,
    iram: 0x40380000,
    bootDram: 0x3fcd5820,
    bootIram: 0x403ae000,
    bootEntry: 0x0,
  },
  esp32c3: {
    ...XTENSA_S3_STYLE,
    dram: 0x3fc88000,
    iram: 0x40380000,
    bootDram: 0x3fcd5820,
    bootIram: 0x403ce000,
    bootEntry: 0x0,
  },
  esp32c5: { ...RISCV_C6_STYLE, bootDram: 0x4085e000, bootIram: 0x4085c000, bootEntry: 0x11a },
  esp32c6: { ...RISCV_C6_STYLE, bootDram: 0x4086e000, bootIram: 0x4086c000, bootEntry: 0x11a },
  esp32c61: { ...RISCV_C6_STYLE, bootDram: 0x4083e000, bootIram: 0x4083c000, bootEntry: 0x554 },
  esp32h2: { ...RISCV_C6_STYLE, bootDram: 0x4083e000, bootIram: 0x4083c000, bootEntry: 0xada },
  esp32p4: {
    drom: 0x40080020,
    irom: 0x40000000,
    dram: 0x4ff20000,
    iram: 0x4ff00000,
    bootDram: 0x4ff3c000,
    bootIram: 0x4ff2c000,
    bootEntry: 0x200,
  },
};

/** Flash header settings shared by both images. */
export interface ExampleFlashSettings {
  mode: string;
  freq: string;
  size: string;
}

/** Revision fields: ESP-IDF before v5.0 wrote zeros. */
function revisionOptions(legacyIdf: boolean): { minRevFull?: number; maxRevFull?: number; minRev?: number } {
  return legacyIdf ? { minRevFull: 0, maxRevFull: 0, minRev: 0 } : {};
}

/** A ~20 KiB 2nd-stage bootloader image for `chip`. */
export function exampleBootloader(options: {
  chip: ChipName;
  seed: number;
  flash: ExampleFlashSettings;
  idfVer: string;
  /** Whether to embed `esp_bootloader_desc_t` (ESP-IDF v5.2+). */
  withDescriptor: boolean;
}): Uint8Array {
  const { chip, flash } = options;
  const map = MEMORY[chip];
  const rng = createRng(options.seed ^ 0xb007);
  const esp8266 = chipInfo(chip).imageChipId === null;
  const dram = dataBytes(2304, rng);
  if (options.withDescriptor && !esp8266) dram.set(buildBootloaderDescriptor({ idfVer: options.idfVer }));
  const iram = codeBytes(8192, rng);
  // The ESP32 image carries real code at its entry: it prints one line when the ROM boots it.
  if (chip === 'esp32') placeEsp32Hello(iram, map.bootIram, map.bootEntry);
  const segments = [
    { loadAddress: map.bootDram, data: dram },
    { loadAddress: map.bootIram, data: iram },
    { loadAddress: map.bootIram + 0x2000, data: codeBytes(9216, rng) },
  ];
  return buildImage({
    chip,
    entry: map.bootIram + map.bootEntry,
    segments,
    flashMode: flash.mode,
    flashFreq: flash.freq,
    flashSize: flash.size,
    ...(esp8266 ? {} : revisionOptions(!options.withDescriptor)),
  });
}

/** Options for {@link exampleApp}. */
export interface ExampleAppOptions {
  chip: ChipName;
  seed: number;
  flash: ExampleFlashSettings;
  projectName: string;
  idfVer: string;
  /** Approximate total image size in bytes. */
  size: number;
  /** ESP-IDF older than v5.0 (zero revision fields). */
  legacyIdf: boolean;
}

/** An app image of about `size` bytes with an app descriptor; same options give the same bytes. */
export function exampleApp(options: ExampleAppOptions): Uint8Array {
  const { chip, flash } = options;
  const map = MEMORY[chip];
  const rng = createRng(options.seed);
  const esp8266 = chipInfo(chip).imageChipId === null;
  const budget = Math.max(4096, options.size - 128);
  const align = (n: number) => Math.max(4, Math.floor(n / 4) * 4);
  const dromLen = align(budget * 0.22);
  const dramLen = align(budget * 0.03);
  const iramLen = align(budget * 0.12);
  const iromLen = align(budget - dromLen - dramLen - iramLen);

  const text = codeBytes(iromLen, rng);
  const drom = rodataBytes(dromLen, rng);
  if (!esp8266 && dromLen >= 256) {
    drom.set(
      buildAppDescriptor({
        projectName: options.projectName,
        version: '1.0.0',
        idfVer: options.idfVer,
        elfSha256: toHex(sha256(text.subarray(0, Math.min(text.length, 4096)))),
      }),
    );
  }
  const headerSize = esp8266 ? 8 : 24;
  const segments = [
    { loadAddress: map.drom, data: drom },
    { loadAddress: map.dram, data: dataBytes(dramLen, rng) },
    { loadAddress: map.iram, data: codeBytes(iramLen, rng) },
  ];
  // Place the code segment at the address whose offset within a 64 KiB page equals its file offset.
  const textFileOffset = segments.reduce((at, s) => at + 8 + s.data.length, headerSize) + 8;
  segments.push({ loadAddress: map.irom + (textFileOffset % 0x10000), data: text });
  return buildImage({
    chip,
    entry: map.iram + align(Math.min(iramLen / 2, 0x1000)),
    segments,
    flashMode: flash.mode,
    flashFreq: flash.freq,
    flashSize: flash.size,
    ...(esp8266 ? {} : revisionOptions(options.legacyIdf)),
  });
}
