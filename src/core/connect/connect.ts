// From a Transport to a connected Loader (PROTOCOL.md §4.3, §8): reset-strategy cycling, SYNC, boot-log
// diagnosis, chip detection, chip hooks, stub upload or reuse, and the baud change.

import type { ChipName } from '../../chips/chips.js';
import { isEspflashError, UsageError } from '../../errors.js';
import { type FlashEventSink, ignoreEvents } from '../../events.js';
import { type Logger, silentLogger } from '../../logger.js';
import {
  type ChipRevision,
  formatChipRevision,
  readChipRevision,
  revisionNumber,
} from '../ops/chip-revision.js';
import { rememberRomCrystal } from '../ops/crystal.js';
import { changeBaud } from '../session/change-baud.js';
import { type Clock, realClock } from '../session/clock.js';
import type { Loader } from '../session/loader.js';
import { LoaderSession } from '../session/loader-session.js';
import { ESP_RAM_BLOCK, type StubProvider, USB_RAM_BLOCK, uploadStub } from '../session/stub-loader.js';
import type { ModemSignals, Transport } from '../session/transport.js';
import { type BeforeReset, type BeforeResetName, parseBeforeReset, resetModeLabels } from '../settings.js';
import { diagnoseConnectFailure } from './boot-log.js';
import { detectChip, type SecurityInfo } from './chip-detect.js';
import { disableWatchdogsForUsbJtag } from './post-connect.js';
import {
  connectStrategies,
  parseResetSequence,
  type ResetStrategy,
  runResetSequence,
  usbJtagSerialReset,
} from './reset-sequences.js';
import { type SyncResult, syncOnce } from './sync.js';

/** Reset before connecting (the settings vocabulary's type, re-exported for connect's callers). */
export type { BeforeReset } from '../settings.js';

/** Options for {@link connect}. */
export interface ConnectOptions {
  transport: Transport;
  clock?: Clock;
  logger?: Logger;
  onEvent?: FlashEventSink;
  signal?: AbortSignal;
  /** Expected chip; a different detected chip fails with `connect/chip-mismatch`. */
  chip?: ChipName;
  /** Reset before connecting (default `default_reset`; esptool v5's `default-reset` spellings too). */
  before?: BeforeResetName;
  /** Custom bootloader-entry sequence (`D0|R1|W100|D1|R0|W50|D0`); replaces the built-in strategies. */
  resetSequence?: string;
  /** The port is a USB-Serial/JTAG peripheral (303A:1001): its own reset, watchdog hooks. */
  usbJtagSerial?: boolean;
  /** The port is the ROM's USB-OTG CDC (303A:<chip id>): 0x800 RAM blocks. */
  usbOtg?: boolean;
  /** Host platform, for the strategy list (Windows: classic only). Default `posix`. */
  platform?: 'posix' | 'windows';
  /** Connect attempts, cycling strategies (default 7; 0 = until aborted). */
  attempts?: number;
  /** SYNC tries per attempt (default 5). */
  syncTries?: number;
  /** Upload the flasher stub (default true). */
  stub?: boolean;
  stubProvider?: StubProvider;
  /** Target baud once the stub is up (e.g. 460800). */
  baud?: number;
  /**
   * Change the chip's baud even though the transport has no host-side baud (raw TCP): the far end
   * follows by itself (QEMU, `espflash sim --listen`) or is set to match (a ser2net raw port).
   */
  remoteBaud?: boolean;
}

/** A connected loader plus what connecting learnt. */
export interface Connection extends Loader {
  /** Host-side baud now in effect. */
  readonly baud: number;
  /** A stub was already running (SYNC values all 0) and was re-used. */
  readonly stubReused: boolean;
  /** Text captured outside SLIP frames (ROM boot banner), bounded. */
  readonly bootLog: string;
  readonly securityInfo: SecurityInfo | null;
  /** Close the transport. */
  close(): Promise<void>;
}

/** Pause between failed SYNC tries. */
export const SYNC_RETRY_PAUSE_MS = 50;
/** Boot-log capture after a reset: stop after this much silence. */
export const BOOT_LOG_QUIET_MS = 20;

