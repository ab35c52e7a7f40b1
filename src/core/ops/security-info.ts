// GET_SECURITY_INFO for board-info (PROTOCOL.md §3.1): the detector's parse plus every flag bit
// named, and whether flash encryption is on (odd number of crypt-counter bits).

import { parseSecurityInfo, type SecurityInfo } from '../connect/chip-detect.js';
import { OP } from '../protocol/opcodes.js';
import type { Loader } from '../session/loader.js';

/** Security information with every flag decoded. */
export interface SecurityDetails extends SecurityInfo {
  secureBootAggressiveRevoke: boolean;
  secureBootKeyRevoked: [boolean, boolean, boolean];
  jtagSoftDisabled: boolean;
  jtagHardDisabled: boolean;
  usbDisabled: boolean;
  downloadDcacheDisabled: boolean;
  downloadIcacheDisabled: boolean;
  /** Flash encryption is on when the crypt counter has an odd number of bits set. */
  flashEncryptionEnabled: boolean;
}

function bit(value: number, n: number): boolean {
  return ((value >>> n) & 1) === 1;
}

function popcount(value: number): number {
  let n = 0;
  for (let v = value; v; v >>>= 1) n += v & 1;
  return n;
}

/** Decode a 20- or 12-byte GET_SECURITY_INFO payload with all flag bits. */
export function decodeSecurityInfo(payload: Uint8Array): SecurityDetails {
  const base = parseSecurityInfo(payload);
  const f = base.flags;
  return {
    ...base,
    secureBootAggressiveRevoke: bit(f, 1),
    secureBootKeyRevoked: [bit(f, 3), bit(f, 4), bit(f, 5)],
    jtagSoftDisabled: bit(f, 6),
    jtagHardDisabled: bit(f, 7),
    usbDisabled: bit(f, 8),
    downloadDcacheDisabled: bit(f, 9),
    downloadIcacheDisabled: bit(f, 10),
    flashEncryptionEnabled: popcount(base.flashCryptCnt & 0x7f) % 2 === 1,
  };
}

/** Read security info, or null when this chip's ROM has no GET_SECURITY_INFO (ESP8266, ESP32). */
export async function readSecurityInfo(loader: Loader): Promise<SecurityDetails | null> {
  const length = loader.chip.securityInfoLength;
  if (length === null) return null;
  const reply = await loader.command({ op: OP.GET_SECURITY_INFO, responseDataLength: length });
  return decodeSecurityInfo(reply.data);
}
