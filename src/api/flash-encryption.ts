// Flash encryption before a write (issue: never write plaintext where the build asks for encrypted):
// read the chip's FLASH_CRYPT_CNT (GET_SECURITY_INFO, or the ESP32's eFuse word), then decide what
// happens to the plan's regions marked encrypted. espflash has no encrypted write path yet, so on a
// chip with flash encryption on such a plan is refused with the way to do it; with encryption off
// they are written in plaintext (how ESP-IDF's first flash works) and that is said out loud.

import type { Connection } from '../core/connect/connect.js';
import { readSecurityInfo } from '../core/ops/security-info.js';
import { EspflashError, isEspflashError } from '../errors.js';
import type { FlashPlan } from '../plan/types.js';

/** ESP32 eFuse BLK0 word 0 (EFUSE_BLK0_RDATA0): FLASH_CRYPT_CNT is bits 20..26. */
const ESP32_CRYPT_CNT_SHIFT = 20;

/** Whether flash encryption is on (odd FLASH_CRYPT_CNT); null when it cannot be read. */
export async function readFlashEncryption(loader: Connection): Promise<boolean | null> {
  try {
    if (loader.chip.name === 'esp8266') return false;
    if (loader.chip.securityInfoLength !== null) {
      const info = await readSecurityInfo(loader);
      return info === null ? null : info.flashEncryptionEnabled;
    }
    if (loader.chip.name === 'esp32') {
      const word = await loader.readReg(loader.chip.efuseBase);
      return oddBits((word >>> ESP32_CRYPT_CNT_SHIFT) & 0x7f);
    }
    return null;
  } catch (err) {
    if (isEspflashError(err)) return null;
    throw err;
  }
}

function oddBits(value: number): boolean {
  let n = 0;
  for (let v = value; v; v >>>= 1) n += v & 1;
  return n % 2 === 1;
}

/** What happens to a plan's encrypted regions on a chip, in the words `plan` and `flash` both use. */
export const ENCRYPTED_REGIONS_RULE =
  'espflash writes regions marked encrypted in plaintext only to a chip whose flash encryption is off (with a warning) and refuses a chip with flash encryption on (flash/encrypted-write-unsupported); use the esptool command for those';

/**
 * Check the plan's encrypted regions against the chip: throws `flash/encrypted-write-unsupported`
 * when flash encryption is on (or cannot be read); returns a warning when it is off. Null: nothing
 * to say (no encrypted regions).
 */
export async function checkEncryptedRegions(
  plan: FlashPlan,
  loader: Connection,
): Promise<{ warning: string } | null> {
  const encrypted = plan.regions.filter((r) => r.encrypted);
  if (encrypted.length === 0) return null;
  const names = encrypted.map((r) => r.label ?? r.role).join(', ');
  const enabled = await readFlashEncryption(loader);
  if (enabled === false) {
    return {
      warning: `${encrypted.length} region(s) marked encrypted (${names}) are written in plaintext: flash encryption is off on this ${loader.chip.displayName}`,
    };
  }
  const state = enabled ? 'has flash encryption enabled' : 'does not tell whether flash encryption is on';
  throw new EspflashError(
    'flash/encrypted-write-unsupported',
    `the build marks ${names} as encrypted and this ${loader.chip.displayName} ${state}; espflash cannot write encrypted yet and will not write them in plaintext`,
    {
      hint: 'Write them with the esptool command `espflash plan` prints (write-flash --encrypt-files …) or `idf.py encrypted-flash`; --only <regions> flashes just the plaintext ones.',
      details: {
        chip: loader.chip.name,
        regions: encrypted.map((r) => ({ offset: r.offset, file: r.file })),
      },
    },
  );
}
