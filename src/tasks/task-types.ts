// The `tasks` config key: named tasks of ordered steps, as users write them (TaskStep) and as the
// runner walks them (Step: one `kind` per step, numbers parsed, composed tasks inlined).

/** An offset or size: a number, or text as the CLI takes it (`0x9000`, `36k`, `4M`). */
export type FlashNumber = number | string;

/** `{ flash: … }`: flash the build, with the options of `espflash flash`. */
export interface FlashStepOptions {
  /** Roles or partition labels to write (`--only`). */
  only?: string | string[];
  /** Write only regions up to this one (`--to`). */
  to?: string;
  /** Rewrite regions the device already holds (`--force`). */
  force?: boolean;
  /** Write whole regions, no fast reflash (`--full`). */
  full?: boolean;
}

/** Where a `write`/`read` step acts: a partition label or a flash offset. */
export type FlashTarget = { partition: string } | { offset: FlashNumber };

/** One step of a task, as written in the config (exactly one key). */
export type TaskStep =
  | { build: Record<string, never> }
  | { flash: FlashStepOptions }
  | { erase: 'all' | { partitions: string[] } | { offset: FlashNumber; size: FlashNumber } }
  | { write: FlashTarget & { file: string } }
  | { read: FlashTarget & { size?: FlashNumber; file: string } }
  | { reset: Record<string, never> }
  | { monitor: Record<string, never> }
  | { run: string | string[] }
  | { task: string };

/** A named task: what `espflash run <name>` does. */
export interface TaskDefinition {
  /** One line for `espflash run --list`. */
  description?: string;
  steps: TaskStep[];
}

/** The `tasks` config key. */
export type TasksConfig = Record<string, TaskDefinition>;

/** The step kinds, in the order the docs list them. */
export const STEP_KINDS = [
  'build',
  'flash',
  'erase',
  'write',
  'read',
  'reset',
  'monitor',
  'run',
  'task',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Steps that talk to the chip (consecutive ones share one connection). */
export const DEVICE_STEPS: ReadonlySet<StepKind> = new Set(['flash', 'erase', 'write', 'read', 'reset']);

/** A resolved place on flash: a label (looked up in the build's table) or an offset. */
export type Place = { partition: string } | { offset: number };

/** A step as the runner sees it (composed tasks already inlined). */
export type Step = (
  | { kind: 'build' }
  | { kind: 'flash'; only?: string[]; to?: string; force: boolean; full: boolean }
  | { kind: 'erase'; all: true }
  | { kind: 'erase'; partitions: string[] }
  | { kind: 'erase'; offset: number; size: number }
  | { kind: 'write'; at: Place; file: string }
  | { kind: 'read'; at: Place; size?: number; file: string }
  | { kind: 'reset' }
  | { kind: 'monitor' }
  | { kind: 'run'; command: string | string[] }
) & {
  /** Where it is written, e.g. `tasks.factory.steps[2]` (composed: the innermost task's path). */
  path: string;
};

/** One line describing a step, for events and messages (`write nvs ← factory_nvs.bin`). */
export function describeStep(step: Step): string {
  const at = (p: Place) => ('partition' in p ? p.partition : `0x${p.offset.toString(16)}`);
  switch (step.kind) {
    case 'flash':
      return `flash${step.only ? ` --only ${step.only.join(',')}` : ''}${step.to ? ` --to ${step.to}` : ''}`;
    case 'erase':
      if ('all' in step) return 'erase all';
      if ('partitions' in step) return `erase ${step.partitions.join(', ')}`;
      return `erase 0x${step.offset.toString(16)}+0x${step.size.toString(16)}`;
    case 'write':
      return `write ${at(step.at)} <- ${step.file}`;
    case 'read':
      return `read ${at(step.at)} -> ${step.file}`;
    case 'run':
      return `run ${typeof step.command === 'string' ? step.command : step.command.join(' ')}`;
    default:
      return step.kind;
  }
}
