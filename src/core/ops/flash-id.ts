// JEDEC RDID (0x9F) through the SPI controller's user-command registers (PROTOCOL.md §7.2) and the
// capacity-code → size table incl. Adesto (§7.3). Works with ROM and stub alike.

import type { Loader } from '../session/loader.js';

const RDID = 0x9f;
const USR_COMMAND = 1 << 31;
const USR_MISO = 1 << 28;
const CMD_USR = 1 << 18;
const POLL_LIMIT = 10;

/** Capacity code (third JEDEC byte) → bytes. A table, not a shift: 0x20.. and 0x32.. are offset. */
const CAPACITY: Readonly<Record<number, number>> = (() => {
  const t: Record<number, number> = {};
  for (let c = 0x12; c <= 0x1c; c++) t[c] = 2 ** c;
  for (let c = 0x20; c <= 0x22; c++) t[c] = 2 ** (c - 6);
  for (let c = 0x32; c <= 0x3a; c++) t[c] = 2 ** (c - 0x20);
  return t;
})();

const ADESTO = 0x1f;
const ADESTO_SIZES: Readonly<Record<number, number>> = {
  4: 512 * 1024,
  5: 1 << 20,
  6: 2 << 20,
  7: 4 << 20,
  8: 8 << 20,
  9: 16 << 20,
};

/** A decoded JEDEC id. */
export interface FlashId {
  /** The 24-bit id as read from W0 (manufacturer in the low byte). */
  jedecId: number;
  manufacturer: number;
  /** `(memoryType << 8) | capacity`, the way esptool prints the device id. */
  deviceId: number;
  /** Size in bytes, or null when the code is unknown. */
  sizeBytes: number | null;
  /** `4MB` / `512KB` spelling, or null. */
  sizeName: string | null;
}

/** `4194304` → `4MB`, `524288` → `512KB`. */
export function flashSizeName(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)}MB` : `${bytes / 1024}KB`;
}

/** Decode a 24-bit JEDEC id (manufacturer in bits 0-7, type 8-15, capacity 16-23). */
export function decodeFlashId(jedecId: number): FlashId {
  const id = jedecId & 0xffffff;
  const manufacturer = id & 0xff;
  const memoryType = (id >> 8) & 0xff;
  const capacity = (id >> 16) & 0xff;
  const sizeBytes =
    manufacturer === ADESTO ? (ADESTO_SIZES[memoryType & 0x1f] ?? null) : (CAPACITY[capacity] ?? null);
  return {
    jedecId: id,
    manufacturer,
    deviceId: (memoryType << 8) | capacity,
    sizeBytes,
    sizeName: sizeBytes === null ? null : flashSizeName(sizeBytes),
  };
}

/** Run RDID through the SPI user-command registers and return the raw 24-bit id. */
export async function readJedecId(loader: Loader): Promise<number> {
  const spi = loader.chip.spi;
  const misoBits = 24;
  const savedUsr = await loader.readReg(spi.usr);
  const savedUsr2 = await loader.readReg(spi.usr2);
  try {
    if (spi.misoDlen !== null) {
      await loader.writeReg(spi.misoDlen, misoBits - 1);
    } else {
      // ESP8266: lengths live in USR1 (MISO bit length at bit 8, MOSI at bit 17; no MOSI here).
      await loader.writeReg(spi.usr1, (misoBits - 1) << 8);
    }
    await loader.writeReg(spi.usr, (USR_COMMAND | USR_MISO) >>> 0);
    await loader.writeReg(spi.usr2, ((7 << 28) | RDID) >>> 0);
    await loader.writeReg(spi.w0, 0);
    await loader.writeReg(spi.base, CMD_USR);
    let done = false;
    for (let i = 0; i < POLL_LIMIT && !done; i++) done = ((await loader.readReg(spi.base)) & CMD_USR) === 0;
    if (!done) loader.logger.warn('SPI flash command did not complete; the JEDEC id may be wrong');
    return (await loader.readReg(spi.w0)) & 0xffffff;
  } finally {
    await loader.writeReg(spi.usr, savedUsr);
    await loader.writeReg(spi.usr2, savedUsr2);
  }
}

/** Read and decode the flash chip's JEDEC id. */
export async function readFlashId(loader: Loader): Promise<FlashId> {
  return decodeFlashId(await readJedecId(loader));
}
