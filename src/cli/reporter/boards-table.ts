// The summary table after flashing many boards: port, chip, MAC, result, time; one row per board.

import type { BoardResult } from '../../api/flash-many.js';
import { type BoardRow, boardError } from './boards-reporter.js';

/** A flashed board's result cell: `verified (3 written, 1 skipped)` or `FAILED code: message`. */
export function flashResultCell(r: BoardResult): string {
  if (!r.ok) return `FAILED ${boardError(r)}`;
  const regions = r.summary?.regions ?? [];
  const written = regions.filter((x) => x.status === 'written').length;
  const skipped = regions.length - written;
  const verified = regions.every((x) => x.verified);
  return `${verified ? 'verified' : 'written, NOT verified'} (${written} written${skipped ? `, ${skipped} skipped` : ''})`;
}

/** The table as text, with a closing line: `3 of 4 boards flashed in 2.1 s` (`verb`: another word). */
export function renderBoardsTable<R extends BoardRow>(
  boards: readonly R[],
  wallMs: number,
  options: { result?: (r: R) => string; verb?: string } = {},
): string {
  const resultCell = options.result ?? ((r: R) => flashResultCell(r as unknown as BoardResult));
  const rows = [
    ['PORT', 'CHIP', 'MAC', 'TIME', 'RESULT'],
    ...boards.map((r) => [
      r.port,
      r.chip ?? '-',
      r.mac ?? '-',
      `${(r.ms / 1000).toFixed(1)} s`,
      resultCell(r),
    ]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] as number) : cell)).join('  '),
  );
  const ok = boards.filter((b) => b.ok).length;
  lines.push(
    `${ok} of ${boards.length} boards ${options.verb ?? 'flashed'} in ${(wallMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}
