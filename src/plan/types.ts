// The flash plan: everything espflash will write, where, and with which settings, each value with
// its provenance. Produced from build output (src/project) and consumed by the device side.

import type { ChipName } from '../chips/chips.js';
import type { AfterReset, BeforeReset, FlashFreq, FlashMode, FlashSize } from '../core/settings.js';
import type { Source, Sourced } from '../provenance.js';

/** The settings vocabulary lives in the core (src/core/settings.ts); re-exported for plan users. */
export type { AfterReset, BeforeReset, FlashMode } from '../core/settings.js';

/** What a region holds. */
export type RegionRole = 'bootloader' | 'partition-table' | 'app' | 'otadata' | 'data';

/** One file to write at one offset. */
export interface PlanRegion {
  offset: number;
  /** File size in bytes. */
  size: number;
  /** Absolute path. */
  file: string;
  /** Hex SHA-256 of the file when the plan was made (re-checked before writing). */
  sha256: string;
  role: RegionRole;
  /** Partition label the region lands in, when known. */
  label: string | null;
  encrypted: boolean;
  /** Where this region came from (e.g. build/flasher_args.json). */
  source: Source;
}

/** The complete plan. */
export interface FlashPlan {
  chip: Sourced<ChipName>;
  flash: {
    mode: Sourced<FlashMode>;
    /** esptool spelling (`40m`, `80m`) or `keep`. */
    freq: Sourced<FlashFreq>;
    /** `4MB` style, or `detect` / `keep` (see `isFixedFlashSize`). */
    size: Sourced<FlashSize>;
  };
  before: Sourced<BeforeReset>;
  after: Sourced<AfterReset>;
  stub: Sourced<boolean>;
  /** Sorted by offset, non-overlapping. */
  regions: PlanRegion[];
  /** Absolute build directory the plan was derived from. */
  buildDir: string;
  /**
   * Images whose embedded ELF SHA-256 differs from their ELF (recorded when stale images were
   * allowed), and images only file times call older than their ELF or flasher_args.json (`time`).
   */
  stale?: Array<{ file: string; entry: string; newerThan: string; basis: 'content' | 'time' }>;
}
