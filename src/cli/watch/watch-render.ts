// Turns watch events into terminal text for the CLI (through injected writers): a status line that
// says what the loop is doing and how long the last cycle took, one line per result, dimmed build
// output, the monitor's log in between; or one NDJSON object per event with `--json`.

import { relative } from 'node:path';
import type { FlashEvent } from '../../events.js';
import { type CycleTimes, type WatchEvent, watchEventToJson } from '../../watch/watch-types.js';
import { painter } from '../color.js';
import { jsonLine } from '../context.js';
import { fitWidth } from '../reporter/tty-reporter.js';
import { watchKeyHelp } from './watch-keys.js';

/** Draws flash progress (the CLI's reporter), created for each flash. */
export interface ProgressView {
  onEvent(event: FlashEvent): void;
  finish(): void;
}

/** Options for {@link createWatchRenderer}. */
export interface WatchRendererOptions {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal: keep the status line at the bottom, redrawn in place. */
  tty: boolean;
  /** Columns the status line may use (it is cut to fit: a wrapped line cannot be redrawn); default 79. */
  width?: () => number;
  color: boolean;
  json: boolean;
  /** Paths are shown relative to this. */
  cwd: string;
  progress?: () => ProgressView;
}

/** What the CLI feeds with watch events and monitor text. */
export interface WatchRenderer {
  onEvent(event: WatchEvent): void;
  /** Text from the serial monitor. */
  serial(text: string): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** `build 12.3 s · flash 2.1 s (verify 0.3 s)`. */
export function describeCycle(times: CycleTimes): string {
  const parts = times.buildMs === undefined ? [] : [`build ${seconds(times.buildMs)}`];
  parts.push(`flash ${seconds(times.flashMs)} (verify ${seconds(times.verifyMs)})`);
  return parts.join(' · ');
}

/** The status line for a `status` event. */
export function statusText(e: Extract<WatchEvent, { type: 'status' }>): string {
  const doing = e.flashing
    ? e.building
      ? 'flashing (next build running)…'
      : 'flashing…'
    : e.building
      ? 'building…'
      : 'watching for changes';
  const last = e.last ? ` — last cycle: ${describeCycle(e.last)}` : '';
  const keys = e.monitor ? 'Ctrl+T H keys' : 'h keys';
  return `[watch] ${doing}${last} — ${keys}`;
}

/** Create the renderer. */
export function createWatchRenderer(options: WatchRendererOptions): WatchRenderer {
  if (options.json) return jsonRenderer(options);
  const paint = painter(options.color);
  const dim = (t: string) => paint('dim', t);
  const red = (t: string) => paint('red', t);
  const green = (t: string) => paint('green', t);
  let status = '';
  let shown = false;
  let monitorOn = false;
  let progress: ProgressView | null = null;
  const sticky = () => options.tty && !monitorOn && progress === null;
  const clear = () => {
    if (shown) options.stderr('\r\x1b[2K');
    shown = false;
  };
  const draw = () => {
    if (sticky() && status) {
      options.stderr(`\r\x1b[2K${dim(fitWidth(status, options.width?.() ?? 79))}`);
      shown = true;
    }
  };
  const line = (text: string, to: 'stdout' | 'stderr' = 'stderr') => {
    clear();
    options[to](`${text}\n`);
    draw();
  };
  const rel = (p: string) => relative(options.cwd, p) || p;

  return {
    serial(text) {
      clear();
      options.stdout(text);
      draw();
    },
    onEvent(e) {
      switch (e.type) {
        case 'watching':
          return line(
            `[watch] watching ${e.paths.map(rel).join(', ')} (${e.mode === 'sources' ? 'sources: build, then flash' : 'build outputs: flash'})`,
          );
        case 'change': {
          const more = e.files.length > 3 ? ` (+${e.files.length - 3} more)` : '';
          return line(`[watch] changed: ${e.files.slice(0, 3).map(rel).join(', ')}${more}`);
        }
        case 'build-output':
          return line(dim(e.line));
        case 'build-done':
          return line(green(`[watch] built in ${seconds(e.ms)}`));
        case 'build-cancelled':
          return line(dim('[watch] build cancelled: a newer change restarts it'));
        case 'flash-start':
          clear();
          progress = options.progress?.() ?? null;
          return;
        case 'flash-progress':
          progress?.onEvent(e.event);
          return;
        case 'flash-done': {
          progress?.finish();
          progress = null;
          const skipped = e.skipped.length ? `; unchanged: ${e.skipped.join(', ')}` : '';
          return line(
            green(
              `[watch] flashed ${kib(e.bytesWritten)} in ${seconds(e.ms)} (verify ${seconds(e.verifyMs)})${skipped}`,
            ),
          );
        }
        case 'cycle-done':
          return;
        case 'monitor':
          if (e.state === 'on' || e.state === 'off') monitorOn = e.state === 'on';
          if (e.state === 'paused' || e.state === 'resumed') return;
          return line(dim(`--- monitor ${e.state} ---`));
        case 'reset':
          return line(dim('--- reset ---'));
        case 'error': {
          if (e.stage === 'flash') {
            progress?.finish();
            progress = null;
          }
          const tail = Array.isArray(e.details?.tail) ? (e.details.tail as string[]).slice(-10) : [];
          for (const t of tail) line(t);
          line(red(`[watch] ${e.stage} failed: ${e.code}: ${e.message}`));
          if (e.hint) line(`  hint: ${e.hint}`);
          return line(dim('[watch] still watching; the device keeps its last good firmware'));
        }
        case 'status':
          status = statusText(e);
          if (!sticky()) return line(dim(status));
          clear();
          return draw();
        case 'help':
          return line(dim(`--- ${watchKeyHelp(e.monitor)} ---`));
        case 'closed':
          clear();
          return;
      }
    },
  };
}

function jsonRenderer(options: WatchRendererOptions): WatchRenderer {
  let partial = '';
  return {
    onEvent(e) {
      const json = watchEventToJson(e);
      if (json) options.stdout(jsonLine(json));
    },
    serial(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) options.stdout(jsonLine({ event: 'serial', text: l }));
    },
  };
}
