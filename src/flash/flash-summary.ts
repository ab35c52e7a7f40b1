// What a flash left on the device: the per-region outcome, a truthful verified/unverified summary
// after a failure (regions not known good are checked against the device's MD5 where it still
// answers).

import { canMd5, flashMd5 } from '../core/ops/md5-region.js';
import type { Loader } from '../core/session/loader.js';
import { EspflashError, isEspflashError } from '../errors.js';

/** One region's outcome. `pending` regions were not reached because an earlier one failed. */
export interface RegionOutcome {
  index: number;
  offset: number;
  size: number;
  label: string | null;
  role: string;
  file: string;
  status: 'written' | 'skipped' | 'failed' | 'pending';
  /** MD5 of the bytes on flash (written/skipped), or of the bytes that should be there. */
  md5: string | null;
  /** The device's MD5 matched the planned bytes. */
  verified: boolean;
}

/** What `writePlan` did. */
export interface FlashSummary {
  regions: RegionOutcome[];
  /** Image bytes written (skipped regions count 0). */
  bytesWritten: number;
  ms: number;
  /** Stream restarts and reconnects that were needed (0 on a clean link). */
  restarts?: number;
  reconnects?: number;
  /** The host baud at the end (lower than asked when the link forced a step down). */
  baud?: number;
  /** Why regions could not be verified (set when some are unverified), in words, with what to change. */
  unverifiedReason?: string;
}

/**
 * Why a loader cannot verify by MD5, for the summary: Secure Download Mode blocks it; a ROM loader
 * without MD5 runs because the stub was turned off (`stubSource` names where) or did not start.
 */
export function unverifiedReason(
  loader: Pick<Loader, 'isStub' | 'secureDownloadMode' | 'chip'>,
  stub: { value: boolean; where: string },
): string {
  if (loader.secureDownloadMode) return 'the chip is in Secure Download Mode, which blocks the flash MD5';
  if (!loader.isStub && !stub.value)
    return `the ${loader.chip.displayName} ROM loader has no MD5 (the stub is off: ${stub.where}; turn it on to verify)`;
  if (!loader.isStub)
    return `the flasher stub did not start and the ${loader.chip.displayName} ROM loader has no MD5`;
  return 'the loader could not compute an MD5';
}

/**
 * After a failure, ask the device about every region not yet verified whose expected MD5 is known:
 * a region whose bytes match counts as verified (it was already there, or got there before the
 * failure). Regions the device cannot be asked about stay unverified. Never throws.
 */
export async function checkWithDevice(
  loader: Loader | null,
  regions: RegionOutcome[],
  expected: ReadonlyMap<number, { offset: number; size: number; md5: string }>,
): Promise<void> {
  if (loader === null || !canMd5(loader)) return;
  for (const r of regions) {
    const want = expected.get(r.index);
    if (r.verified || !want) continue;
    try {
      const got = await flashMd5(loader, { offset: want.offset, size: want.size });
      r.verified = got === want.md5;
      r.md5 = want.md5;
    } catch {
      return; // the loader is gone: the rest stays unverified
    }
  }
}

/** Region names for messages. */
function names(regions: RegionOutcome[], verified: boolean): string[] {
  return regions.filter((r) => r.verified === verified).map((r) => r.label ?? r.role);
}

/** The same coded error with `details.summary`, `verified` and `unverified`, and the lists in words. */
export function withSummary(err: unknown, summary: FlashSummary): unknown {
  if (!isEspflashError(err)) return err;
  const verified = names(summary.regions, true);
  const unverified = names(summary.regions, false);
  const words = `Verified on the device: ${verified.length ? verified.join(', ') : 'none'}; not verified: ${unverified.length ? unverified.join(', ') : 'none'}.`;
  return new EspflashError(err.code, `${err.message}\n${words}`, {
    ...(err.hint === undefined ? {} : { hint: err.hint }),
    details: { ...err.details, summary, verified, unverified },
    cause: err.cause ?? err,
    exitCode: err.exitCode,
  });
}
