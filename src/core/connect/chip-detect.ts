// Chip detection after SYNC (PROTOCOL.md §3.1): GET_SECURITY_INFO chip_id (20-byte layout, then the
// S2's 12-byte one), falling back to the magic value at 0x40001000; an S2 in SDM refuses READ_REG.

import { type ChipInfo, chipByImageId, chipInfo, chipsByMagic } from '../../chips/chips.js';
import { EspflashError, isEspflashError } from '../../errors.js';
import { hex32, readU32 } from '../protocol/bytes.js';
import { OP } from '../protocol/opcodes.js';
import type { LoaderSession } from '../session/loader-session.js';

/** CHIP_DETECT_MAGIC_REG. */
export const CHIP_DETECT_MAGIC_REG = 0x40001000;

/** Security-info flag bits. */
export const SECURITY_FLAGS = {
  SECURE_BOOT_EN: 1 << 0,
  SECURE_BOOT_AGGRESSIVE_REVOKE: 1 << 1,
  SECURE_DOWNLOAD_ENABLE: 1 << 2,
  SOFT_DIS_JTAG: 1 << 6,
  HARD_DIS_JTAG: 1 << 7,
  DIS_USB: 1 << 8,
} as const;

/** Decoded GET_SECURITY_INFO payload. */
export interface SecurityInfo {
  flags: number;
  flashCryptCnt: number;
  keyPurposes: number[];
  /** Absent in the ESP32-S2's 12-byte layout. */
  chipId: number | null;
  /** API/ECO version word (20-byte layout only). */
  apiVersion: number | null;
  secureBootEnabled: boolean;
  secureDownloadMode: boolean;
}

/** Parse a 20- or 12-byte security-info payload. */
export function parseSecurityInfo(payload: Uint8Array): SecurityInfo {
  const flags = readU32(payload, 0);
  const long = payload.length >= 20;
  return {
    flags,
    flashCryptCnt: payload[4] ?? 0,
    keyPurposes: [...payload.subarray(5, 12)],
    chipId: long ? readU32(payload, 12) : null,
    apiVersion: long ? readU32(payload, 16) : null,
    secureBootEnabled: (flags & SECURITY_FLAGS.SECURE_BOOT_EN) !== 0,
    secureDownloadMode: (flags & SECURITY_FLAGS.SECURE_DOWNLOAD_ENABLE) !== 0,
  };
}

/** How the chip was identified. */
export type DetectMethod = 'security-info' | 'magic' | 'sdm-rule';

/** Result of {@link detectChip}. */
export interface DetectResult {
  chip: ChipInfo;
  securityInfo: SecurityInfo | null;
  secureDownloadMode: boolean;
  method: DetectMethod;
}

/** Errors meaning "this loader does not know the command" (try the next method, do not retry). */
function isRefusal(err: unknown): boolean {
  return (
    isEspflashError(err) &&
    [
      'rom/unsupported-command',
      'rom/invalid-message',
      'stub/not-implemented',
      'stub/invalid-command',
    ].includes(err.code)
  );
}

async function readSecurityInfo(session: LoaderSession): Promise<SecurityInfo | null> {
  for (const length of [20, 12]) {
    try {
      const r = await session.command({ op: OP.GET_SECURITY_INFO, responseDataLength: length });
      return parseSecurityInfo(r.data);
    } catch (err) {
      if (!isEspflashError(err)) throw err;
      session.logger.debug(`GET_SECURITY_INFO (${length} bytes) failed: ${err.message}`);
      if (isRefusal(err) || err.code.startsWith('timeout/')) return null;
    }
  }
  return null;
}

function unknownChip(message: string, details: Record<string, unknown>): EspflashError {
  return new EspflashError('connect/unknown-chip', message, {
    details,
    hint: 'this chip is not supported by this espflash version; check --port points at an Espressif chip',
  });
}

/** Identify the chip on a synced session (does not modify the session). */
export async function detectChip(session: LoaderSession): Promise<DetectResult> {
  const info = await readSecurityInfo(session);
  const sdm = info?.secureDownloadMode ?? false;
  if (info?.chipId != null) {
    const chip = chipByImageId(info.chipId);
    if (!chip)
      throw unknownChip(`Unknown chip id ${info.chipId} in GET_SECURITY_INFO`, { chipId: info.chipId });
    return { chip, securityInfo: info, secureDownloadMode: sdm, method: 'security-info' };
  }
  let magic: number;
  try {
    magic = await session.readReg(CHIP_DETECT_MAGIC_REG);
  } catch (err) {
    if (isRefusal(err)) {
      // Only an ESP32-S2 in Secure Download Mode refuses READ_REG.
      return { chip: chipInfo('esp32s2'), securityInfo: info, secureDownloadMode: true, method: 'sdm-rule' };
    }
    if (!isEspflashError(err) || err.code.startsWith('timeout/')) throw err;
    magic = await session.readReg(CHIP_DETECT_MAGIC_REG);
  }
  const matches = chipsByMagic(magic);
  const chip = matches.find((c) => c.usesMagicValue) ?? matches[0];
  if (!chip) {
    throw unknownChip(`Unrecognised chip magic value ${hex32(magic)} at ${hex32(CHIP_DETECT_MAGIC_REG)}`, {
      magic,
    });
  }
  return { chip, securityInfo: info, secureDownloadMode: sdm, method: 'magic' };
}
