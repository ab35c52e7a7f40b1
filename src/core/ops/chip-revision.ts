// Chip revision where it is cheap to read: the ESP32's eFuse/APB bits (major = the combination of
// three bits, minor = eFuse word 5 bits 24-25). Other chips report null (layouts differ per chip).

import type { Loader } from '../loader.js';

/** `{ major, minor }` revision, e.g. v3.0 → `{ major: 3, minor: 0 }`. */
export interface ChipRevision {
  major: number;
  minor: number;
}

const ESP32_APB_CTL_DATE = 0x3ff6607c;

/** ESP32 major revision from its three revision bits (0b000 → 0, 0b001 → 1, 0b011 → 2, 0b111 → 3). */
export function esp32MajorRevision(bits: { rev1: boolean; rev2: boolean; rev3: boolean }): number {
  const combined = (bits.rev3 ? 4 : 0) | (bits.rev2 ? 2 : 0) | (bits.rev1 ? 1 : 0);
  return ({ 0: 0, 1: 1, 3: 2, 7: 3 } as Record<number, number>)[combined] ?? 0;
}

/** Read the chip revision, or null where this is not implemented (every chip but the ESP32). */
export async function readChipRevision(loader: Loader): Promise<ChipRevision | null> {
  if (loader.chip.name !== 'esp32' || loader.secureDownloadMode) return null;
  const base = loader.chip.efuseBase;
  const word3 = await loader.readReg(base + 0x0c);
  const word5 = await loader.readReg(base + 0x14);
  const apbDate = await loader.readReg(ESP32_APB_CTL_DATE);
  const major = esp32MajorRevision({
    rev1: ((word3 >>> 15) & 1) === 1,
    rev2: ((word5 >>> 20) & 1) === 1,
    rev3: ((apbDate >>> 31) & 1) === 1,
  });
  return { major, minor: (word5 >>> 24) & 0x3 };
}
