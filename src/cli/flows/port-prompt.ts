// The CLI's answer to "several boards are plugged in": in a terminal (stdin and stderr TTYs, `CI`
// unset, no --json) a numbered list on stderr and a number read from stdin; elsewhere no prompt, so
// choosePort refuses with `port/ambiguous`. The answer is remembered per project (port-memory.ts).

import { resolve } from 'node:path';
import type { PortPrompt } from '../../api/choose-port.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { espflashCacheDir } from '../../node/baud-memory.js';
import type { PortInfo } from '../../node/port-list.js';
import { createPortMemory, type PortMemory } from '../../node/port-memory.js';
import type { CliContext } from '../context.js';
import type { CliIo } from '../io.js';

/** Wrong answers before the question gives up (then `port/ambiguous`). */
const MAX_TRIES = 3;

/** Whether the CLI may ask: stdin and stderr are terminals, not CI, not --json. */
export function canPrompt(ctx: CliContext): boolean {
  const env = ctx.io.env.CI;
  const ci = env !== undefined && env !== '' && env !== '0' && env.toLowerCase() !== 'false';
  return !ctx.json && !ci && Boolean(ctx.io.stdin?.isTTY) && Boolean(ctx.io.stderrTTY);
}

/** The numbered list the question shows. */
export function renderPortChoices(candidates: readonly PortInfo[]): string {
  const width = Math.max(...candidates.map((p) => p.path.length));
  const rows = candidates.map(
    (p, i) => `  ${i + 1}) ${p.path.padEnd(width)}${p.description ? `  ${p.description}` : ''}`,
  );
  return `Several ESP boards are plugged in:\n${rows.join('\n')}\n`;
}

/** A prompt reading answers from `io.stdin` (lines), asking on `io.stderr`. */
export function createStdinPortPrompt(io: Pick<CliIo, 'stdin' | 'stderr'>): PortPrompt {
  return async (candidates, { signal }) => {
    const stdin = io.stdin;
    if (!stdin) return null;
    io.stderr(renderPortChoices(candidates));
    const question = `Which one? [1-${candidates.length}] `;
    io.stderr(question);
    return new Promise<PortInfo | null>((done, fail) => {
      let buffered = '';
      let tries = 0;
      const finish = (result: PortInfo | null, err?: unknown) => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        signal?.removeEventListener('abort', onAbort);
        stdin.pause();
        if (err !== undefined) fail(err);
        else done(result);
      };
      const onData = (chunk: Buffer | string) => {
        buffered += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          const n = /^\d+$/.test(line) ? Number(line) : Number.NaN;
          const picked = candidates[n - 1];
          if (picked) return finish(picked);
          if (++tries >= MAX_TRIES) {
            io.stderr('\n');
            return finish(null);
          }
          io.stderr(`Type a number from 1 to ${candidates.length}. ${question}`);
        }
      };
      const onEnd = () => finish(null);
      const onAbort = () => finish(null, signal?.reason);
      if (signal?.aborted) return onAbort();
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      signal?.addEventListener('abort', onAbort, { once: true });
      stdin.resume();
    });
  };
}

/** The project directory the answer is remembered for: --project/-C (env, config), else the working directory. */
export function portMemoryFor(resolved: ResolvedOptions, ctx: CliContext): PortMemory {
  const projectDir = resolve(ctx.io.cwd, resolved.project?.value ?? ctx.io.cwd);
  return createPortMemory({ projectDir, dir: espflashCacheDir(ctx.io.env) });
}

/** choosePort/openDevice options for the port question: the prompt (in a terminal) and the memory. */
export function portQuestion(
  resolved: ResolvedOptions,
  ctx: CliContext,
): { prompt?: PortPrompt; portMemory: PortMemory } {
  return {
    ...(canPrompt(ctx) ? { prompt: createStdinPortPrompt(ctx.io) } : {}),
    portMemory: portMemoryFor(resolved, ctx),
  };
}
