// The Device handle: typed operations on one connected chip (board info, flash a plan, erase, read,
// write a binary, MD5, reset, close). Thin over src/core/ops; never prints.

import type { ChipInfo } from '../chips/chips.js';
import type { Connection } from '../core/connect/connect.js';
import { resetAfter } from '../core/ops/after-reset.js';
import { readChipRevision } from '../core/ops/chip-revision.js';
import { estimateCrystal } from '../core/ops/crystal.js';
import { eraseFlash, eraseRegion } from '../core/ops/erase.js';
import { canMd5, flashMd5 } from '../core/ops/md5-region.js';
import type { PreparedFlash } from '../core/ops/prepare-flash.js';
import { readFlash } from '../core/ops/read-flash.js';
import { readMac } from '../core/ops/read-mac.js';
import { readSecurityInfo, type SecurityDetails } from '../core/ops/security-info.js';
import { hex } from '../core/protocol/bytes.js';
import { md5Hex } from '../core/protocol/md5.js';
import { isLinkLost } from '../core/write/write-failure.js';
import {
  type ReconnectRequest,
  type ResilienceOptions,
  type WriteRegionResult,
  writeRegion,
} from '../core/write/write-region.js';
import { errorKind, isEspflashError, UsageError } from '../errors.js';
import type { FlashEventSink } from '../events.js';
import { type DeviceCache, openDeviceCache } from '../flash/device-cache.js';
import { unverifiedReason } from '../flash/flash-summary.js';
import { FLASH_SECTOR, mergeIntoSectors } from '../flash/unaligned-write.js';
import { type FlashSummary, nodeDeflate, nodeMd5, writePlan } from '../flash/write-plan.js';
import type { BaudMemory } from '../node/baud-memory.js';
import type { AfterReset, FlashPlan } from '../plan/types.js';
import { describeSource } from '../provenance.js';
import { chipFeatures } from './chip-features.js';
import type { PortChoice } from './choose-port.js';
import { checkEncryptedRegions } from './flash-encryption.js';
import { checkPlanFitsFlash } from './flash-fit.js';
import type { Reconnected } from './reconnect.js';

/** Bytes per READ_FLASH request in {@link Device.readFlash} (each retried on its own). */
const READ_CHUNK_BYTES = 0x40000;
/** Smallest chunk after halving on errors. */
const READ_MIN_CHUNK_BYTES = 0x1000;
/** Failed tries in a row (without a chunk getting through) before a read error is final. */
const READ_ATTEMPTS = 12;

/** Stub write block over the ROM's USB-OTG CDC. */
const USB_OTG_WRITE_BLOCK = 0x800;

/** What `board-info` shows. */
export interface BoardInfo {
  port: string;
  chip: ChipInfo['name'];
  displayName: string;
  /** `v3.0`, or null where no revision is readable (ESP8266, Secure Download Mode). */
  revision: string | null;
  features: readonly string[];
  /** Crystal in MHz, or null when it cannot be estimated. */
  crystalMhz: number | null;
  mac: string | null;
  flash: {
    jedecId: number | null;
    manufacturer: number | null;
    deviceId: number | null;
    /** `4MB`, or null when unknown. */
    size: string | null;
    sizeSource: PreparedFlash['sizeSource'];
  };
  /** Null when the chip's ROM has no GET_SECURITY_INFO. */
  security: SecurityDetails | null;
  secureDownloadMode: boolean;
  stub: boolean;
  baud: number;
}

/** Options for {@link Device.writeBin}. */
export interface WriteBinOptions {
  /** Partition label, for events and messages. */
  label?: string | null;
  /** Write even when the device already holds the bytes. */
  force?: boolean;
  /** Deflate the data (default: with the stub; false sends it plain, true asks the ROM to inflate too). */
  compress?: boolean;
}

/** What {@link Device.writeBin} did. `offset`/`size` are the caller's; `span` the sectors rewritten. */
export interface WriteBinResult extends Omit<WriteRegionResult, 'loader' | 'restarts' | 'reconnects'> {
  /**
   * The 4 KiB-aligned range actually erased and written (and verified by MD5 as a whole). Bytes of it
   * outside [offset, offset + size) were read back first and written unchanged.
   */
  span: { offset: number; size: number };
}

