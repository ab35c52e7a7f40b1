// Progress bars for an interactive terminal: one line per region, redrawn in place (cursor moves
// up over the bar block); other events print above the bars. Every redrawn line fits the terminal
// width (a wrapped line would break the cursor arithmetic).

import type { CliContext } from '../context.js';
import { stderrWidth } from '../io.js';
import { describeEvent, formatBytes, regionName } from './describe-event.js';
import type { Reporter } from './reporter.js';

/** Widest and narrowest bar (between the brackets). */
const BAR_MAX = 30;
const BAR_MIN = 10;
/** Name column: as wide as this, shortened (with …) on narrow terminals down to NAME_MIN. */
const NAME_WIDTH = 24;
const NAME_MIN = 8;
/** `unchanged, skipped` is the longest state text. */
const TAIL_WIDTH = 18;

/** One region's bar. */
export interface ProgressBar {
  name: string;
  done: number;
  total: number;
  state: 'writing' | 'verified' | 'skipped';
}

/** `text` cut to `width` columns, ending in … when cut. */
export function fitWidth(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, Math.max(0, width)) : `${text.slice(0, width - 1)}…`;
}

/**
 * Render one bar line, at most `width` columns (default 79):
 * `factory @ 0x10000  [#####-----]  52%  93.0 KiB`. Narrow terminals get a shorter bar, then a
 * shortened name, then the line cut.
 */
export function renderBar(bar: ProgressBar, width = 79): string {
  const frac = bar.state === 'writing' ? Math.min(1, bar.done / Math.max(1, bar.total)) : 1;
  const tail =
    bar.state === 'verified'
      ? 'verified'
      : bar.state === 'skipped'
        ? 'unchanged, skipped'
        : `${Math.floor(frac * 100)}%`;
  const size = formatBytes(bar.total);
  // name + ' [' + bar + '] ' + tail + ' ' + size
  const rest = 4 + TAIL_WIDTH + 1 + size.length;
  const barWidth = Math.max(BAR_MIN, Math.min(BAR_MAX, width - NAME_WIDTH - rest));
  const nameWidth = Math.max(NAME_MIN, Math.min(NAME_WIDTH, width - barWidth - rest));
  const filled = Math.round(frac * barWidth);
  const line = `${fitWidth(bar.name, nameWidth).padEnd(nameWidth)} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${tail.padEnd(TAIL_WIDTH)} ${size}`;
  return fitWidth(line, width);
}

/** TTY reporter writing to stderr with ANSI cursor control. */
export function createTtyReporter(ctx: CliContext): Reporter {
  const out = (t: string) => ctx.io.stderr(t);
  const bars: ProgressBar[] = [];
  const byIndex = new Map<number, ProgressBar>();
  let drawn = 0;
  const redraw = () => {
    const width = stderrWidth(ctx.io);
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const b of bars) text += `\r\x1b[2K${renderBar(b, width)}\n`;
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
          const text = fitWidth(
            `Reading: ${pct}% (${formatBytes(e.read)} of ${formatBytes(e.total)})`,
            stderrWidth(ctx.io),
          );
          out(`\r\x1b[2K${text}${e.read >= e.total ? '\n' : ''}`);
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
