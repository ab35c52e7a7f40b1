// The virtual ESP32 as a whole: UART (wire time, baud mismatch, ROM auto-baud), the DTR/RTS
// auto-reset circuit and boot strapping, the ROM/stub/app modes, and the loader it runs. Hosts
// (the in-process transport, the TCP server) attach to it and exchange raw bytes. Injected faults
// that concern the whole chip live here: USB unplug, watchdog reset, boot noise, strapping, silence.

import { type ChipInfo, type ChipName, chipInfo } from '../chips/chips.js';
import { SlipDecoder, slipEncode } from '../core/protocol/slip.js';
import type { Clock } from '../core/session/clock.js';
import { realClock } from '../core/session/clock.js';
import { EspflashError } from '../errors.js';
import { appLog, type ResetCause, romBanner, romLogBaud } from './boot-text.js';
import { FaultInjector, type SimFaults } from './faults.js';
import { garble } from './garble.js';
import type { DeviceServices } from './loader-context.js';
import { NorFlash } from './nor-flash.js';
import { OHAI } from './protocol.js';
import { defaultMac, RegisterFile, winbondJedecId } from './registers.js';
import { TimingModel } from './timing.js';
import { UsbPort } from './usb-port.js';
import { VirtualLoader } from './virtual-loader.js';

/** What the chip is doing. */
export type SimMode = 'rom' | 'stub' | 'app' | 'reset';

/** Options for {@link VirtualChip}. */
export interface VirtualChipOptions {
  chip: ChipName;
  /** Flash size in bytes (power of two, default 4 MB). */
  flashSize?: number;
  /** Initial flash contents (e.g. loaded from a flash file). */
  flashData?: Uint8Array;
  /** Six MAC bytes (default: a fixed Espressif-OUI MAC per chip). */
  mac?: Uint8Array;
  /** Timing model on (default false here; `espflash sim` turns it on). */
  timing?: boolean;
  clock?: Clock;
  /** Start in the ROM loader as if reset with BOOT held (default true). Otherwise the app runs. */
  startInDownloadMode?: boolean;
  faults?: SimFaults;
  /** Secure Download Mode (chips with GET_SECURITY_INFO only): the ROM refuses READ_REG, MEM_*, MD5... */
  secureDownload?: boolean;
  /** Flash encryption on: FLASH_CRYPT_CNT = 1 (security info; on ESP32 the eFuse BLK0 word 0). */
  flashEncryption?: boolean;
}

/** Receives the device's UART output: bytes plus the baud they were sent at. */
export type HostSink = (bytes: Uint8Array, baud: number) => void;

export { garble };

const ROM_BAUD = 115200;

/** A virtual chip with flash, registers and a loader. */
export class VirtualChip {
  readonly chip: ChipInfo;
  readonly flash: NorFlash;
  readonly registers: RegisterFile;
  readonly timing: TimingModel;
  readonly faults: FaultInjector;
  readonly secureDownload: boolean;
  /** FLASH_CRYPT_CNT eFuse (odd: flash encryption on). */
  readonly flashCryptCnt: number;
  /** USB presence (the disconnect fault): `unplugged`, `awaitingReplug`, `onUnplug`. */
  readonly usb: UsbPort;
  private currentMode: SimMode = 'app';
  private currentBaud = ROM_BAUD;
  private sink: HostSink | null = null;
  private lines = { dtr: false, rts: false };
  private decoder = new SlipDecoder({ maxFrame: 0x8000 });
  private frames: Uint8Array[] = [];
  private frameWaiters: Array<() => void> = [];
  private rxChain: Promise<void> = Promise.resolve();
  private rxBusyUntil = 0;
  private txChain: Promise<void> = Promise.resolve();
  private txBusyUntil = 0;
  private session = new AbortController();
  private loader: VirtualLoader | null = null;
  private modeListeners: Array<(mode: SimMode) => void> = [];
  private closed = false;

  constructor(options: VirtualChipOptions) {
    this.chip = chipInfo(options.chip);
    const size = options.flashSize ?? 4 * 1024 * 1024;
    const faults = options.faults ?? {};
    this.flash = new NorFlash({
      size,
      ...(options.flashData ? { initial: options.flashData } : {}),
      ...(faults.badSectors ? { badSectors: faults.badSectors } : {}),
    });
    this.timing = new TimingModel({
      enabled: options.timing ?? false,
      clock: options.clock ?? realClock,
      eraseFactor: faults.eraseSlowdown ?? 1,
    });
    this.faults = new FaultInjector(faults);
    this.usb = new UsbPort(this.timing.clock);
    this.secureDownload = options.secureDownload ?? false;
    this.flashCryptCnt = options.flashEncryption ? 1 : 0;
    this.registers = new RegisterFile({
      chip: this.chip,
      mac: options.mac ?? defaultMac(this.chip),
      jedecId: winbondJedecId(size),
      baud: () => this.currentBaud,
    });
    if (this.chip.name === 'esp32')
      this.registers.write(this.chip.efuseBase, this.flashCryptCnt << 20, 0x7f << 20);
    if ((options.startInDownloadMode ?? true) && !faults.ignoreBootStrap) {
      this.enterRom({ announce: false, cause: 'power-on' });
    } else this.setMode('app');
  }