/** Options the Device keeps from `openDevice`. */
export interface DeviceSettings {
  after: AfterReset;
  usbOtg: boolean;
  signal: AbortSignal | undefined;
  /** The `--port` value (baud memory key). */
  port?: string;
  /** The port `openDevice` chose and its USB identity. */
  portChoice?: PortChoice;
  /** The baud asked for (after the baud memory), if any. */
  requestedBaud?: number | undefined;
  baudMemory?: BaudMemory | null;
  /** Reach the chip again mid-flash (see `createReconnector`); null: a lost link is final. */
  reconnect?: ((current: Connection, request: ReconnectRequest) => Promise<Reconnected>) | null;
}

/** Options for {@link Device.flash}. */
export interface DeviceFlashOptions {
  /** Write regions even when the device already holds them. */
  force?: boolean;
  /** Retry limits (see `ResilienceOptions`). */
  resilience?: Omit<ResilienceOptions, 'deadline' | 'reconnect'>;
  /** No new attempt starts after this long (default 10 minutes of `clock` time). */
  timeLimitMs?: number;
  /** Fast reflash: write only sectors that changed since what this cache says the device holds. */
  cache?: DeviceCache;
  /** Deflate writes (default: with the stub; false sends plain data, true asks the ROM to inflate too). */
  compress?: boolean;
}

/** A connected chip. Create with `openDevice`; always `close()` it. */
export class Device {
  private current: Connection;
  private prepared: PreparedFlash;

  constructor(
    loader: Connection,
    flashInfo: PreparedFlash,
    private readonly settings: DeviceSettings,
  ) {
    this.current = loader;
    this.prepared = flashInfo;
  }

  /** The connected loader (ROM or stub); a new one after a reconnect. */
  get loader(): Connection {
    return this.current;
  }

  /** Flash id and size found while opening (or reconnecting). */
  get flashInfo(): PreparedFlash {
    return this.prepared;
  }

  /** The port this device was opened on (as `openDevice` chose it) and its USB identity, if known. */
  get port(): PortChoice | null {
    return this.settings.portChoice ?? null;
  }

  /** The detected chip. */
  get chip(): ChipInfo {
    return this.loader.chip;
  }

  /** Chip, MAC, crystal, flash id/size and security info. Register reads that fail leave fields null. */
  async boardInfo(): Promise<BoardInfo> {
    const l = this.loader;
    const sdm = l.secureDownloadMode;
    const id = this.flashInfo.id;
    return {
      port: l.transport.description,
      chip: l.chip.name,
      displayName: l.chip.displayName,
      revision: await this.tolerant(async () => {
        const r = await readChipRevision(l);
        return r === null ? null : `v${r.major}.${r.minor}`;
      }),
      features: chipFeatures(l.chip.name),
      crystalMhz: sdm ? null : await this.tolerant(() => estimateCrystal(l)),
      mac: sdm ? null : await this.tolerant(() => readMac(l)),
      flash: {
        jedecId: id?.jedecId ?? null,
        manufacturer: id?.manufacturer ?? null,
        deviceId: id?.deviceId ?? null,
        size: id?.sizeName ?? (this.flashInfo.sizeSource === 'given' ? this.flashInfo.sizeName : null),
        sizeSource: this.flashInfo.sizeSource,
      },
      security: await this.tolerant(() => readSecurityInfo(l)),
      secureDownloadMode: sdm,
      stub: l.isStub,
      baud: l.baud,
    };
  }

