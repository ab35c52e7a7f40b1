// CLI flow for many boards at once: the port list from `--port` given several times, `--port all`
// (every port that looks like an ESP board) or the config's port list, then flashMany (flash) or one
// device job per board (board-info, erase-flash) with per-board progress, Ctrl+C and the summary
// table; exit 1 (`boards/some-failed`) when any board failed.

import type { Device } from '../../api/device.js';
import { type BoardOutcome, eachBoard } from '../../api/each-board.js';
import { flashMany } from '../../api/flash-many.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { EspflashError, UsageError } from '../../errors.js';
import type { FlashEvent } from '../../events.js';
import type { CliContext } from '../context.js';
import { boardError, createBoardsReporter } from '../reporter/boards-reporter.js';
import { renderBoardsTable } from '../reporter/boards-table.js';
import { type CliArgs, portFlags, resolveCliOptions } from '../shared-options.js';
import { deviceOptionsFrom } from './device.js';
import { type FlashJobFlags, flashJobOptions } from './flash-job.js';
import { withDeviceInterrupt } from './interrupt.js';

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
        ...flashJobOptions(resolved, ctx, flags),
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
  failIfAny(result.boards);
  return 0;
}

/** Resolved options plus the boards when the command was given several (flags or the config list). */
export interface Boards {
  resolved: ResolvedOptions;
  /** The boards' ports, or null for one board (the usual flow). */
  ports: string[] | null;
  /** `--max-parallel` (commands without it: undefined = all boards at once). */
  maxParallel: number | undefined;
}

/** {@link Boards} from the command's args: `--port` several times or `all`, else the config's list. */
export async function resolveBoards(
  args: CliArgs & { maxParallel?: unknown },
  ctx: CliContext,
): Promise<Boards> {
  const flagPorts = await manyPorts(args.port);
  const resolved = await resolveCliOptions(flagPorts ? { ...args, port: undefined } : args, ctx, {
    manyPorts: true,
  });
  return {
    resolved,
    ports: flagPorts ?? resolved.ports?.value ?? null,
    maxParallel: maxParallelFlag(args.maxParallel),
  };
}

/** Throw `boards/some-failed` when any board failed. */
function failIfAny(boards: readonly { port: string; ok: boolean }[]): void {
  const failed = boards.filter((b) => !b.ok);
  if (failed.length === 0) return;
  throw new EspflashError(
    'boards/some-failed',
    `${failed.length} of ${boards.length} boards failed: ${failed.map((b) => b.port).join(', ')}`,
    { details: { ports: failed.map((b) => b.port) } },
  );
}

/**
 * A device command on every board: open each port (settings from `resolved`), run `job`, reset per
 * --after, close; per-board progress, then each board's `render`ed result (or JSON with its port) and
 * the summary table. Returns the exit status (throws `boards/some-failed` when any failed).
 */
export async function runOnBoards<T>(
  boards: Boards & { ports: string[] },
  ctx: CliContext,
  options: {
    verb: string;
    job: (device: Device) => Promise<T>;
    json: (value: T) => Record<string, unknown>;
    render: (value: T) => string;
  },
): Promise<number> {
  const settings = deviceOptionsFrom(boards.resolved);
  const { openDevice } = await import('../../api/open-device.js');
  return runPerBoard(ctx, {
    ...options,
    ports: boards.ports,
    maxParallel: boards.maxParallel,
    run: async (port, onEvent, signal) => {
      const device = await openDevice({ ...settings, port, logger: ctx.logger, onEvent, signal });
      try {
        const value = await options.job(device);
        await device.reset(settings.after);
        return value;
      } finally {
        await device.close();
      }
    },
  });
}

/**
 * Any per-board job on every board (`run` gets the port, its event sink and the Ctrl+C signal):
 * per-board progress, each board's `render`ed result (or JSON with its port), the summary table.
 * Returns the exit status (throws `boards/some-failed` when any failed).
 */
export async function runPerBoard<T>(
  ctx: CliContext,
  options: {
    ports: string[];
    maxParallel?: number | undefined;
    verb: string;
    run: (port: string, onEvent: (e: FlashEvent) => void, signal: AbortSignal) => Promise<T>;
    json: (value: T) => Record<string, unknown>;
    render: (value: T) => string;
  },
): Promise<number> {
  const { ports } = options;
  const reporter = createBoardsReporter(ctx, ports);
  const started = Date.now();
  let outcomes: BoardOutcome<T>[];
  try {
    outcomes = await withDeviceInterrupt((signal) =>
      eachBoard<T>({
        ports,
        ...(options.maxParallel === undefined ? {} : { maxParallel: options.maxParallel }),
        onEvent: (e) => reporter.onEvent(e),
        onBoardDone: (o) => reporter.boardDone(o),
        run: (port, onEvent) => options.run(port, onEvent, signal),
      }),
    );
  } finally {
    reporter.finish();
  }
  const wallMs = Date.now() - started;
  for (const o of outcomes) {
    if (!o.ok) continue;
    if (ctx.json) ctx.emitJson({ ...options.json(o.value as T), port: o.port });
    else ctx.print(`== ${o.port}\n${options.render(o.value as T)}\n`);
  }
  if (ctx.json) {
    ctx.emitJson({
      event: 'boards-summary',
      ms: wallMs,
      boards: outcomes.map((b) => ({
        port: b.port,
        ok: b.ok,
        chip: b.chip ?? null,
        ms: b.ms,
        ...(b.error ? { error: boardError(b), code: (b.error as { code?: string }).code ?? null } : {}),
      })),
    });
  } else {
    ctx.print(
      renderBoardsTable(outcomes, wallMs, {
        verb: options.verb,
        result: (r) => (r.ok ? 'ok' : `FAILED ${boardError(r)}`),
      }),
    );
  }
  failIfAny(outcomes);
  return 0;
}
