// Picks how FlashEvents are shown: NDJSON with --json, redrawn bars on a TTY, plain lines otherwise.

import type { FlashEvent, FlashEventSink } from '../../events.js';
import type { CliContext } from '../context.js';
import { createPlainReporter } from './plain-reporter.js';
import { createTtyReporter } from './tty-reporter.js';

/** An event sink plus a hook to finish drawing (e.g. leave the cursor below the bars). */
export interface Reporter {
  onEvent: FlashEventSink;
  /** Stop redrawing; call before printing results or errors. */
  finish(): void;
}

/** One event as an NDJSON object: `type` becomes `event`, the rest is kept. */
export function eventToJson(event: FlashEvent): Record<string, unknown> {
  const { type, ...rest } = event;
  return { event: type, ...rest };
}

/** The reporter for this context: JSON lines, TTY bars or plain lines. */
export function createReporter(ctx: CliContext): Reporter {
  if (ctx.json) {
    return { onEvent: (e) => ctx.emitJson(eventToJson(e)), finish: () => {} };
  }
  return ctx.io.isTTY ? createTtyReporter(ctx) : createPlainReporter(ctx);
}