  /**
   * Write and verify a flash plan (see `writePlan`), reconnecting after a lost port or a chip reset
   * and stepping the baud down on a bad link. A baud that worked is remembered for the port. Does
   * not reset; call {@link reset}.
   */
  async flash(plan: FlashPlan, options: DeviceFlashOptions = {}): Promise<FlashSummary> {
    await checkPlanFitsFlash({
      plan,
      detectedBytes: this.flashInfo.id?.sizeBytes ?? null,
      logger: this.loader.logger,
    });
    const encryption = await checkEncryptedRegions(plan, this.loader);
    if (encryption) this.loader.logger.warn(encryption.warning);
    const summary = await writePlan({
      plan,
      loader: this.loader,
      onEvent: this.events,
      flash: this.flashInfo,
      secureBoot: this.loader.securityInfo?.secureBootEnabled ?? false,
      ...this.blockSizeOpt(),
      ...this.reconnectOpt(),
      ...(options.force === undefined ? {} : { force: options.force }),
      ...(options.resilience === undefined ? {} : { resilience: options.resilience }),
      ...(options.timeLimitMs === undefined ? {} : { timeLimitMs: options.timeLimitMs }),
      ...(options.cache === undefined ? {} : { cache: options.cache }),
      ...(options.compress === undefined ? {} : { compress: options.compress }),
      ...(this.settings.signal === undefined ? {} : { signal: this.settings.signal }),
    });
    if (summary.regions.some((r) => !r.verified)) {
      const stub = plan.stub;
      const where = stub.source.kind === 'cli' ? '--no-stub' : describeSource(stub.source);
      summary.unverifiedReason = unverifiedReason(this.loader, { value: stub.value, where });
    }
    const { baudMemory, port, requestedBaud } = this.settings;
    if (
      baudMemory &&
      port !== undefined &&
      requestedBaud !== undefined &&
      (summary.bytesWritten > 0 || this.loader.baud < requestedBaud)
    ) {
      await baudMemory.remember(port, this.loader.baud);
    }
    return summary;
  }

  /**
   * The fast-reflash cache of this chip (keyed by chip + MAC, under `dir` or ~/.cache/espflash), or
   * null when the device cannot be identified or cannot verify by MD5 (ESP8266 ROM, Secure Download Mode).
   */
  async openCache(options: { dir?: string } = {}): Promise<DeviceCache | null> {
    if (this.loader.secureDownloadMode || !canMd5(this.loader)) return null;
    const mac = await readMac(this.loader).catch(() => null);
    if (!mac) return null;
    return openDeviceCache({
      chip: this.chip.name,
      mac,
      logger: this.loader.logger,
      ...(options.dir === undefined ? {} : { dir: options.dir }),
    });
  }

  /** writePlan's `reconnect`: swap in the new loader and flash info. */
  private reconnectOpt(): { reconnect?: (request: ReconnectRequest) => Promise<Connection> } {
    const reconnect = this.settings.reconnect;
    if (!reconnect) return {};
    return {
      reconnect: async (request) => {
        const r = await reconnect(this.current, request);
        this.current = r.loader;
        this.prepared = r.flash;
        return r.loader;
      },
    };
  }

  /** Erase the whole flash chip. */
  async eraseFlash(): Promise<void> {
    await eraseFlash(this.loader, { flashSize: this.flashInfo.sizeBytes });
  }

  /** Erase `size` bytes at `offset` (both multiples of 4 KiB). */
  async eraseRegion(offset: number, size: number): Promise<void> {
    this.checkRange(offset, size, 'erase');
    await eraseRegion(this.loader, { offset, size });
  }

  /** Read `size` bytes at `offset`. */
  async readFlash(offset: number, size: number): Promise<Uint8Array> {
    this.checkRange(offset, size, 'read');
    const out = new Uint8Array(size);
    // Chunks, each checked by the loader's MD5 (stub) and retried on its own; a chunk that fails is
    // halved (down to one sector) so a noisy link still gets through, and a lost link is reconnected
    // like a write's.
    let chunk = READ_CHUNK_BYTES;
    let failures = 0;
    for (let done = 0; done < size; ) {
      const n = Math.min(chunk, size - done);
      try {
        out.set(
          await readFlash(this.loader, {
            offset: offset + done,
            size: n,
            hash: nodeMd5,
            ...this.signalOpt(),
          }),
          done,
        );
        done += n;
        failures = 0;
      } catch (err) {
        failures++;
        // The code table decides (errorKind): final stops, transient retries, link-lost reconnects.
        const retryable =
          isEspflashError(err) && errorKind(err) !== 'final' && !this.settings.signal?.aborted;
        if (!retryable || failures > READ_ATTEMPTS) throw err;
        const reason = `${err.code}: ${err.message}`;
        this.events({
          type: 'retry',
          operation: 'read',
          attempt: failures + 1,
          reason,
          offset: offset + done,
        });
        const { reconnect } = this.reconnectOpt();
        if (reconnect && isLinkLost(err)) await reconnect({ reason, error: err, lowerBaud: false });
        chunk = Math.max(READ_MIN_CHUNK_BYTES, chunk >> 1);
      }
    }
    return out;
  }

