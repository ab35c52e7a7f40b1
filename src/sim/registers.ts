// The register file a loader sees through READ_REG/WRITE_REG: chip magic, eFuse MAC words, eFuse
// chip-revision bits, UART clock divider at the current baud, ESP32 crystal-calibration values, and
// the SPI user-command registers answering RDID (0x9F) with a JEDEC id. Everything else is plain
// storage reading 0.

import type { ChipInfo } from '../chips/chips.js';
import { PRODUCTION_REVISION } from '../chips/efuse-revision.js';
import { type ChipRevision, encodeChipRevision, formatChipRevision } from '../core/ops/chip-revision.js';
import { UsageError } from '../errors.js';

/** CHIP_DETECT_MAGIC_REG. */
export const MAGIC_REG = 0x40001000;
/** ESP32 RTC calibration register read by esptool's crystal correction. */
export const ESP32_RTCCALICFG1 = 0x3ff5f06c;
/** ESP32 APB_CTL_DATE (bit 31 is revision bit 2). */
export const ESP32_APB_CTL_DATE = 0x3ff6607c;
const SPI_CMD_USR = 1 << 18;
/** Calibration pair making esptool's `cali * 15625 * ck8m / 40` exactly 40 MHz. */
const ESP32_CK8M = 128;
const ESP32_CALI = 800;

/** Options for {@link RegisterFile}. */
export interface RegisterFileOptions {
  chip: ChipInfo;
  /** Six MAC bytes. */
  mac: Uint8Array;
  /** JEDEC id reported by RDID, e.g. 0x1640EF. */
  jedecId: number;
  /** The device's current UART baud (read lazily for UART_CLKDIV). */
  baud: () => number;
  /** Chip revision the eFuses report (default: `PRODUCTION_REVISION` of the chip). */
  revision?: ChipRevision;
}

/** Crystal frequency (MHz) the sim's chip runs from. */
export function crystalMhz(chip: ChipInfo): number {
  return chip.name === 'esp8266' ? 26 : 40;
}

/** Register storage with the handful of registers that have behaviour. */
export class RegisterFile {
  private readonly values = new Map<number, number>();
  private readonly options: RegisterFileOptions;

  constructor(options: RegisterFileOptions) {
    this.options = options;
    const { chip, mac } = options;
    this.set(MAGIC_REG, chip.magicValues[0] ?? 0);
    const m = Array.from(mac);
    const low = ((m[2]! << 24) | (m[3]! << 16) | (m[4]! << 8) | m[5]!) >>> 0;
    const high = (m[0]! << 8) | m[1]!;
    switch (chip.mac.kind) {
      case 'esp8266':
        this.set(chip.efuseBase, (m[5]! << 24) >>> 0);
        this.set(chip.efuseBase + 4, (m[3]! << 8) | m[4]!);
        this.set(chip.efuseBase + 0xc, (m[0]! << 16) | (m[1]! << 8) | m[2]!);
        break;
      case 'esp32':
        this.set(chip.mac.word1, low);
        this.set(chip.mac.word2, high);
        // ESP32-D0WD (word3 bit 9, package 1); the revision bits come from setChipRevision below.
        this.set(chip.efuseBase + 0x0c, 1 << 9);
        this.set(chip.efuseBase + 0x10, ESP32_CK8M);
        this.set(ESP32_RTCCALICFG1, ESP32_CALI << 7);
        break;
      case 'efuse':
        this.set(chip.mac.mac0, low);
        this.set(chip.mac.mac0 + 4, high);
        break;
    }
    const revision = options.revision ?? PRODUCTION_REVISION[chip.name];
    if (revision) this.setChipRevision(revision);
  }

  /** Program the eFuse revision bits (src/chips/efuse-revision.ts); throws `sim/bad-rev` if they cannot hold it. */
  setChipRevision(revision: ChipRevision): void {
    const { chip } = this.options;
    const bits = encodeChipRevision(chip.name, revision);
    if (!bits) {
      throw new UsageError(
        'sim/bad-rev',
        `${chip.displayName} cannot report revision ${formatChipRevision(revision)}`,
        {
          hint: "Pass rev (sim://<chip>?rev=X.Y or --rev X.Y) within the chip's eFuse fields, e.g. rev=1.0.",
          details: { chip: chip.name, ...revision },
        },
      );
    }
    for (const b of bits) this.write(b.address, b.value, b.mask);
  }

  /** Read a register (unknown addresses read 0). */
  read(address: number): number {
    const addr = address >>> 0;
    const { chip } = this.options;
    if (chip.uartClkdiv !== null && addr === chip.uartClkdiv) {
      const hz = crystalMhz(chip) * 1e6 * chip.xtalClkDivider;
      return Math.round(hz / this.options.baud()) & 0xfffff;
    }
    return this.values.get(addr) ?? 0;
  }

  /** WRITE_REG semantics: bits in `mask` take `value`; side effects for the SPI command register. */
  write(address: number, value: number, mask = 0xffffffff): void {
    const addr = address >>> 0;
    const old = this.values.get(addr) ?? 0;
    const next = ((old & ~mask) | (value & mask)) >>> 0;
    this.set(addr, next);
    if (addr === this.options.chip.spi.base && next & SPI_CMD_USR) this.runSpiCommand(next);
  }

  private set(addr: number, value: number): void {
    this.values.set(addr >>> 0, value >>> 0);
  }

  /** Execute the user command latched in USR2 and clear the USR bit, like the SPI controller. */
  private runSpiCommand(cmd: number): void {
    const spi = this.options.chip.spi;
    const opcode = (this.values.get(spi.usr2) ?? 0) & 0xff;
    if (opcode === 0x9f) this.set(spi.w0, this.options.jedecId & 0xffffff);
    else if (opcode === 0x5a)
      this.set(spi.w0, 0x50444653); // SFDP signature "SFDP"
    else if (opcode === 0x05 || opcode === 0x35) this.set(spi.w0, 0); // status: not busy, no protection
    this.set(spi.base, cmd & ~SPI_CMD_USR);
  }
}

/** JEDEC id of a Winbond W25Q part of `size` bytes: manufacturer 0xEF, type 0x40, capacity log2. */
export function winbondJedecId(size: number): number {
  const code = Math.round(Math.log2(size));
  return ((code << 16) | (0x40 << 8) | 0xef) >>> 0;
}

/** Default MAC per chip: an Espressif OUI and a fixed device part. */
export function defaultMac(chip: ChipInfo): Uint8Array {
  const oui = chip.name === 'esp8266' ? [0x18, 0xfe, 0x34] : [0x24, 0x0a, 0xc4];
  const index = (chip.imageChipId ?? 0x66) & 0xff;
  return new Uint8Array([...oui, 0x5e, 0x1a, index]);
}

/** Parse `aa:bb:cc:dd:ee:ff` (also `-` separated); null when malformed. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return null;
  return new Uint8Array(parts.map((p) => Number.parseInt(p, 16)));
}