  /** Current mode. */
  get mode(): SimMode {
    return this.currentMode;
  }

  /** The UART's current baud rate. */
  get baud(): number {
    return this.currentBaud;
  }

  /** Call `listener` on every mode change. Returns an unsubscribe function. */
  onModeChange(listener: (mode: SimMode) => void): () => void {
    this.modeListeners.push(listener);
    return () => {
      this.modeListeners = this.modeListeners.filter((l) => l !== listener);
    };
  }

  /** Connect the host side (one at a time; a new host replaces the old one). */
  attachHost(sink: HostSink | null): void {
    this.sink = sink;
  }

  /** Host bytes at `hostBaud` (raw TCP: the device's own). A byte-triggered fault cuts the chunk there. */
  hostWrite(bytes: Uint8Array, hostBaud: number): void {
    if (this.closed || bytes.length === 0 || this.usb.awaitingReplug) return;
    const hit = this.faults.takeHostBytes(bytes.length);
    const wire = this.faults.corrupt(hit ? bytes.subarray(0, hit.keep) : bytes, 'rx');
    const arrival =
      Math.max(this.timing.clock.now(), this.rxBusyUntil) + this.timing.wireMs(wire.length, hostBaud);
    this.rxBusyUntil = arrival;
    this.rxChain = this.rxChain
      .then(() => this.timing.until(arrival))
      .then(() => {
        if (wire.length) this.receive(wire, hostBaud);
        if (hit?.kind === 'reset') this.watchdogReset();
      })
      .catch(() => {});
    if (hit?.kind === 'disconnect') this.unplug();
  }

  /** The USB port is gone (a disconnect fault fired and its gone time has not passed). */
  get unplugged(): boolean {
    return this.usb.unplugged;
  }

  /** USB re-enumeration: the host loses the port for `disconnect.goneMs`; the chip runs on or powers off. */
  unplug(): void {
    const d = this.faults.config.disconnect ?? {};
    if (d.resetsChip) this.holdInReset();
    this.usb.unplug(d.goneMs ?? 1000);
  }

  /** A host reopened the port after re-enumeration; a chip that lost power boots from flash now. */
  replug(): void {
    if (!this.usb.replug()) return;
    this.lines = { dtr: false, rts: false };
    if (this.faults.config.disconnect?.resetsChip) this.boot({ download: false, cause: 'power-on' });
  }

  /** The `reset-at` fault: an RTC watchdog reset that lands in the ROM loader; the stub is forgotten. */
  watchdogReset(): void {
    if (!this.closed) this.boot({ download: true, cause: 'watchdog' });
  }

  /** Drive the auto-reset circuit: EN is low while RTS alone is asserted, IO0 low while DTR alone is. */
  setLines(signals: { dtr: boolean; rts: boolean }): void {
    const wasHeld = this.lines.rts && !this.lines.dtr;
    this.lines = { ...signals };
    const held = signals.rts && !signals.dtr;
    if (held && !wasHeld) this.holdInReset();
    else if (!held && wasHeld) this.boot({ download: signals.dtr && !signals.rts, cause: 'power-on' });
  }

  /** Stop everything; pending work is abandoned. */
  close(): void {
    this.closed = true;
    this.session.abort(new EspflashError('sim/closed', 'the virtual device was closed'));
    this.wakeFrameWaiters();
  }

  private setMode(mode: SimMode): void {
    this.currentMode = mode;
    for (const l of this.modeListeners) l(mode);
  }

  private receive(bytes: Uint8Array, hostBaud: number): void {
    const mode = this.currentMode;
    if ((mode !== 'rom' && mode !== 'stub') || this.faults.config.silent) return;
    if (hostBaud !== this.currentBaud) {
      // The ROM's auto-baud detector locks onto the 0x55 run of a SYNC; that frame itself is lost.
      if (mode === 'rom' && /U{8}/.test(String.fromCharCode(...bytes.subarray(0, 64)))) {
        this.currentBaud = hostBaud;
      }
      this.decoder.feed(garble(bytes));
      return;
    }
    const { frames } = this.decoder.feed(bytes);
    if (frames.length === 0) return;
    this.frames.push(...frames);
    this.wakeFrameWaiters();
  }