  /**
   * Write `data` at `offset` and verify it (skipped when already there unless `force`). Flash is
   * erased in 4 KiB sectors, so when `offset` or the end is not on a sector boundary the partial first
   * and last sectors are read back and merged first: the bytes around `data` stay as they were, and
   * the whole aligned span is verified by MD5. Where the loader cannot read flash (ESP8266 ROM,
   * Secure Download Mode) such a write is refused (`flash/unaligned-write`) instead of erasing them.
   */
  async writeBin(offset: number, data: Uint8Array, options: WriteBinOptions = {}): Promise<WriteBinResult> {
    if (data.length === 0) {
      throw new UsageError('flash/empty-data', `nothing to write at ${hex(offset)}: the data is empty`, {
        hint: 'Pass a non-empty file.',
        details: { offset },
      });
    }
    this.checkRange(offset, data.length, 'write');
    const l = this.loader;
    const { span, bytes: merged } = await mergeIntoSectors({
      offset,
      data,
      source: {
        canRead: !l.secureDownloadMode && (l.isStub || l.chip.rom.readFlashSlow),
        secureDownloadMode: l.secureDownloadMode,
        readSector: (at) => this.readFlash(at, FLASH_SECTOR),
      },
    });
    const {
      loader: _l,
      restarts: _r,
      reconnects: _c,
      ...result
    } = await writeRegion(this.loader, {
      ...this.reconnectOpt(),
      onEvent: this.events,
      deflate: nodeDeflate,
      offset: span.offset,
      data: merged,
      index: 0,
      label: options.label ?? null,
      role: 'data',
      skipIfMatch: !(options.force ?? false),
      hash: nodeMd5,
      ...(options.compress === undefined ? {} : { compress: options.compress }),
      ...this.blockSizeOpt(),
      ...this.signalOpt(),
    });
    if (merged === data) return { ...result, span: { offset: result.offset, size: result.size } };
    // The span's MD5 was checked; report the caller's range and the MD5 of the caller's bytes.
    return {
      ...result,
      offset,
      size: data.length,
      md5: md5Hex(data, nodeMd5),
      span: { offset: result.offset, size: result.size },
    };
  }

  /** The device's MD5 (lower-case hex) of `size` bytes at `offset`. */
  async md5(offset: number, size: number): Promise<string> {
    this.checkRange(offset, size, 'checksum');
    return flashMd5(this.loader, { offset, size });
  }

  /**
   * Reset the chip (`hard_reset` by default, or the `after` given to `openDevice`). Resolves with
   * what was actually done: `hard_reset` where a watchdog reset is not available, `none` where the
   * port has no DTR/RTS lines (the chip was not reset), else the mode asked for.
   */
  async reset(mode: AfterReset = this.settings.after): Promise<string> {
    return resetAfter(this.loader, { mode, usbOtg: this.settings.usbOtg });
  }

  /** Close the connection (no reset). Idempotent. */
  async close(): Promise<void> {
    await this.loader.close();
  }

  /**
   * Where this device's events go: the sink given to `openDevice`, which its sessions carry (a
   * reconnect keeps it). Operations get it as a parameter.
   */
  private get events(): FlashEventSink {
    return this.current.onEvent;
  }

  /** The stub over USB-OTG takes 0x800-byte write blocks (PROTOCOL.md §3.7). */
  private blockSizeOpt(): { blockSize?: number } {
    return this.settings.usbOtg && this.loader.isStub ? { blockSize: USB_OTG_WRITE_BLOCK } : {};
  }

  private signalOpt(): { signal?: AbortSignal } {
    return this.settings.signal === undefined ? {} : { signal: this.settings.signal };
  }

  private checkRange(offset: number, size: number, what: string): void {
    const total = this.flashInfo.sizeBytes;
    if (offset + size > total) {
      throw new UsageError(
        'flash/out-of-range',
        `cannot ${what} ${hex(offset)} +${hex(size)}: it ends at ${hex(offset + size)}, beyond the ${this.flashInfo.sizeName} flash`,
        {
          hint: 'Check <offset> and <size>, or pass --flash-size when the detected size is wrong.',
          details: { offset, size, flashSize: total },
        },
      );
    }
  }

  private async tolerant<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      if (!isEspflashError(err)) throw err;
      this.loader.logger.debug(`board-info: ${err.code}: ${err.message}`);
      return null;
    }
  }
}
