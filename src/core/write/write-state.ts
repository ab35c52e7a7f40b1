// Where the write of one region stands between attempts: how much the device verifiably holds, where
// the next stream starts, the block size, the counters that bound the retries, a sector that keeps
// failing; and the decision after a failed attempt (retry, reconnect, or give up and why).

import { ROM_WRITE_BLOCK } from './flash-begin.js';
import type { WriteFailureKind } from './write-failure.js';

/** Limits of the retries (all optional). */
export interface WriteLimits {
  /** Failed attempts in a row without newly verified bytes before giving up (default 8). */
  restarts?: number;
  /** Failed attempts without new verified bytes before the loader is reconnected (default 2). */
  reconnectAfter?: number;
  /** Transfer errors at one baud before asking for a lower one (default 3). */
  lowerBaudAfter?: number;
}

/** What to do after a failed attempt. */
export type AfterFailure =
  | { action: 'retry'; operation: 'write-region' | 'verify' }
  | { action: 'reconnect'; lowerBaud: boolean }
  | {
      action: 'give-up';
      code: 'flash/bad-sector' | 'flash/verify-failed' | 'flash/write-failed';
      why: string;
    };

/** A failed attempt, as {@link RegionWriteState.failed} weighs it. */
export interface FailedAttempt {
  kind: WriteFailureKind;
  /** A stub session got a ROM status: the chip is back in its ROM loader. */
  fellBackToRom: boolean;
  /** A reconnect is possible. */
  canReconnect: boolean;
  /** The deadline has passed. */
  pastDeadline: boolean;
}

/** Rewrites of one sector failing at the same place before the flash is blamed. */
export const BAD_SECTOR_HITS = 3;

/** The state of one region's write (offsets relative to the region's first byte). */
export class RegionWriteState {
  /** `[0, verifiedTo)` matched the device's MD5 and nothing rewrote it since. */
  verifiedTo = 0;
  /** Where the next stream starts (sector aligned). */
  from = 0;
  /** End of what some stream got confirmed (worth checking before rewriting after a reconnect). */
  writtenTo = 0;
  /** After a reconnect: find the first sector in `[verifiedTo, writtenTo)` that differs first. */
  rescan = false;
  blockSize: number;
  wireBytes = 0;
  restarts = 0;
  reconnects = 0;
  /** Failed attempts since the last progress or reconnect. */
  private stalled = 0;
  /** Failed attempts in a row without newly verified bytes. */
  private fruitless = 0;
  private lastVerified = 0;
  /** Failures other than a lost link since the last baud step-down. */
  private transferErrors = 0;
  private badSector = -1;
  private badSectorHits = 0;
  private readonly maxFruitless: number;
  /** A hard cap besides the deadline: a noisy link makes progress in small steps. */
  readonly maxRestarts: number;

  constructor(
    readonly size: number,
    blockSize: number,
    private readonly limits: WriteLimits = {},
  ) {
    this.blockSize = blockSize;
    this.maxFruitless = limits.restarts ?? 8;
    this.maxRestarts = 4 * this.maxFruitless + Math.ceil(size / 0x4000);
  }

  /** Halve the blocks (not below the ROM's 1 KiB) after a damaged or unanswered block. */
  narrow(): void {
    if (this.blockSize > ROM_WRITE_BLOCK) this.blockSize = Math.max(ROM_WRITE_BLOCK, this.blockSize >> 1);
  }

  /** A stream broke after the device confirmed `confirmed` bytes from `from`. */
  streamBroke(confirmed: number): void {
    this.writtenTo = Math.max(this.writtenTo, this.from + confirmed);
  }

  /** The device verifiably holds `[0, good)`: the next stream starts there. */
  verifiedUpTo(good: number): void {
    if (good > this.verifiedTo) this.stalled = 0;
    this.verifiedTo = Math.max(this.verifiedTo, good);
    this.from = this.verifiedTo;
  }

  /** A scan after a reconnect found the first differing sector at `first`. */
  rescanned(first: number): void {
    this.verifiedTo = first;
    this.from = first;
    this.rescan = false;
  }

  /** The region's MD5 did not match; the first differing sector is at `first` (the size if none). */
  verifyMismatch(first: number): void {
    this.verifiedTo = first;
    this.from = first;
    this.writtenTo = first;
    this.sectorFailed();
  }

  /** The sector at `from` failed to program (its verify, or a flash write status). */
  sectorFailed(): void {
    this.badSectorHits = this.from === this.badSector ? this.badSectorHits + 1 : 1;
    this.badSector = this.from;
  }

  /** Count a failed attempt and decide what comes next. */
  failed(f: FailedAttempt): AfterFailure {
    this.restarts++;
    this.stalled++;
    this.fruitless = this.verifiedTo > this.lastVerified ? 1 : this.fruitless + 1;
    this.lastVerified = Math.max(this.lastVerified, this.verifiedTo);
    if (f.kind !== 'link-lost') this.transferErrors++;
    const mismatch = f.kind === 'verify-mismatch';
    const flashFailed = mismatch || f.kind === 'flash-chip';
    if (flashFailed && this.badSector === this.from && this.badSectorHits >= BAD_SECTOR_HITS)
      return { action: 'give-up', code: 'flash/bad-sector', why: `${BAD_SECTOR_HITS} rewrites` };
    if (this.fruitless > this.maxFruitless || this.restarts > this.maxRestarts) {
      const why =
        this.fruitless > this.maxFruitless
          ? `after ${this.maxFruitless} attempts in a row without progress`
          : `after ${this.maxRestarts} restarts`;
      return { action: 'give-up', code: mismatch ? 'flash/verify-failed' : 'flash/write-failed', why };
    }
    if (f.pastDeadline)
      return { action: 'give-up', code: 'flash/write-failed', why: 'within the time limit' };
    const gone = f.kind === 'link-lost' || f.fellBackToRom;
    const stuck = this.stalled > (this.limits.reconnectAfter ?? 2) && f.canReconnect && !flashFailed;
    if (gone || stuck)
      return { action: 'reconnect', lowerBaud: this.transferErrors >= (this.limits.lowerBaudAfter ?? 3) };
    return { action: 'retry', operation: mismatch ? 'verify' : 'write-region' };
  }

  /** A fresh loader took over (blocks no larger than `maxBlock`): nothing is trusted unchecked. */
  reconnected(options: { lowerBaud: boolean; maxBlock: number }): void {
    this.reconnects++;
    this.stalled = 0;
    if (options.lowerBaud) this.transferErrors = 0;
    this.blockSize = Math.min(this.blockSize, options.maxBlock);
    this.rescan = true;
  }

  /** The absolute address of the sector that keeps failing. */
  badSectorAt(offset: number): number {
    return offset + this.badSector;
  }
}