  private wakeFrameWaiters(): void {
    const waiters = this.frameWaiters;
    this.frameWaiters = [];
    for (const w of waiters) w();
  }

  private nextFrame(signal: AbortSignal): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const attempt = () => {
        if (signal.aborted) return reject(signal.reason);
        const f = this.frames.shift();
        if (f) return resolve(f);
        this.frameWaiters.push(attempt);
      };
      attempt();
    });
  }

  /** Queue UART output at the current baud (or `baud`). */
  private emit(bytes: Uint8Array, baud = this.currentBaud): void {
    if (this.faults.config.silent) return;
    const done = Math.max(this.timing.clock.now(), this.txBusyUntil) + this.timing.wireMs(bytes.length, baud);
    this.txBusyUntil = done;
    this.txChain = this.txChain
      .then(() => this.timing.until(done))
      .then(() => {
        // Output while the USB port is gone goes nowhere.
        if (!this.closed && !this.usb.awaitingReplug) this.sink?.(this.faults.corrupt(bytes, 'tx'), baud);
      })
      .catch(() => {});
  }

  private sendFrame(payload: Uint8Array): void {
    if (this.faults.dropReply()) return;
    this.emit(slipEncode(payload));
  }

  private newSession(): AbortSignal {
    this.session.abort(new EspflashError('sim/reset', 'the virtual device was reset'));
    this.session = new AbortController();
    this.frames = [];
    this.decoder.reset();
    this.wakeFrameWaiters();
    return this.session.signal;
  }

  private holdInReset(): void {
    this.newSession();
    this.loader = null;
    this.setMode('reset');
  }

  private boot(options: { download: boolean; cause: ResetCause }): void {
    if (options.download && !this.faults.config.ignoreBootStrap) {
      this.enterRom({ announce: true, cause: options.cause });
    } else {
      this.newSession();
      this.loader = null;
      this.currentBaud = romLogBaud(this.chip);
      this.emitNoise();
      this.emit(new TextEncoder().encode(romBanner(this.chip, { download: false, cause: options.cause })));
      this.runApp();
    }
  }

  private enterRom(options: { announce: boolean; cause: ResetCause }): void {
    const signal = this.newSession();
    this.currentBaud = romLogBaud(this.chip);
    if (options.announce) {
      this.emitNoise();
      this.emit(new TextEncoder().encode(romBanner(this.chip, { download: true, cause: options.cause })));
    }
    // ESP32-family ROMs talk at 115200 after the banner; the ESP8266 stays at 74880 until auto-baud.
    this.currentBaud = this.chip.name === 'esp8266' ? romLogBaud(this.chip) : ROM_BAUD;
    const loader = new VirtualLoader(this.services());
    this.loader = loader;
    this.setMode('rom');
    void loader.run(signal);
  }

  /** Power-up glitches on TX before the banner (the `noise` fault). */
  private emitNoise(): void {
    if (this.faults.config.bootNoise) this.emit(this.faults.bootNoise());
  }

  private runApp(): void {
    this.newSession();
    this.loader = null;
    this.currentBaud = ROM_BAUD;
    this.setMode('app');
    this.emit(new TextEncoder().encode(appLog(this.chip, this.flash)));
  }

  private services(): DeviceServices {
    return {
      chip: this.chip,
      flash: this.flash,
      registers: this.registers,
      timing: this.timing,
      faults: this.faults,
      secureDownload: this.secureDownload,
      flashCryptCnt: this.flashCryptCnt,
      sendFrame: (p) => this.sendFrame(p),
      nextFrame: (signal) => this.nextFrame(signal),
      setBaud: (baud) => {
        this.currentBaud = baud;
      },
      startStub: (dialect) => {
        this.loader?.becomeStub(dialect);
        this.setMode('stub');
        this.sendFrame(OHAI);
      },
      runUserCode: () => this.runApp(),
      unplug: () => this.unplug(),
      watchdogReset: () => this.watchdogReset(),
      softwareReset: () => {
        const signal = this.session.signal;
        void this.timing.delay(10, signal).then(
          () => this.enterRom({ announce: true, cause: 'software' }),
          () => {},
        );
      },
      crash: (reason) => {
        this.newSession();
        this.loader = null;
        this.setMode('app');
        this.emit(
          new TextEncoder().encode(
            `Guru Meditation Error: Core  0 panic'ed (IllegalInstruction): ${reason}\r\n`,
          ),
        );
      },
    };
  }
}
