// Turns any thrown value into what the user sees: `code: message`, a hint line, the cause with
// --verbose; JSON in --json mode. Non-espflash errors are bugs: stack plus "please report".

import { exitStatus, isEspflashError } from '../errors.js';
import { painter } from './color.js';
import { type CliContext, jsonLine } from './context.js';

/** Where bugs go (package.json `bugs.url`). */
export const BUGS_URL = 'https://github.com/espflash-ts/espflash/issues';

/** Render `err` and return the exit code to use (the code table's exit status; 70 for a bug). */
export function renderError(
  err: unknown,
  ctx: Pick<CliContext, 'io' | 'json' | 'verbose' | 'color'> & { stderrColor?: boolean },
): number {
  // Errors go to stderr: its colour decides (`color` alone for callers that have only one).
  const paint = painter(ctx.stderrColor ?? ctx.color);
  const red = (t: string) => paint('red', t);
  const bold = (t: string) => paint('bold', t);
  if (isEspflashError(err)) {
    if (ctx.json) {
      ctx.io.stdout(jsonLine({ event: 'error', ...err.toJSON() }));
    } else {
      let text = `${red('error')} ${bold(err.code)}: ${err.message}\n`;
      if (err.hint) text += `  hint: ${err.hint}\n`;
      if (ctx.verbose) {
        if (err.cause !== undefined) text += `  cause: ${describeCause(err.cause)}\n`;
        if (err.stack) text += `${err.stack}\n`;
      }
      ctx.io.stderr(text);
    }
    return exitStatus(err);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (ctx.json) {
    ctx.io.stdout(jsonLine({ event: 'error', code: 'internal', message }));
  }
  const stack = err instanceof Error && err.stack ? err.stack : message;
  ctx.io.stderr(
    `${red('internal error')}: ${message}\n${stack}\n` +
      `This is a bug in espflash. Please report it at ${BUGS_URL} with the command line and this output.\n`,
  );
  return exitStatus(err);
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
