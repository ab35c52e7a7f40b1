// CLI flow shared by `espflash run <task>` and `espflash plan --task <task>`: the task's steps from the
// config, where its files live, the build, and how each flash step's plan is derived (its only/to
// applied to the flags, env and config the command resolved).

import { dirname, resolve } from 'node:path';
import { planProject } from '../../api/flash-project.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import type { RunTaskOptions } from '../../tasks/run-task.js';
import type { Step } from '../../tasks/task-types.js';
import { expandTask } from '../../tasks/validate-tasks.js';
import type { CliContext } from '../context.js';
import { planOverrides } from '../shared-options.js';
import { buildLocation, findBuildDir } from './plan.js';

/** What the task runner needs that does not touch a device. */
export type TaskSetup = Pick<RunTaskOptions, 'task' | 'baseDir' | 'projectDir' | 'buildDir' | 'planFor'> & {
  steps: Step[];
};

/** The task `name` of the resolved config, ready for `prepareTask`/`runTask`. */
export async function taskSetup(
  resolved: ResolvedOptions,
  ctx: CliContext,
  name: string,
): Promise<TaskSetup> {
  const file = resolved.configFile ?? undefined;
  const steps = expandTask({ tasks: resolved.tasks ?? {}, name, ...(file ? { file } : {}) });
  const baseDir = file ? dirname(file) : ctx.io.cwd;
  return {
    task: name,
    steps,
    baseDir,
    projectDir: resolved.project ? resolve(baseDir, resolved.project.value) : baseDir,
    buildDir: await findBuildDir(resolved, ctx),
    planFor: (step) =>
      planProject({
        ...buildLocation(resolved, ctx),
        overrides: planOverrides(resolved, {
          ...(step.only ? { only: step.only.join(',') } : {}),
          ...(step.to ? { to: step.to } : {}),
        }),
        logger: ctx.logger,
        allowBadImages: step.force,
      }),
  };
}
