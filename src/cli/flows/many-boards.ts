// CLI flow for many boards at once: the port list from `--port` given several times or `--port all`
// (every port that looks like an ESP board), then flashMany with per-board progress, Ctrl+C and the
// summary table; exit 1 (`boards/some-failed`) when any board failed.

import { flashMany } from '../../api/flash-many.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { EspflashError, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { boardError, createBoardsReporter } from '../reporter/boards-reporter.js';
import { renderBoardsTable } from '../reporter/boards-table.js';
import { planOverrides, portFlags } from '../shared-options.js';
import { fastReflashFrom, linkOptionsFrom } from './device.js';
import type { FlashJobFlags } from './flash-job.js';
import { withDeviceInterrupt } from './interrupt.js';
import { buildLocation } from './plan.js';

/** Lists the machine's ports (tests inject one). */
export type ManyPortLister = () => Promise<{ path: string; likelyEspressif: boolean }[]>;

/**
 * The boards' ports when `--port` asks for many (given more than once, or `all`), else null (one
 * board: the usual flow). `all` expands to every likely ESP board; finding none is `boards/no-ports`.
 */
export async function manyPorts(value: unknown, list?: ManyPortLister): Promise<string[] | null> {
  const given = portFlags(value);
  if (given.length < 2 && given[0] !== 'all') return null;
  const out: string[] = [];
  for (const p of given) {
    if (p !== 'all') {
      out.push(p);
      continue;
    }
    const lister = list ?? (async () => (await import('../../node/port-list.js')).listPorts());
    const found = (await lister()).filter((x) => x.likelyEspressif).map((x) => x.path);
    if (found.length === 0) {
      throw new UsageError('boards/no-ports', 'no port looks like an ESP board (--port all)', {
        hint: 'plug the boards in, or name each with --port <port> (espflash list-ports shows them)',
      });
    }
    out.push(...found.filter((f) => !out.includes(f)));
  }
  return out;
}

/** Parse --max-parallel (a whole number >= 1), or undefined when not given. */
export function maxParallelFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(
      'boards/bad-max-parallel',
      `--max-parallel ${String(value)} is not a whole number >= 1`,
    );
  }
  return n;
}

/** Flash every port with the CLI's per-board progress and summary; returns the exit status. */
export async function runManyBoards(
  resolved: ResolvedOptions,
  ctx: CliContext,
  options: { ports: string[]; maxParallel?: number | undefined; flags: FlashJobFlags },
): Promise<number> {
  const { ports, flags } = options;
  const reporter = createBoardsReporter(ctx, ports);
  const started = Date.now();
  let result: Awaited<ReturnType<typeof flashMany>>;
  try {
    result = await withDeviceInterrupt((signal) =>
      flashMany({
        ports,
        ...(options.maxParallel === undefined ? {} : { maxParallel: options.maxParallel }),
        ...buildLocation(resolved, ctx),
        overrides: planOverrides(resolved, flags),
        allowStale: flags.allowStale,
        allowBadImages: flags.force,
        force: flags.force,
        fastReflash: fastReflashFrom(resolved, { full: flags.full || flags.force }),
        ...(flags.compress === undefined ? {} : { compress: flags.compress }),
        ...linkOptionsFrom(resolved),
        logger: ctx.logger,
        signal,
        onEvent: (e) => reporter.onEvent(e),
        onBoardDone: (r) => reporter.boardDone(r),
      }),
    );
  } finally {
    reporter.finish();
  }
  const wallMs = Date.now() - started;
  if (ctx.json) {
    ctx.emitJson({
      event: 'boards-summary',
      ms: wallMs,
      boards: result.boards.map((b) => ({
        port: b.port,
        ok: b.ok,
        chip: b.chip ?? null,
        mac: b.mac ?? null,
        ms: b.ms,
        ...(b.summary ? { bytesWritten: b.summary.bytesWritten } : {}),
        ...(b.error ? { error: boardError(b), code: (b.error as { code?: string }).code ?? null } : {}),
      })),
    });
  } else ctx.print(renderBoardsTable(result.boards, wallMs));
  const failed = result.boards.filter((b) => !b.ok);
  if (failed.length > 0) {
    throw new EspflashError(
      'boards/some-failed',
      `${failed.length} of ${ports.length} boards failed: ${failed.map((b) => b.port).join(', ')}`,
      { details: { ports: failed.map((b) => b.port) } },
    );
  }
  return 0;
}
