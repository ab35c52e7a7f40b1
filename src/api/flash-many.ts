// flashMany: the flash job on many boards at once. The plan is derived once, then `flashProject`
// runs per port (one connection each, at most `maxParallel` at a time), its events tagged with the
// port. A board that fails never stops the others; the result lists every board in `ports` order.
// The fast-reflash cache (chip + MAC) and the baud memory (port) stay per board.

import type { FlashSummary } from '../flash/write-plan.js';
import type { FlashPlan } from '../plan/types.js';
import { type BoardEvent, type BoardOutcome, checkBoards, eachBoard } from './each-board.js';
import {
  type FlashProjectOptions,
  type FlashProjectResult,
  flashProject,
  planProject,
} from './flash-project.js';

export type { BoardEvent } from './each-board.js';

/** What happened on one board. */
export interface BoardResult {
  port: string;
  ok: boolean;
  /** The chip seen on the port (from `connected`; also set when the flash failed after connecting). */
  chip?: string;
  /** The board's MAC (successful flashes; null where unreadable). */
  mac?: string | null;
  summary?: FlashSummary;
  /** Why the board failed (`ok: false`). */
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

/** Flash the same plan to every port concurrently; one board's failure never stops the others. */
export async function flashMany(options: FlashManyOptions): Promise<FlashManyResult> {
  const { ports, maxParallel, onEvent, onBoardDone, ...common } = options;
  checkBoards(ports, maxParallel);
  // One plan for all: a build problem fails before any board is touched.
  const plan = common.plan ?? (await planProject(common));
  const toResult = ({ value, ...rest }: BoardOutcome<FlashProjectResult>): BoardResult =>
    value ? { ...rest, chip: value.board.chip, mac: value.board.mac, summary: value.summary } : rest;
  const outcomes = await eachBoard<FlashProjectResult>({
    ports,
    ...(maxParallel === undefined ? {} : { maxParallel }),
    ...(onEvent ? { onEvent } : {}),
    ...(onBoardDone ? { onBoardDone: (o) => onBoardDone(toResult(o)) } : {}),
    run: (port, sink) => flashProject({ ...common, plan, port, onEvent: sink }),
  });
  const boards = outcomes.map(toResult);
  return { plan, boards, ok: boards.every((b) => b.ok) };
}
