// Runs one task's steps in order. Before any device is touched: the flash plans are derived, partition
// labels checked against the build's table and the files to write found (`prepareTask`). Then device
// steps that follow each other share one connection (opened on the first, closed before a `run`,
// `build` or `monitor` step, reset per `after` at the end); a `run` step gets ESPFLASH_PORT/CHIP/MAC/
// BUILD_DIR. A failed step stops the task with its own coded error, `details` naming the step and
// the steps done. Progress: `task-step-start`/`task-step-done` events (the library never prints).

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Device } from '../api/device.js';
import { loadPartitionTable, partitionByLabel } from '../api/partitions.js';
import { runBuild } from '../build/run-build.js';
import { readMac } from '../core/ops/read-mac.js';
import { hex } from '../core/protocol/bytes.js';
import type { AfterReset } from '../core/settings.js';
import { EspflashError, isEspflashError, UsageError } from '../errors.js';
import { type FlashEventSink, ignoreEvents } from '../events.js';
import { decodePartitionTable } from '../partition/binary.js';
import type { Partition, PartitionTable } from '../partition/types.js';
import type { FlashPlan } from '../plan/types.js';
import { DEVICE_STEPS, describeStep, type Place, type Step } from './task-types.js';

type FlashStep = Extract<Step, { kind: 'flash' }>;

/** What the runner needs; the CLI fills it from flags, env and the config. */
export interface RunTaskOptions {
  /** Task name (events and error details). */
  task: string;
  /** The task's steps (from `expandTask`). */
  steps: Step[];
  /** Where `file`s of write/read steps are relative to (the config's folder). */
  baseDir: string;
  /** Working directory of `run` steps (the project). */
  projectDir: string;
  /** The ESP-IDF build directory (its partition table checks labels), or null when there is none. */
  buildDir: string | null;
  /** The flash plan for a flash step (its only/to applied); called before the device is opened. */
  planFor: (step: FlashStep) => Promise<FlashPlan>;
  /** Open the device (the caller's port, baud, before, stub …). */
  open: () => Promise<Device>;
  /** How the chip is reset after the last device step and on a `reset` step. */
  after: AfterReset;
  /** Fast reflash for flash steps without `full`/`force` (see `flashProject`). */
  fastReflash?: boolean | { dir?: string };
  /** Run the project's build (`build` steps); without it a build step fails with `task/step-failed`. */
  build?: () => Promise<void>;
  /** Show the serial output until the user quits (`monitor` steps); without it: `task/monitor-unavailable`. */
  monitor?: (port: string | null) => Promise<void>;
  /** Environment for `run` steps (default `process.env`); the ESPFLASH_* variables are added. */
  env?: Record<string, string | undefined>;
  /** Output lines of `run` steps. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  onEvent?: FlashEventSink;
  signal?: AbortSignal;
  /** Partition table offset on flash when labels are read from the device (default 0x8000). */
  partitionTableOffset?: number;
}

/** What a finished task did. */
export interface RunTaskResult {
  task: string;
  steps: Array<{ index: number; kind: Step['kind']; description: string; ms: number }>;
  /** What the device said about itself, when a device step ran. */
  port: string | null;
  chip: string | null;
  mac: string | null;
}

/** What {@link prepareTask} found out before any device is touched. */
export interface Prepared {
  plans: Map<number, FlashPlan>;
  table: { table: PartitionTable; source: string } | null;
}

/** The build's partition table, or null when there is no build (or it has none). */
async function buildTable(buildDir: string | null): Promise<Prepared['table']> {
  if (!buildDir) return null;
  const file = join(buildDir, 'partition_table', 'partition-table.bin');
  const bytes = await readFile(file).catch(() => null);
  return bytes ? { table: decodePartitionTable(new Uint8Array(bytes), { file }), source: file } : null;
}

/**
 * The checks that need no device: flash plans derived (unless a `build` step comes first), partition
 * labels in the build's table, files to write present and fitting their partition (unless an earlier
 * `build`/`run` step may make them).
 */
