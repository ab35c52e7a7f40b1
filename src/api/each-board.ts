// eachBoard: run one job per port concurrently (at most `maxParallel` at a time), each job's events
// tagged with its port; a job that fails never stops the others. The pool under flashMany and the
// CLI's device commands over several ports.

import { UsageError } from '../errors.js';
import type { FlashEvent, FlashEventSink } from '../events.js';

/** A flash event of one board. */
export type BoardEvent = FlashEvent & { port: string };

/** What one board's job did. */
export interface BoardOutcome<T> {
  port: string;
  ok: boolean;
  /** The job's result (`ok: true`). */
  value?: T;
  /** The chip seen on the port (from `connected`), also when the job failed after connecting. */
  chip?: string;
  /** Why the board failed (`ok: false`). */
  error?: Error;
  /** Wall time of this board's job in milliseconds. */
  ms: number;
}

/** Options for {@link eachBoard}. */
export interface EachBoardOptions<T> {
  /** The boards' ports, each named once. */
  ports: readonly string[];
  /** Boards at work at the same time (default: all of them). */
  maxParallel?: number;
  /** Every board's events, tagged with its port. */
  onEvent?: (event: BoardEvent) => void;
  /** Called as each board finishes (success or failure). */
  onBoardDone?: (outcome: BoardOutcome<T>) => void;
  /** The job on one port; it sends its events to `onEvent` (tagged here). */
  run: (port: string, onEvent: FlashEventSink) => Promise<T>;
}

/** Check the port list and the parallelism before anything is opened; returns the worker count. */
export function checkBoards(ports: readonly string[], maxParallel: number | undefined): number {
  if (ports.length === 0) {
    throw new UsageError('boards/no-ports', 'no ports given for many boards');
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

/** Run `run` on every port; resolves with one outcome per port, in the order of `ports`. */
export async function eachBoard<T>(options: EachBoardOptions<T>): Promise<BoardOutcome<T>[]> {
  const { ports, onEvent, onBoardDone, run } = options;
  const workers = checkBoards(ports, options.maxParallel);
  const outcomes: BoardOutcome<T>[] = new Array(ports.length);
  const runBoard = async (port: string): Promise<BoardOutcome<T>> => {
    const started = Date.now();
    let chip: string | undefined;
    const sink: FlashEventSink = (event) => {
      if (event.type === 'connected') chip = event.chip;
      onEvent?.({ ...event, port });
    };
    try {
      const value = await run(port, sink);
      return { port, ok: true, value, ...(chip === undefined ? {} : { chip }), ms: Date.now() - started };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return { port, ok: false, ...(chip === undefined ? {} : { chip }), error, ms: Date.now() - started };
    }
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ports.length) {
      const index = next++;
      const outcome = await runBoard(ports[index] as string);
      outcomes[index] = outcome;
      onBoardDone?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return outcomes;
}
