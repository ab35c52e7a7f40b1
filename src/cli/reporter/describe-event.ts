// Human wording for the events both text reporters share (connection, flash id, resets, warnings).

import { flashSizeName } from '../../core/ops/flash-id.js';
import { hex } from '../../core/protocol/bytes.js';
import { resetModeLabel } from '../../core/settings.js';
import type { FlashEvent } from '../../events.js';

/** Region name for progress lines: `factory @ 0x10000` or `bootloader @ 0x1000`. */
export function regionName(e: { label: string | null; role: string; offset: number }): string {
  return `${e.label ?? e.role} @ ${hex(e.offset)}`;
}

/** `1.5 KiB`, `180.0 KiB`, `4.0 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** Words for the `retry` operations the flash path emits. */
const RETRY_WORDS: Record<string, string> = {
  'write-block': 'the block',
  'write-region': 'the write from the first unverified sector',
  verify: 'the sectors that did not verify',
  reconnect: 'after reconnecting to the chip',
};

/** A one-line description of non-region events, or null for events a reporter draws itself. */
export function describeEvent(e: FlashEvent): string | null {
  switch (e.type) {
    case 'connect-attempt':
      return e.attempt > 1 ? `Connecting (attempt ${e.attempt}, ${e.strategy})…` : 'Connecting…';
    case 'connected':
      return `Connected to ${e.chip} at ${e.baud} baud (${e.stub ? 'flasher stub' : 'ROM loader'})`;
    case 'stub-started':
      return e.reused ? 'Re-using the running flasher stub' : 'Flasher stub running';
    case 'baud-changed':
      return `Baud rate changed to ${e.baud}`;
    case 'flash-detected':
      return `Flash: JEDEC id ${hex(e.jedecId)}, ${e.size === null ? 'unknown size' : flashSizeName(e.size)}`;
    case 'retry':
      return `Retrying ${RETRY_WORDS[e.operation] ?? e.operation}${e.offset === undefined ? '' : ` at ${hex(e.offset)}`} (attempt ${e.attempt}): ${e.reason}`;
    case 'reset':
      return e.mode === 'none' ? null : `Reset: ${resetModeLabel(e.mode)}`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'erase-progress':
      return e.erased === 0
        ? `Erasing ${e.total > 0 ? formatBytes(e.total) : 'flash'} at ${hex(e.offset)}…`
        : 'Erased';
    case 'task-step-start':
      return `[${e.index + 1}/${e.total}] ${e.description}`;
    default:
      return null;
  }
}