function normaliseBefore(before: string | undefined): BeforeReset {
  const mode = parseBeforeReset(before ?? 'default_reset');
  if (mode) return mode;
  throw new UsageError('connect/bad-before', `Unknown --before mode "${before}"`, {
    hint: `use --before with one of ${resetModeLabels('before').join(', ')} (config key \`before\`)`,
  });
}

/** Strategies for this connect, or null for "no reset". Emits the no-modem-lines warning once. */
function planResets(
  options: ConnectOptions,
  before: BeforeReset,
  onEvent: FlashEventSink,
): ResetStrategy[] | null {
  const custom = options.resetSequence ? parseResetSequence(options.resetSequence) : null;
  if (before === 'no_reset' || before === 'no_reset_no_sync') return null;
  const capabilities = options.transport.capabilities;
  if (!capabilities.modemLines) {
    // A raw byte stream never has the lines: connecting as the chip is, is what its user expects.
    if (capabilities.rawStream) return null;
    onEvent({
      type: 'warning',
      code: 'connect/no-modem-lines',
      message: `${options.transport.description} has no DTR/RTS lines, so no reset was done: connecting to the chip as it is (for the ROM loader, hold BOOT and tap EN/RESET; --before no-reset says you did)`,
    });
    return null;
  }
  if (custom) return [{ name: 'custom', steps: custom }];
  if (before === 'usb_reset') return [usbJtagSerialReset()];
  return connectStrategies({ usbJtagSerial: options.usbJtagSerial, platform: options.platform });
}

/**
 * One lone SLIP END between sync tries. esp-flasher-stub's receiver leaves a frame on an empty one
 * (END END), so after a link drop cut a frame it can stay one END out of step and swallow every
 * frame: a lone END puts it back in step (a second failed try flips it back). The ROM loader treats
 * extra ENDs as empty frames (checked on the real ESP32 ROM), so this costs it nothing.
 */
async function realignFraming(session: LoaderSession): Promise<void> {
  await session.transport.write(Uint8Array.of(0xc0));
}

/** Reset + sync attempts; throws the diagnosed failure. Returns null for no_reset_no_sync. */
async function establish(
  session: LoaderSession,
  options: ConnectOptions,
  before: BeforeReset,
): Promise<SyncResult | null> {
  const onEvent = session.onEvent;
  const strategies = planResets(options, before, onEvent);
  if (before === 'no_reset_no_sync') return null;
  const attempts = options.attempts ?? 7;
  const syncTries = Math.max(1, options.syncTries ?? 5);
  let lines: ModemSignals = { dtr: false, rts: false };
  let lastError: unknown = null;
  for (let attempt = 1; attempts === 0 || attempt <= attempts; attempt++) {
    options.signal?.throwIfAborted();
    const strategy = strategies ? strategies[(attempt - 1) % strategies.length]! : null;
    onEvent({ type: 'connect-attempt', attempt, strategy: strategy?.name ?? 'no-reset' });
    await session.flushInput();
    if (strategy) {
      lines = await runResetSequence(session.transport, session.clock, strategy.steps, {
        initial: lines,
        signal: options.signal,
      });
    }
    await session.drainInput({ quietMs: BOOT_LOG_QUIET_MS });
    for (let t = 0; t < syncTries; t++) {
      try {
        return await syncOnce(session);
      } catch (err) {
        if (!isEspflashError(err) || err.code === 'transport/closed' || options.signal?.aborted) throw err;
        lastError = err;
        session.logger.debug(`sync try ${t + 1} of attempt ${attempt} failed: ${err.message}`);
        await session.clock.sleep(SYNC_RETRY_PAUSE_MS, options.signal);
        await realignFraming(session);
      }
    }
  }
  throw diagnoseConnectFailure({
    port: session.transport.description,
    bootLog: session.bootLog,
    bytesReceived: session.stats.bytesReceived,
    framesReceived: session.stats.framesReceived,
    attempts,
    lastError,
  });
}

