// What a task would do, step by step, without a device: the regions each flash step writes (from its
// flash plan), the range each write/erase/read step touches (labels resolved in the build's table
// where there is one), and the commands. `espflash plan --task <name>` prints it.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { findPartitionByLabel } from '../partition/lookup.js';
import type { Prepared } from './run-task.js';
import { describeStep, type Place, type Step } from './task-types.js';

/** One range of flash a step touches. */
export interface TaskRange {
  offset: number | null;
  size: number | null;
  /** Partition label, when the step names one (or the plan region has one). */
  label: string | null;
  /** The file written from or read into (absolute). */
  file: string | null;
  /** Plan role of a flash region (`bootloader`, `app`…). */
  role?: string;
}

/** One step of a task plan. */
export interface TaskPlanStep {
  index: number;
  kind: Step['kind'];
  description: string;
  /** Where the step came from in the config (`tasks.factory.steps[2]`). */
  path: string;
  /** What it writes (flash, write), erases (erase) or reads (read); empty for the others. */
  ranges: TaskRange[];
  /** Flash steps after a build step: their plan is derived when the build has run. */
  planAfterBuild?: boolean;
}

/** The plan of a task: every step, what it touches and where. */
export function taskPlan(options: { steps: Step[]; prepared: Prepared; baseDir: string }): TaskPlanStep[] {
  const { prepared, baseDir } = options;
  const place = (at: Place, size: number | null): Omit<TaskRange, 'file'> => {
    if ('offset' in at) return { offset: at.offset, size, label: null };
    const part = prepared.table ? findPartitionByLabel(prepared.table.table, at.partition) : null;
    return { offset: part?.offset ?? null, size: size ?? part?.size ?? null, label: at.partition };
  };
  return options.steps.map((step, index): TaskPlanStep => {
    const base = { index, kind: step.kind, description: describeStep(step), path: step.path, ranges: [] };
    switch (step.kind) {
      case 'flash': {
        const plan = prepared.plans.get(index);
        if (!plan) return { ...base, planAfterBuild: true };
        return {
          ...base,
          ranges: plan.regions.map((r) => ({
            offset: r.offset,
            size: r.size,
            label: r.label,
            file: r.file,
            role: r.role,
          })),
        };
      }
      case 'write': {
        // The bytes written are the file's (made by an earlier step when it is not there yet).
        const file = resolve(baseDir, step.file);
        const size = existsSync(file) ? statSync(file).size : null;
        return { ...base, ranges: [{ ...place(step.at, null), size, file }] };
      }
      case 'read':
        return {
          ...base,
          ranges: [{ ...place(step.at, step.size ?? null), file: resolve(baseDir, step.file) }],
        };
      case 'erase':
        if ('all' in step) return { ...base, ranges: [{ offset: 0, size: null, label: null, file: null }] };
        if ('partitions' in step)
          return {
            ...base,
            ranges: step.partitions.map((p) => ({ ...place({ partition: p }, null), file: null })),
          };
        return { ...base, ranges: [{ offset: step.offset, size: step.size, label: null, file: null }] };
      default:
        return base;
    }
  });
}
