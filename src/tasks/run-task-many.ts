// runTaskMany: a config task on many boards at once, the task counterpart of flashMany: every board
// gets its own connection (opened with the given device options on its port) and runs the steps; the
// events carry the port; one board's failure never stops the others.

import { type BoardEvent, type BoardOutcome, checkBoards, eachBoard } from '../api/each-board.js';
import { type OpenDeviceOptions, openDevice } from '../api/open-device.js';
import type { FlashEventSink } from '../events.js';
import { type RunTaskOptions, type RunTaskResult, runTask } from './run-task.js';

/** Options for {@link runTaskMany}. */
export interface RunTaskManyOptions {
  /** The boards' ports, each named once. */
  ports: readonly string[];
  /** Boards at the same time (default: all). */
  maxParallel?: number;
  /** The task, as for {@link runTask}, without its device: each board opens its own. */
  task: Omit<RunTaskOptions, 'open' | 'onEvent'>;
  /** How each board is opened (its `port` is set per board). */
  device?: Omit<OpenDeviceOptions, 'port' | 'onEvent' | 'signal'>;
  /** Every board's events, tagged with its port. */
  onEvent?: (event: BoardEvent) => void;
  onBoardDone?: (outcome: BoardOutcome<RunTaskResult>) => void;
}

/** The task on one board: its own connection, opened on `port` with the given device options. */
export function taskOnPort(
  task: Omit<RunTaskOptions, 'open' | 'onEvent'>,
  device: Omit<OpenDeviceOptions, 'port' | 'onEvent' | 'signal'> = {},
): (port: string, onEvent: FlashEventSink) => Promise<RunTaskResult> {
  const { signal } = task;
  return (port, onEvent) =>
    runTask({
      ...task,
      onEvent,
      open: () => openDevice({ ...device, port, onEvent, ...(signal ? { signal } : {}) }),
    });
}

/** Run the task on every port concurrently; resolves with one outcome per port, in `ports` order. */
export async function runTaskMany(options: RunTaskManyOptions): Promise<BoardOutcome<RunTaskResult>[]> {
  checkBoards(options.ports, options.maxParallel);
  return eachBoard<RunTaskResult>({
    ports: options.ports,
    ...(options.maxParallel === undefined ? {} : { maxParallel: options.maxParallel }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.onBoardDone ? { onBoardDone: options.onBoardDone } : {}),
    run: taskOnPort(options.task, options.device),
  });
}
