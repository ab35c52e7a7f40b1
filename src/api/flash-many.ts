// flashMany: the flash job on many boards at once. The plan is derived once, then `flashProject`
// runs per port (one connection each, at most `maxParallel` at a time), its events tagged with the
// port. A board that fails never stops the others; the result lists every board in `ports` order.
// The fast-reflash cache (chip + MAC) and the baud memory (port) stay per board.

import { EspflashError, UsageError } from '../errors.js';
import type { FlashEvent } from '../events.js';
import type { FlashSummary } from '../flash/write-plan.js';
import type { FlashPlan } from '../plan/types.js';
import { type FlashProjectOptions, flashProject, planProject } from './flash-project.js';

/** A flash event of one board. */
export type BoardEvent = FlashEvent & { port: string };

/** What happened on one board. */
export interface BoardResult {
  port: string;
  ok: boolean;
  /** The chip seen on the port (from `connected`; also set when the flash failed after connecting). */
  chip?: string;
  /** The board's MAC (successful flashes; null where unreadable). */
  mac?: string | null;
  summary?: FlashSummary;
  /** Why the board failed (`ok: false`): an EspflashError, or the thrown value wrapped as a bug. */
  error?: Error;
  /** Wall time of this board's job in milliseconds. */
  ms: number;
}

/** Options for {@link flashMany}: those of {@link flashProject} but one port per board. */
export interface FlashManyOptions
  extends Omit<FlashProjectOptions, 'port' | 'transport' | 'reopen' | 'prompt' | 'listPorts' | 'onEvent'> {
  /** The boards' ports (paths or URLs), each named once. */
  ports: readonly string[];
  /** Boards flashed at the same time (default: all of them). */
  maxParallel?: number;
  /** Every board's events, tagged with its port. */
  onEvent?: (event: BoardEvent) => void;
  /** Called as each board finishes (success or failure). */
  onBoardDone?: (result: BoardResult) => void;
}

/** What {@link flashMany} did. */
export interface FlashManyResult {
  plan: FlashPlan;
  /** One per port, in the order of `ports`. */
  boards: BoardResult[];
  /** True when every board landed. */
  ok: boolean;
}

/** Check the port list and the parallelism before anything is opened. */
function checkOptions(ports: readonly string[], maxParallel: number | undefined): number {
  if (ports.length === 0) {
    throw new UsageError('boards/no-ports', 'flashMany needs at least one port');
  }
  const seen = new Set<string>();
  for (const p of ports) {
    if (seen.has(p)) {
      throw new UsageError('boards/duplicate-port', `port ${p} is named twice`, { details: { port: p } });
    }
    seen.add(p);
  }
  if (maxParallel === undefined) return ports.length;
  if (!Number.isInteger(maxParallel) || maxParallel < 1) {
    throw new UsageError('boards/bad-max-parallel', `maxParallel ${maxParallel} is not a whole number >= 1`, {
      details: { maxParallel },
    });
  }
  return Math.min(maxParallel, ports.length);
}

/** Flash the same plan to every port concurrently; one board's failure never stops the others. */
export async function flashMany(options: FlashManyOptions): Promise<FlashManyResult> {
  const { ports, maxParallel, onEvent, onBoardDone, ...common } = options;
  const workers = checkOptions(ports, maxParallel);
  // One plan for all: a build problem fails before any board is touched.
  const plan = common.plan ?? (await planProject(common));
  const boards: BoardResult[] = new Array(ports.length);

  const runBoard = async (port: string): Promise<BoardResult> => {
    const started = Date.now();
    let chip: string | undefined;
    try {
      const { summary, board } = await flashProject({
        ...common,
        plan,
        port,
        onEvent: (event) => {
          if (event.type === 'connected') chip = event.chip;
          onEvent?.({ ...event, port });
        },
      });
      return { port, ok: true, chip: board.chip, mac: board.mac, summary, ms: Date.now() - started };
    } catch (err) {
      const error =
        err instanceof Error
          ? err
          : new EspflashError('boards/some-failed', `board ${port} failed: ${String(err)}`);
      return { port, ok: false, ...(chip === undefined ? {} : { chip }), error, ms: Date.now() - started };
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ports.length) {
      const index = next++;
      const port = ports[index] as string;
      const result = await runBoard(port);
      boards[index] = result;
      onBoardDone?.(result);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { plan, boards, ok: boards.every((b) => b.ok) };
}