/**
 * The revision, read only for chips whose stub handling depends on it (P4: stub file by revision;
 * C2: none on v0.0). A register read the ROM refuses leaves it unknown (logged), as esptool would
 * fall back to the default stub.
 */
async function revisionForStub(
  session: LoaderSession,
  signal: AbortSignal | undefined,
): Promise<ChipRevision | null> {
  if (session.chip.name !== 'esp32p4' && session.chip.name !== 'esp32c2') return null;
  try {
    return await readChipRevision(session);
  } catch (err) {
    if (!isEspflashError(err) || err.code === 'transport/closed' || signal?.aborted) throw err;
    session.logger.debug(`could not read the chip revision: ${err.message}`);
    return null;
  }
}

/** Stub upload, reuse or skip (with warnings). */
async function startStub(
  session: LoaderSession,
  options: ConnectOptions,
  sync: SyncResult | null,
): Promise<void> {
  const chip = session.chip;
  const warn = (code: string, message: string) => session.onEvent({ type: 'warning', code, message });
  if (sync?.stubDetected) {
    session.setStub(true);
    session.stubReused = true;
    session.onEvent({ type: 'stub-started', chip: chip.name, reused: true });
    return;
  }
  if (options.stub === false) return;
  if (session.secureDownloadMode) {
    warn(
      'stub/secure-download-mode',
      `${chip.displayName} is in Secure Download Mode: using the ROM loader (no stub)`,
    );
    return;
  }
  if (chip.name === 'esp32c3' && session.securityInfo?.secureBootEnabled) {
    warn('stub/secure-boot', 'ESP32-C3 with Secure Boot does not run the stub: using the ROM loader');
    return;
  }
  if (!options.stubProvider) {
    warn('stub/no-provider', 'No stub provider configured: using the ROM loader');
    return;
  }
  const revision = await revisionForStub(session, options.signal);
  if (chip.name === 'esp32c2' && revision && revisionNumber(revision) === 0) {
    warn(
      'stub/c2-eco0',
      `ESP32-C2 revision ${formatChipRevision(revision)} (ECO0) does not run the flasher stub: using the ROM loader`,
    );
    return;
  }
  const image = await options.stubProvider(chip.name, revision ? { revision: revisionNumber(revision) } : {});
  if (!image) {
    warn('stub/unavailable', `No flasher stub is available for ${chip.displayName}: using the ROM loader`);
    return;
  }
  try {
    await uploadStub(session, { image, blockSize: stubBlockSize(session, options) });
  } catch (err) {
    if (!isEspflashError(err) || err.code !== 'stub/no-ohai' || options.signal?.aborted) throw err;
    await fallBackToRom(session, options, err);
    return;
  }
  session.onEvent({ type: 'stub-started', chip: chip.name, reused: false });
}

/**
 * MEM_DATA block size for the stub upload. The ROM checks a block with an XOR of its bytes, which
 * misses two flips of the same bit; a stub damaged that way never starts. Where the port can reset
 * the chip that costs a reset (see fallBackToRom); where it cannot (raw TCP, a pty) the chip stays
 * dead, so smaller blocks make it rarer: the chance per upload grows with the block length (about
 * 6x rarer at 1 KiB than at 6 KiB, for a few more round trips).
 */
function stubBlockSize(session: LoaderSession, options: ConnectOptions): number {
  if (options.usbOtg) return USB_RAM_BLOCK;
  return session.transport.capabilities.modemLines ? ESP_RAM_BLOCK : NO_RESET_RAM_BLOCK;
}

/** Stub upload block where nothing can reset the chip. */
export const NO_RESET_RAM_BLOCK = 0x400;

/**
 * The uploaded stub never started. Where the port can reset the chip, reset it into its ROM loader
 * and go on without the stub (saying so); elsewhere the chip runs the dead stub until a reset, so
 * `stub/no-ohai` is final at once (its hint names --no-stub and --stub-version).
 */