export async function prepareTask(options: RunTaskOptions): Promise<Prepared> {
  const table = await buildTable(options.buildDir);
  const plans = new Map<number, FlashPlan>();
  let built = false;
  let ran = false;
  for (const [index, step] of options.steps.entries()) {
    const label = (name: string): Partition | null =>
      table ? withStep(() => partitionByLabel(table, name), step, index) : null;
    switch (step.kind) {
      case 'build':
        built = true;
        break;
      case 'run':
        ran = true;
        break;
      case 'flash':
        if (!built) plans.set(index, await withStep(() => options.planFor(step), step, index));
        break;
      case 'erase':
        if ('partitions' in step) for (const name of step.partitions) label(name);
        break;
      case 'read':
        if ('partition' in step.at) label(step.at.partition);
        break;
      case 'write': {
        const part = 'partition' in step.at ? label(step.at.partition) : null;
        if (built || ran) break;
        const file = resolve(options.baseDir, step.file);
        if (!existsSync(file)) {
          throw new UsageError('task/file-not-found', `${step.path}: file ${file} does not exist`, {
            hint: `Fix 'file' of ${step.path} in the config (relative to ${options.baseDir}), or create the file.`,
            details: { file, step: step.path, task: options.task },
          });
        }
        const size = (await readFile(file)).length;
        if (part && size > part.size) {
          throw new UsageError(
            'partition/too-small',
            `${step.path}: ${file} (${size} bytes) does not fit partition "${part.name}" (${hex(part.offset)}, ${part.size} bytes)`,
            {
              hint: `Write a smaller file or pick a larger partition in ${step.path}.`,
              details: { file, label: part.name, size: part.size, step: step.path },
            },
          );
        }
        break;
      }
      default:
        break;
    }
  }
  return { plans, table };
}

/** Run the task (after {@link prepareTask}); the device is always closed. */
export async function runTask(options: RunTaskOptions): Promise<RunTaskResult> {
  const prepared = await prepareTask(options);
  const emit = options.onEvent ?? ignoreEvents;
  const total = options.steps.length;
  const result: RunTaskResult = { task: options.task, steps: [], port: null, chip: null, mac: null };
  let device: Device | null = null;
  let table = prepared.table;
  let dirty = false;

  const connect = async (): Promise<Device> => {
    if (device) return device;
    device = await options.open();
    result.port = device.port?.port ?? result.port;
    result.chip = device.chip.name;
    result.mac = await readMac(device.loader).catch(() => result.mac);
    return device;
  };
  const disconnect = async (reset: boolean): Promise<void> => {
    const open = device;
    device = null;
    if (!open) return;
    try {
      if (reset) await open.reset(options.after);
    } finally {
      await open.close();
    }
  };
  const place = async (at: Place, d: Device): Promise<{ offset: number; part: Partition | null }> => {
    if ('offset' in at) return { offset: at.offset, part: null };
    table ??= await loadPartitionTable({
      device: d,
      ...(options.partitionTableOffset === undefined ? {} : { offset: options.partitionTableOffset }),
    });
    const part = partitionByLabel(table, at.partition);
    return { offset: part.offset, part };
  };

  for (const [index, step] of options.steps.entries()) {
    const description = describeStep(step);
    emit({ type: 'task-step-start', task: options.task, index, total, kind: step.kind, description });
    const started = performance.now();
    try {
      if (options.signal?.aborted) throw new EspflashError('cli/interrupted', 'Task interrupted');
      if (!DEVICE_STEPS.has(step.kind)) await disconnect(false);
      switch (step.kind) {
        case 'build':
          if (!options.build) throw noBuild(step);
          await options.build();
          table = (await buildTable(options.buildDir)) ?? table;
          break;
        case 'flash': {
          const d = await connect();
          const plan = prepared.plans.get(index) ?? (await options.planFor(step));
          const fast =
            options.fastReflash && !step.full && !step.force && !dirty ? options.fastReflash : false;
          const cache = fast ? await d.openCache(fast === true ? {} : fast) : null;
          await d.flash(plan, { force: step.force || dirty, ...(cache ? { cache } : {}) });
          break;
        }
        case 'erase': {
          const d = await connect();
          dirty = true;
          if ('all' in step) await d.eraseFlash();
          else if ('partitions' in step) {
            for (const name of step.partitions) {
              const { offset, part } = await place({ partition: name }, d);
              await d.eraseRegion(offset, part!.size);
            }
          } else await d.eraseRegion(step.offset, step.size);
          break;
        }
        case 'write': {
          const d = await connect();
          const file = resolve(options.baseDir, step.file);
          const data = new Uint8Array(await readFile(file));
          const { offset, part } = await place(step.at, d);
          if (part && data.length > part.size) {
            throw new UsageError('partition/too-small', `${file} does not fit partition "${part.name}"`, {
              details: { file, label: part.name, size: part.size },
            });
          }
          dirty = true;
          await d.writeBin(offset, data, { label: part?.name ?? null });
          break;
        }
        case 'read': {
          const d = await connect();
          const { offset, part } = await place(step.at, d);
          const size = step.size ?? part!.size;
          const data = await d.readFlash(offset, size);
          const file = resolve(options.baseDir, step.file);
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, data);
          break;
        }
        case 'reset':
          await connect();
          await disconnect(true);
          break;
        case 'monitor':
          if (!options.monitor) throw noMonitor(step);
          await options.monitor(result.port);
          break;
        case 'run':
          await runCommand(step, options, result);
          break;
      }
    } catch (err) {
      await disconnect(false).catch(() => {});
      throw annotate(err, { task: options.task, step, index, done: result.steps });
    }
    const ms = Math.round(performance.now() - started);
    result.steps.push({ index, kind: step.kind, description, ms });
    emit({ type: 'task-step-done', task: options.task, index, total, kind: step.kind, ms });
  }
  await disconnect(true);
  return result;
}

