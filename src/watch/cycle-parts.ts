// Small pieces of a watch cycle: an error as a watch event, the verify timer fed by flash events,
// and the flash-done event from a flash summary.

import type { Clock } from '../core/session/clock.js';
import { isEspflashError } from '../errors.js';
import type { FlashEvent } from '../events.js';
import type { FlashSummary } from '../flash/write-plan.js';
import type { WatchEvent } from './watch-types.js';

/** The stages an error can come from. */
export type WatchStage = Extract<WatchEvent, { type: 'error' }>['stage'];

/** An `error` event for `err` (coded errors keep their code, hint and details). */
export function errorEvent(stage: WatchStage, err: unknown): WatchEvent {
  if (isEspflashError(err)) {
    return {
      type: 'error',
      stage,
      code: err.code,
      message: err.message,
      ...(err.hint === undefined ? {} : { hint: err.hint }),
      ...(Object.keys(err.details).length ? { details: err.details } : {}),
    };
  }
  return {
    type: 'error',
    stage,
    code: 'watch/unexpected',
    message: err instanceof Error ? err.message : String(err),
  };
}

/** Sums the time the device spends verifying written regions (last block → region-verified). */
export function verifyTimer(clock: Clock): { onEvent(e: FlashEvent): void; ms(): number } {
  const written = new Map<number, number>();
  let total = 0;
  return {
    onEvent(e) {
      if (e.type === 'region-progress' && e.written >= e.total) written.set(e.index, clock.now());
      const at = e.type === 'region-verified' ? written.get(e.index) : undefined;
      if (at !== undefined) total += clock.now() - at;
    },
    ms: () => Math.round(total),
  };
}

/** Labels (or roles) of the regions a flash skipped because the device already held them. */
export function skippedLabels(summary: FlashSummary): string[] {
  return summary.regions.filter((r) => r.status === 'skipped').map((r) => r.label ?? r.role);
}
