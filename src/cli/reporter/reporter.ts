// Picks how FlashEvents are shown: NDJSON with --json, redrawn bars when stderr (where progress
// goes) is a terminal, plain lines otherwise (`2>flash.log` gets no cursor escapes).

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

/** One event as an NDJSON object: the library's `type`, `event` as its (deprecated) alias, the rest. */
export function eventToJson(event: FlashEvent): Record<string, unknown> {
  const { type, ...rest } = event;
  return { type, event: type, ...rest };
}

/** The reporter for this context: JSON lines, TTY bars or plain lines. */
export function createReporter(ctx: CliContext): Reporter {
  if (ctx.json) {
    return { onEvent: (e) => ctx.emitJson(eventToJson(e)), finish: () => {} };
  }
  return ctx.io.stderrTTY ? createTtyReporter(ctx) : createPlainReporter(ctx);
}