/** A `run` step: through the shell (string) or argv (array), ESPFLASH_* in its environment. */
async function runCommand(
  step: Extract<Step, { kind: 'run' }>,
  options: RunTaskOptions,
  result: RunTaskResult,
): Promise<void> {
  const env = {
    ...(options.env ?? process.env),
    ESPFLASH_PORT: result.port ?? '',
    ESPFLASH_CHIP: result.chip ?? '',
    ESPFLASH_MAC: result.mac ?? '',
    ESPFLASH_BUILD_DIR: options.buildDir ?? '',
  };
  try {
    await runBuild({
      projectDir: options.projectDir,
      command: step.command,
      env,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } catch (err) {
    if (!isEspflashError(err) || err.code === 'build/cancelled') throw err;
    const shown = typeof step.command === 'string' ? step.command : step.command.join(' ');
    const how = typeof err.details.exitCode === 'number' ? `exit code ${err.details.exitCode}` : err.message;
    throw new EspflashError('task/step-failed', `${step.path}: \`${shown}\` failed (${how})`, {
      hint: `Fix the command of ${step.path} in the config, or run it by hand in ${options.projectDir}.`,
      details: { ...err.details, command: step.command },
      cause: err,
    });
  }
}

/** Add the task, the failed step and the steps done to a step's error (its code stays). */
function annotate(
  err: unknown,
  at: { task: string; step: Step; index: number; done: RunTaskResult['steps'] },
): unknown {
  if (!isEspflashError(err)) return err;
  Object.assign(err.details, {
    task: at.task,
    step: at.step.path,
    stepIndex: at.index,
    stepsDone: at.done.map((s) => s.description),
  });
  return err;
}

/** Run `check` (a label or plan lookup) and name the step in its error. */
function withStep<T>(check: () => T, step: Step, index: number): T {
  try {
    return check();
  } catch (err) {
    if (isEspflashError(err)) Object.assign(err.details, { step: step.path, stepIndex: index });
    throw err;
  }
}

function noBuild(step: Step): EspflashError {
  return new EspflashError('task/step-failed', `${step.path}: no build runner was given to runTask`, {
    hint: 'Pass `build` to runTask (the CLI runs idf.py build or build.command).',
    details: { step: step.path },
  });
}

function noMonitor(step: Step): UsageError {
  return new UsageError('task/monitor-unavailable', `${step.path}: no monitor was given to runTask`, {
    hint: `Pass \`monitor\` to runTask, or remove ${step.path}.`,
    details: { step: step.path },
  });
}
