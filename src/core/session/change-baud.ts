// CHANGE_BAUDRATE (PROTOCOL.md §2.6): second word = old baud for the stub, 0 for the ROM; the ESP32 ROM's
// crystal-calibration correction and the C2 ROM's 26 MHz trick; then host baud, 50 ms pause, flush.

import { EspflashError, isEspflashError } from '../../errors.js';
import { estimateCrystal } from '../ops/crystal.js';
import { packU32 } from '../protocol/bytes.js';
import { OP } from '../protocol/opcodes.js';
import type { LoaderSession } from './loader-session.js';

/** ESP32 RTC calibration register the ROM derived its crystal estimate from. */
export const ESP32_RTCCALICFG1 = 0x3ff5f06c;
/** Pause after switching the host baud (garbage may arrive during the switch). */
export const BAUD_SETTLE_MS = 50;

/**
 * The loader answered CHANGE_BAUDRATE with a failing status: it refuses that rate (a verdict, not a
 * link error). The hint names what to change: the rate, through --baud or the config key.
 */
export function baudRefusedError(options: { baud: number; loader: string; cause: unknown }): EspflashError {
  const { baud, loader, cause } = options;
  const reason = isEspflashError(cause) ? cause.message : String(cause);
  return new EspflashError(
    'connect/baud-refused',
    `The ${loader} refused to switch to ${baud} baud (${reason})`,
    {
      hint: `Ask for a lower rate: --baud 921600 (or 460800, 115200), or change \`baud\` in espflash.config.* / ESPFLASH_BAUD.`,
      details: { baud, loader },
      cause,
    },
  );
}

/** Result of {@link changeBaud}. */
export interface BaudChange {
  /** The baud now in effect on the host side. */
  baud: number;
  changed: boolean;
  /** The value sent in the first CHANGE_BAUDRATE word (after ROM corrections). */
  sentBaud?: number;
  /** Why nothing changed. */
  skipped?: 'same-baud' | 'transport' | 'esp8266-rom' | 'c2-sdm';
}

/** The ESP32 ROM's view of its crystal in Hz (cali × 15625 × CK8M / 40); null when unreadable. */
async function esp32RomCrystalHz(session: LoaderSession): Promise<number | null> {
  const cali = ((await session.readReg(ESP32_RTCCALICFG1)) >>> 7) & 0x1ffffff;
  const ck8m = (await session.readReg(session.chip.efuseBase + 4 * 4)) & 0xff;
  const hz = (cali * 15625 * ck8m) / 40;
  return hz > 0 && Number.isFinite(hz) ? hz : null;
}

/** The first CHANGE_BAUDRATE word for the current loader (ROM quirks applied). */
export async function romBaudWord(session: LoaderSession, baud: number): Promise<number> {
  if (session.isStub) return baud;
  try {
    if (session.chip.name === 'esp32') {
      const romHz = await esp32RomCrystalHz(session);
      if (romHz === null) return baud;
      const realHz = romHz > 33e6 ? 40e6 : 26e6;
      return Math.floor((baud * romHz) / realHz);
    }
    if (session.chip.name === 'esp32c2' && (await estimateCrystal(session)) === 26) {
      return Math.floor((baud * 40) / 26);
    }
  } catch (err) {
    session.logger.debug(`baud correction skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
  return baud;
}

/** Options for {@link changeBaud}. */
export interface ChangeBaudOptions {
  baud: number;
  /**
   * The transport cannot set a host-side baud (raw TCP) but the far end follows the chip (QEMU,
   * `espflash sim --listen`, a ser2net port set to match): tell the chip anyway and only record the
   * new nominal rate on the host side.
   */
  remote?: boolean;
}

/**
 * Switch the link to `baud`: CHANGE_BAUDRATE(new, stub ? old : 0), wait for the reply at the old rate,
 * switch the host side, sleep 50 ms and flush. Emits `baud-changed`. Skips (without error) when the
 * baud is unchanged, the transport cannot change baud (unless `remote`), or the loader cannot
 * (ESP8266 ROM, C2 in SDM). A refused rate (a failing status) is `connect/baud-refused`, whose hint
 * names --baud and the config key `baud`.
 */
export async function changeBaud(session: LoaderSession, options: ChangeBaudOptions): Promise<BaudChange> {
  const { transport } = session;
  const current = transport.baudRate;
  if (options.baud === current) return { baud: current, changed: false, skipped: 'same-baud' };
  if (!transport.capabilities.baudRate && !options.remote)
    return { baud: current, changed: false, skipped: 'transport' };
  if (!session.isStub && session.chip.name === 'esp8266')
    return { baud: current, changed: false, skipped: 'esp8266-rom' };
  if (!session.isStub && session.chip.name === 'esp32c2' && session.secureDownloadMode) {
    return { baud: current, changed: false, skipped: 'c2-sdm' };
  }
  const sentBaud = await romBaudWord(session, options.baud);
  try {
    await session.command({ op: OP.CHANGE_BAUDRATE, data: packU32(sentBaud, session.isStub ? current : 0) });
  } catch (err) {
    // A status reply (rom/*, stub/*) is the loader's answer; timeouts and lost ports stay as they are.
    if (isEspflashError(err) && /^(rom|stub)\//.test(err.code)) {
      const loader = `${session.chip.displayName} ${session.isStub ? 'flasher stub' : 'ROM loader'}`;
      throw baudRefusedError({ baud: options.baud, loader, cause: err });
    }
    throw err;
  }
  await transport.setBaudRate(options.baud);
  // A host-side switch can catch garbage; a remote one switches nothing here, so nothing to wait out.
  if (!options.remote) await session.clock.sleep(BAUD_SETTLE_MS, session.signal);
  await session.flushInput();
  session.onEvent({ type: 'baud-changed', baud: options.baud });
  return { baud: options.baud, changed: true, sentBaud };
}
