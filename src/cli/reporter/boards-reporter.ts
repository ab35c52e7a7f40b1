// Progress of many boards at once (flash with several --port): NDJSON events carrying `port` with
// --json, one redrawn bar per board on a terminal, else the plain reporter's lines prefixed with the
// board's port. Board results come in through `boardDone`.

import type { BoardEvent, BoardResult } from '../../api/flash-many.js';
import { isEspflashError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { stderrWidth } from '../io.js';
import { describeEvent } from './describe-event.js';
import { createPlainReporter } from './plain-reporter.js';
import { eventToJson, type Reporter } from './reporter.js';
import { fitWidth, type ProgressBar, renderBar } from './tty-reporter.js';

/** What the reporter and the table need of a board's result (flashMany's or eachBoard's). */
export interface BoardRow {
  port: string;
  ok: boolean;
  chip?: string;
  mac?: string | null;
  error?: Error;
  ms: number;
  summary?: BoardResult['summary'];
}

/** Per-board progress sink. */
export interface BoardsReporter {
  onEvent(event: BoardEvent): void;
  boardDone(result: BoardRow): void;
  /** Stop redrawing; call before printing the summary or an error. */
  finish(): void;
}

/** One line naming a board's error: `code: message`. */
export function boardError(result: BoardRow): string {
  const e = result.error;
  if (!e) return '';
  return isEspflashError(e) ? `${e.code}: ${e.message}` : e.message;
}

/** The reporter for this context and these ports. */
export function createBoardsReporter(ctx: CliContext, ports: readonly string[]): BoardsReporter {
  if (ctx.json) {
    return {
      onEvent: (e) => ctx.emitJson(eventToJson(e)),
      boardDone: (r) =>
        ctx.emitJson({
          type: 'board-done',
          event: 'board-done',
          port: r.port,
          ok: r.ok,
          ms: r.ms,
          ...(r.error ? { error: boardError(r) } : {}),
        }),
      finish: () => {},
    };
  }
  return ctx.io.stderrTTY ? createBoardBars(ctx, ports) : createPrefixedLines(ctx, ports);
}

/** Plain lines, each prefixed with its board's port (ports padded to one width). */
function createPrefixedLines(ctx: CliContext, ports: readonly string[]): BoardsReporter {
  const width = Math.max(...ports.map((p) => p.length));
  const perBoard = new Map<string, Reporter>();
  const line = (port: string, text: string) => ctx.io.stderr(`[${port.padEnd(width)}] ${text}\n`);
  const reporterOf = (port: string): Reporter => {
    let r = perBoard.get(port);
    if (!r) {
      const io = {
        ...ctx.io,
        stderr: (t: string) => {
          for (const l of t.split('\n').filter((x) => x !== '')) line(port, l);
        },
      };
      r = createPlainReporter({ ...ctx, io });
      perBoard.set(port, r);
    }
    return r;
  };
  return {
    onEvent: (e) => {
      const { port, ...event } = e;
      reporterOf(port).onEvent(event as typeof e);
    },
    boardDone: (r) =>
      line(r.port, r.ok ? `done in ${(r.ms / 1000).toFixed(1)} s` : `FAILED: ${boardError(r)}`),
    finish: () => {},
  };
}

/** One bar per board (all regions together), redrawn in place; warnings print above the bars. */
function createBoardBars(ctx: CliContext, ports: readonly string[]): BoardsReporter {
  const out = (t: string) => ctx.io.stderr(t);
  const bars = new Map<
    string,
    ProgressBar & { failed?: string; regions: Map<number, number>; sizes: Map<number, number> }
  >();
  for (const port of ports) {
    // The end of a port tells boards apart (ttyUSB3, :4003): cut long ones from the left.
    const name = port.length > 24 ? `…${port.slice(-23)}` : port;
    bars.set(port, { name, done: 0, total: 0, state: 'writing', regions: new Map(), sizes: new Map() });
  }
  let drawn = 0;
  let finished = false;
  const draw = (): string => {
    const width = stderrWidth(ctx.io);
    let text = '';
    for (const b of bars.values()) {
      const line = b.failed ? fitWidth(`${b.name}  FAILED ${b.failed}`, width) : renderBar(b, width);
      text += `\r\x1b[2K${line}\n`;
    }
    drawn = bars.size;
    return text;
  };
  const redraw = () => {
    if (finished) return;
    out((drawn > 0 ? `\x1b[${drawn}A` : '') + draw());
  };
  const above = (line: string) => {
    if (finished) return;
    out(`${drawn > 0 ? `\x1b[${drawn}A` : ''}\r\x1b[2K${line}\n\x1b[J${draw()}`);
  };
  const total = (b: { sizes: Map<number, number> }) => [...b.sizes.values()].reduce((a, n) => a + n, 0);
  const done = (b: { regions: Map<number, number> }) => [...b.regions.values()].reduce((a, n) => a + n, 0);
  return {
    onEvent: (e) => {
      const b = bars.get(e.port);
      if (!b) return;
      switch (e.type) {
        case 'region-start':
          b.sizes.set(e.index, e.size);
          b.regions.set(e.index, 0);
          break;
        case 'region-progress':
          b.regions.set(e.index, e.written);
          break;
        case 'region-skipped':
        case 'region-verified':
          b.regions.set(e.index, b.sizes.get(e.index) ?? 0);
          break;
        case 'warning':
        case 'retry': {
          const text = describeEvent(e);
          if (text !== null) above(`[${e.port}] ${text}`);
          return;
        }
        default:
          return;
      }
      b.total = total(b);
      b.done = done(b);
      redraw();
    },
    boardDone: (r) => {
      const b = bars.get(r.port);
      if (!b) return;
      if (r.ok) {
        b.state = r.summary && r.summary.bytesWritten === 0 ? 'skipped' : 'verified';
        b.done = b.total;
      } else b.failed = boardError(r);
      redraw();
    },
    finish: () => {
      finished = true;
    },
  };
}
