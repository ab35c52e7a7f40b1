// Progress bars for an interactive terminal: one line per region, redrawn in place (cursor moves
// up over the bar block); other events print above the bars.

import type { CliContext } from '../context.js';
import { describeEvent, formatBytes, regionName } from './describe-event.js';
import type { Reporter } from './reporter.js';

const BAR_WIDTH = 30;

/** One region's bar. */
export interface ProgressBar {
  name: string;
  done: number;
  total: number;
  state: 'writing' | 'verified' | 'skipped';
}

/** Render one bar line: `factory @ 0x10000  [#####-----]  52%  93.0 KiB`. */
export function renderBar(bar: ProgressBar): string {
  const frac = bar.state === 'writing' ? Math.min(1, bar.done / Math.max(1, bar.total)) : 1;
  const filled = Math.round(frac * BAR_WIDTH);
  const tail =
    bar.state === 'verified'
      ? 'verified'
      : bar.state === 'skipped'
        ? 'unchanged, skipped'
        : `${Math.floor(frac * 100)}%`;
  return `${bar.name.padEnd(24)} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${tail.padEnd(18)} ${formatBytes(bar.total)}`;
}

/** TTY reporter writing to stderr with ANSI cursor control. */
export function createTtyReporter(ctx: CliContext): Reporter {
  const out = (t: string) => ctx.io.stderr(t);
  const bars: ProgressBar[] = [];
  const byIndex = new Map<number, ProgressBar>();
  let drawn = 0;
  const redraw = () => {
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const b of bars) text += `\r\x1b[2K${renderBar(b)}\n`;
    drawn = bars.length;
    out(text);
  };
  const above = (line: string) => {
    // Clear the bar block, print the line, draw the bars again below it.
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    text += `\r\x1b[2K${line}\n\x1b[J`;
    drawn = 0;
    out(text);
    if (bars.length > 0) redraw();
  };
  return {
    finish: () => {
      drawn = 0;
    },
    onEvent: (e) => {
      switch (e.type) {
        case 'region-start': {
          const bar: ProgressBar = { name: regionName(e), done: 0, total: e.size, state: 'writing' };
          bars.push(bar);
          byIndex.set(e.index, bar);
          redraw();
          return;
        }
        case 'region-progress': {
          const bar = byIndex.get(e.index);
          if (bar) bar.done = e.written;
          redraw();
          return;
        }
        case 'region-skipped':
        case 'region-verified': {
          const bar = byIndex.get(e.index);
          if (bar) bar.state = e.type === 'region-skipped' ? 'skipped' : 'verified';
          redraw();
          return;
        }
        case 'read-progress': {
          const pct = Math.floor((e.read / Math.max(1, e.total)) * 100);
          out(
            `\r\x1b[2KReading: ${pct}% (${formatBytes(e.read)} of ${formatBytes(e.total)})${e.read >= e.total ? '\n' : ''}`,
          );
          return;
        }
        default: {
          const text = describeEvent(e);
          if (text !== null) above(text);
        }
      }
    },
  };
}
