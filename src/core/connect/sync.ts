// SYNC handshake (PROTOCOL.md §2.3): send SYNC, wait 100 ms for the first reply, drain the 7 repeats,
// and report whether every value was 0 (a flasher stub is already running).

import { DEFAULT_TIMEOUT_MS, OP, SYNC_TIMEOUT_MS } from '../protocol/opcodes.js';
import { syncData } from '../protocol/packets.js';
import type { LoaderSession } from '../session/loader-session.js';

/** Replies a loader sends to one SYNC. */
export const SYNC_REPLIES = 8;

/** Outcome of a successful SYNC. */
export interface SyncResult {
  /** The header values of the 8 replies (ROM: non-zero; stub: 0). */
  values: number[];
  /** All values were 0: the flasher stub is already running. */
  stubDetected: boolean;
}

/** One sync try: throws (timeout or status error) when the chip does not answer all 8 replies. */
export async function syncOnce(
  session: LoaderSession,
  options: { firstReplyMs?: number } = {},
): Promise<SyncResult> {
  const first = await session.command({
    op: OP.SYNC,
    data: syncData(),
    timeoutMs: options.firstReplyMs ?? SYNC_TIMEOUT_MS,
  });
  const values = [first.value];
  while (values.length < SYNC_REPLIES) {
    const r = await session.awaitReply({ op: OP.SYNC, timeoutMs: DEFAULT_TIMEOUT_MS });
    values.push(r.value);
  }
  return { values, stubDetected: values.every((v) => v === 0) };
}