async function fallBackToRom(session: LoaderSession, options: ConnectOptions, err: Error): Promise<void> {
  const before = normaliseBefore(options.before);
  const resets = planResets(options, before, ignoreEvents);
  if (!resets) throw err;
  session.onEvent({
    type: 'warning',
    code: 'stub/rom-fallback',
    message: `The flasher stub did not start (no OHAI): reset ${session.chip.displayName} and continuing with the ROM loader (--no-stub)`,
  });
  // The reset lands in the ROM at 115200, whatever baud it was switched to before the upload.
  if (session.transport.baudRate !== 115200 && session.transport.capabilities.baudRate) {
    await session.transport.setBaudRate(115200);
  }
  await establish(session, { ...options, stub: false }, before);
  session.setStub(false);
}

/**
 * Connect to the chip behind `options.transport`: reset into download mode (cycling strategies),
 * SYNC, detect the chip, upload (or reuse) the stub, change baud. Failures are coded errors:
 * `connect/wrong-boot-mode`, `connect/no-sync-tx-down`, `connect/no-serial-data`, `connect/garbage`,
 * `connect/no-sync`, `connect/chip-mismatch`, `stub/*`, `reset/bad-sequence`.
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const before = normaliseBefore(options.before);
  const session = new LoaderSession({
    transport: options.transport,
    clock: options.clock ?? realClock,
    logger: options.logger ?? silentLogger,
    onEvent: options.onEvent ?? ignoreEvents,
    signal: options.signal,
  });
  const sync = await establish(session, options, before);
  if (sync?.stubDetected) session.setStub(true);
  const detected = await detectChip(session);
  session.setChip(detected.chip);
  session.setSecureDownloadMode(detected.secureDownloadMode);
  session.securityInfo = detected.securityInfo;
  session.logger.debug(`detected ${detected.chip.displayName} via ${detected.method}`);
  if (options.chip && options.chip !== detected.chip.name) {
    throw new UsageError(
      'connect/chip-mismatch',
      `Expected ${options.chip} but the connected chip is ${detected.chip.displayName} (${detected.chip.name})`,
      {
        hint: 'remove --chip (or `chip` in espflash.config.*) to auto-detect, or check that --port is the intended board',
        details: { expected: options.chip, detected: detected.chip.name },
      },
    );
  }
  if (options.usbJtagSerial && !session.secureDownloadMode && !sync?.stubDetected) {
    await disableWatchdogsForUsbJtag(session);
  }
  // The UART divider shows the crystal only while the ROM runs at the baud it synced at: before any
  // baud change (the ESP32 ROM's corrected divider can mislead) and before a stub (which may clock the
  // UART from the PLL).
  if (!sync?.stubDetected) await rememberRomCrystal(session);
  // Upload the stub at the target baud where the ROM can switch first: the stub keeps the ROM's UART
  // settings, and its ~9 KiB then take a fraction of the time they take at 115200. Not over raw TCP:
  // there the far end follows the chip's rate on its own, and the ESP32 ROM under QEMU loses bytes
  // of large frames above 115200 (esptool --no-stub fails the same way), so only the stub switches.
  if (
    options.baud !== undefined &&
    !options.remoteBaud &&
    options.baud > options.transport.baudRate &&
    (options.stub ?? true) &&
    !sync?.stubDetected &&
    !session.secureDownloadMode &&
    session.chip.rom.changeBaud
  ) {
    await changeBaud(session, { baud: options.baud, remote: options.remoteBaud ?? false });
  }
  await startStub(session, options, sync);
  if (options.baud !== undefined) {
    const r = await changeBaud(session, { baud: options.baud, remote: options.remoteBaud ?? false });
    if (r.skipped === 'esp8266-rom' || r.skipped === 'c2-sdm') {
      session.onEvent({
        type: 'warning',
        code: 'connect/baud-unchanged',
        message: `The ${session.chip.displayName} ROM loader cannot change baud; staying at ${r.baud}`,
      });
    }
  }
  session.onEvent({ type: 'connected', chip: detected.chip.name, baud: session.baud, stub: session.isStub });
  return session;
}
