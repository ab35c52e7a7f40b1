// `espflash run <task>`: run a task of the config's `tasks` (steps: build, flash, erase, write, read,
// reset, monitor, run, task); `--list` shows the tasks. Port, baud, before/after come from flags, env
// and the config as for every device command; files of write/read steps are relative to the config.

import type { Argv } from 'yargs';
import { openDevice } from '../../api/open-device.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { UsageError } from '../../errors.js';
import { runTask } from '../../tasks/run-task.js';
import type { TasksConfig } from '../../tasks/task-types.js';
import { unknownTask } from '../../tasks/validate-tasks.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { runCliBuild } from '../flows/build.js';
import { choosePortFor, deviceOptionsFrom, fastReflashFrom } from '../flows/device.js';
import { withDeviceInterrupt } from '../flows/interrupt.js';
import { resolveBoards, runPerBoard } from '../flows/many-boards.js';
import { keepSimChip, monitorAfterFlash } from '../flows/monitor.js';
import { portQuestion } from '../flows/port-prompt.js';
import { type TaskSetup, taskSetup } from '../flows/task.js';
import { createReporter } from '../reporter/reporter.js';
import { addDeviceOptions, addMaxParallelOption, addProjectOptions } from '../shared-options.js';

/** `espflash run --list`: one line per task, its description beside it. */
export function renderTaskList(tasks: TasksConfig): string {
  const names = Object.keys(tasks);
  if (names.length === 0) return 'No tasks defined (add `tasks` to espflash.config.ts).';
  const width = Math.max(...names.map((n) => n.length));
  return names
    .map((n) => `  ${n.padEnd(width)}  ${tasks[n]!.description ?? `${tasks[n]!.steps.length} step(s)`}`)
    .join('\n');
}

export const runCommand = defineCommand({
  command: 'run [task]',
  describe: 'Run a task from the config (`tasks`: erase, flash, write, run a command…); --list lists them',
  examples: [
    ['$0 run --list', 'List the tasks espflash.config.ts defines'],
    ['$0 run factory --port /dev/ttyUSB0', 'Run the "factory" task on /dev/ttyUSB0'],
  ],
  builder: (y: Argv) =>
    addMaxParallelOption(addDeviceOptions(addProjectOptions(y)))
      .positional('task', { type: 'string', describe: 'Name of the task (a key of `tasks` in the config)' })
      .option('list', { type: 'boolean', default: false, describe: 'List the tasks and their descriptions' }),
  // `espflash run --help` lists this project's tasks (the config found from the working directory).
  helpEpilogue: async (cwd) => {
    const { loadConfig } = await import('../../config/load-config.js');
    const tasks = (await loadConfig({ cwd }))?.config.tasks as TasksConfig | undefined;
    return tasks && Object.keys(tasks).length
      ? `Tasks in this project:\n${renderTaskList(tasks)}`
      : undefined;
  },
  handler: async (args, ctx) => {
    const { resolved, ports, maxParallel } = await resolveBoards(args, ctx);
    const tasks = resolved.tasks ?? {};
    const file = resolved.configFile ?? undefined;
    if (args.list) {
      if (ctx.json)
        ctx.emitJson({
          event: 'tasks',
          tasks: Object.entries(tasks).map(([name, t]) => ({
            name,
            description: t.description ?? null,
            steps: t.steps,
          })),
        });
      else ctx.print(renderTaskList(tasks));
      return 0;
    }
    if (args.task === undefined) throw noTaskNamed(tasks, file);
    const name = args.task;
    const setup = await taskSetup(resolved, ctx, name);
    if (ports) return runTaskOnBoards(resolved, ctx, { setup, ports, maxParallel });
    const settings = deviceOptionsFrom(resolved);
    const port = resolved.port?.value;
    const reporter = createReporter(ctx);
    try {
      const result = await withDeviceInterrupt((signal) =>
        runTask({
          ...setup,
          after: settings.after,
          fastReflash: fastReflashFrom(resolved),
          env: ctx.io.env,
          signal,
          onEvent: reporter.onEvent,
          onOutput: (line) => {
            if (!ctx.json) ctx.io.stderr(`${line}\n`);
          },
          open: () =>
            openDevice({
              ...settings,
              ...(port === undefined ? portQuestion(resolved, ctx) : { port }),
              logger: ctx.logger,
              onEvent: reporter.onEvent,
              signal,
            }),
          build: async () => {
            reporter.finish();
            await runCliBuild(resolved, ctx);
          },
          monitor: async (seen) => {
            reporter.finish();
            const where = seen ?? port ?? (await choosePortFor(resolved, ctx)).port;
            await monitorAfterFlash(resolved, ctx, keepSimChip(where));
          },
        }),
      );
      reporter.finish();
      if (ctx.json) ctx.emitJson({ event: 'task-done', ...result });
      else
        ctx.print(
          `Task ${name}: ${result.steps.length} step(s) done${result.mac ? ` on ${result.chip} ${result.mac}` : ''}`,
        );
      return 0;
    } finally {
      reporter.finish();
    }
  },
});

function noTaskNamed(tasks: TasksConfig, file: string | undefined): UsageError {
  const err = unknownTask(tasks, '', file);
  const names = Object.keys(tasks);
  return new UsageError(
    'task/unknown',
    names.length
      ? `Name a task to run: ${names.join(', ')}`
      : err.message.replace("No task ''", 'No task named'),
    { ...(err.hint ? { hint: err.hint } : {}), details: err.details },
  );
}

/**
 * The task on every board at once (`--port` several times, `--port all`, a config list): a `build`
 * step runs once before the boards start, the other steps per board with their own connection; a
 * `monitor` step watches one board, so it is refused.
 */
async function runTaskOnBoards(
  resolved: ResolvedOptions,
  ctx: CliContext,
  options: { setup: TaskSetup; ports: string[]; maxParallel: number | undefined },
): Promise<number> {
  const { setup, ports } = options;
  if (setup.steps.some((s) => s.kind === 'monitor')) {
    throw new UsageError(
      'boards/one-port-only',
      `task ${setup.task} has a monitor step, which watches one board`,
      {
        hint: 'run it with one --port, or drop the monitor step from the task for many boards',
      },
    );
  }
  if (setup.steps.some((s) => s.kind === 'build')) await runCliBuild(resolved, ctx);
  const settings = deviceOptionsFrom(resolved);
  const { taskOnPort } = await import('../../tasks/run-task-many.js');
  return runPerBoard(ctx, {
    ports,
    maxParallel: options.maxParallel,
    verb: `task ${setup.task}`,
    run: (port, onEvent, signal) =>
      taskOnPort(
        {
          ...setup,
          after: settings.after,
          fastReflash: fastReflashFrom(resolved),
          env: ctx.io.env,
          signal,
          onOutput: (line) => {
            if (!ctx.json) ctx.io.stderr(`[${port}] ${line}\n`);
          },
          build: async () => {}, // ran once, before the boards
        },
        { ...settings, logger: ctx.logger },
      )(port, onEvent),
    json: (result) => ({ event: 'task-done', ...result }),
    render: (result) =>
      `Task ${result.task}: ${result.steps.length} step(s) done${result.mac ? ` on ${result.chip} ${result.mac}` : ''}`,
  });
}
