// Checks the `tasks` config key as config validation does for every key (issues naming the file and
// the step's path, "did you mean" for step kinds and task names, cycles of `{ task }` steps), and
// turns one task into the flat step list the runner walks (`expandTask`).

import { parseNumberArg } from '../api/parse-number.js';
import type { ConfigIssue } from '../config/validate-config.js';
import { describeValue, editDistance } from '../config/validate-config.js';
import { isEspflashError, UsageError } from '../errors.js';
import { type Place, STEP_KINDS, type Step, type TasksConfig } from './task-types.js';

interface Check {
  file: string;
  issues: ConfigIssue[];
}

/** Validate the `tasks` value; returns it unchanged (the runner re-reads it with {@link expandTask}). */
export function checkTasks(raw: unknown, check: Check): unknown {
  const before = check.issues.length;
  if (!isPlainObject(raw)) {
    invalid(check, 'tasks', 'an object of named tasks, e.g. { factory: { steps: [ … ] } }', raw);
    return undefined;
  }
  for (const [name, task] of Object.entries(raw)) checkTask(name, task, check);
  if (check.issues.length === before) checkReferences(raw as unknown as TasksConfig, check);
  return check.issues.length === before ? raw : undefined;
}

function checkTask(name: string, task: unknown, check: Check): void {
  const path = `tasks.${name}`;
  if (!isPlainObject(task)) {
    invalid(check, path, 'an object with keys description, steps', task);
    return;
  }
  for (const key of Object.keys(task)) {
    if (key !== 'description' && key !== 'steps')
      unknownKey(check, `${path}.${key}`, key, ['description', 'steps']);
  }
  if (task.description !== undefined && typeof task.description !== 'string')
    invalid(check, `${path}.description`, 'a string', task.description);
  if (!Array.isArray(task.steps) || task.steps.length === 0) {
    invalid(check, `${path}.steps`, 'a non-empty array of steps like { flash: {} }', task.steps);
    return;
  }
  task.steps.forEach((step, i) => {
    parseStep(step, `${path}.steps[${i}]`, check);
  });
}

/**
 * One written step → the runner's Step (null plus issues when it is wrong). `{ task }` steps come
 * back as `{ kind: 'task' }` markers that {@link expandTask} inlines.
 */
function parseStep(raw: unknown, path: string, check: Check): Step | { kind: 'task'; name: string } | null {
  if (!isPlainObject(raw) || Object.keys(raw).length !== 1) {
    invalid(check, path, `an object with one step kind (${STEP_KINDS.join(', ')})`, raw);
    return null;
  }
  const [kind, value] = Object.entries(raw)[0]!;
  const at = `${path}.${kind}`;
  const bad = (expected: string): null => {
    invalid(check, at, expected, value);
    return null;
  };
  const emptyObject = (): boolean => isPlainObject(value) && Object.keys(value).length === 0;
  switch (kind) {
    case 'build':
    case 'reset':
    case 'monitor':
      return emptyObject() ? { kind, path } : bad('{} (this step has no options)');
    case 'run': {
      if (typeof value === 'string' && value.trim() !== '') return { kind, command: value, path };
      if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== ''))
        return { kind, command: value as string[], path };
      return bad("a shell command string or a non-empty argv array (['node', 'x.js'])");
    }
    case 'task':
      return typeof value === 'string' && value !== ''
        ? { kind, name: value }
        : bad("a task name ('flash-app')");
    case 'flash': {
      if (!isPlainObject(value))
        return bad('an object with keys only, to, force, full ({} flashes everything)');
      const ok = knownKeys(value, at, ['only', 'to', 'force', 'full'], check);
      const only = value.only;
      const onlyList = typeof only === 'string' ? only.split(',').map((s) => s.trim()) : only;
      if (only !== undefined && !(Array.isArray(onlyList) && onlyList.length > 0 && onlyList.every(nonEmpty)))
        return bad('only: a role or label, or an array of them');
      if (value.to !== undefined && !nonEmpty(value.to)) return bad('to: a role or partition label');
      for (const flag of ['force', 'full'] as const)
        if (value[flag] !== undefined && typeof value[flag] !== 'boolean')
          return bad(`${flag}: true or false`);
      if (!ok) return null;
      return {
        kind,
        path,
        force: value.force === true,
        full: value.full === true,
        ...(onlyList ? { only: onlyList as string[] } : {}),
        ...(typeof value.to === 'string' ? { to: value.to } : {}),
      };
    }
    case 'erase': {
      const expected = "'all', { partitions: ['nvs', …] } or { offset, size }";
      if (value === 'all') return { kind, all: true, path };
      if (!isPlainObject(value)) return bad(expected);
      if ('partitions' in value) {
        if (!knownKeys(value, at, ['partitions'], check)) return null;
        const parts = value.partitions;
        return Array.isArray(parts) && parts.length > 0 && parts.every(nonEmpty)
          ? { kind, partitions: parts as string[], path }
          : bad('partitions: a non-empty array of partition labels');
      }
      if (!knownKeys(value, at, ['offset', 'size'], check)) return null;
      const offset = number(value.offset, `${at}.offset`, check);
      const size = number(value.size, `${at}.size`, check);
      return offset === null || size === null ? null : { kind, offset, size, path };
    }
    case 'write':
    case 'read': {
      const keys =
        kind === 'write' ? ['partition', 'offset', 'file'] : ['partition', 'offset', 'size', 'file'];
      if (!isPlainObject(value)) return bad(`an object with keys ${keys.join(', ')}`);
      if (!knownKeys(value, at, keys, check)) return null;
      if (!nonEmpty(value.file)) {
        invalid(
          check,
          `${at}.file`,
          `the file to ${kind === 'write' ? 'write' : 'read into'} (relative to the config)`,
          value.file,
        );
        return null;
      }
      const place = placeOf(value, at, check);
      if (!place) return null;
      if (kind === 'write') return { kind, at: place, file: value.file, path };
      const size = value.size === undefined ? undefined : number(value.size, `${at}.size`, check);
      if (size === null) return null;
      if (size === undefined && 'offset' in place) {
        invalid(check, `${at}.size`, 'a size (needed with offset; a partition gives its own)', undefined);
        return null;
      }
      return { kind, at: place, file: value.file, path, ...(size === undefined ? {} : { size }) };
    }
    default:
      unknownKey(check, at, kind, STEP_KINDS);
      return null;
  }
}

function placeOf(value: Record<string, unknown>, at: string, check: Check): Place | null {
  const hasPart = value.partition !== undefined;
  const hasOffset = value.offset !== undefined;
  if (hasPart === hasOffset) {
    invalid(check, at, 'given exactly one of partition (a label) or offset', hasPart ? 'both' : 'neither');
    return null;
  }
  if (hasPart) {
    if (nonEmpty(value.partition)) return { partition: value.partition };
    invalid(check, `${at}.partition`, 'a partition label', value.partition);
    return null;
  }
  const offset = number(value.offset, `${at}.offset`, check);
  return offset === null ? null : { offset };
}

function number(raw: unknown, path: string, check: Check): number | null {
  if (typeof raw === 'number' || typeof raw === 'string') {
    try {
      return parseNumberArg(raw, { name: path });
    } catch (err) {
      if (!isEspflashError(err)) throw err;
    }
  }
  invalid(check, path, 'a number (0x9000, 36864, 36k or 4M)', raw);
  return null;
}

/** Unknown `{ task }` references and cycles, once every task is well formed. */
function checkReferences(tasks: TasksConfig, check: Check): void {
  const names = Object.keys(tasks);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    state.set(name, 'visiting');
    tasks[name]!.steps.forEach((step, i) => {
      if (!('task' in step)) return;
      const target = step.task;
      const path = `tasks.${name}.steps[${i}].task`;
      if (!Object.hasOwn(tasks, target)) {
        const near = suggest(target, names);
        check.issues.push({
          code: 'config/invalid-value',
          path,
          message: `'${path}' in ${check.file} names task '${target}', which is not defined.${near ? ` Did you mean '${near}'?` : ''} Tasks: ${names.join(', ')}`,
          ...(near ? { suggestion: near } : {}),
        });
      } else if (state.get(target) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(target)), name, target].join(' -> ');
        check.issues.push({
          code: 'config/invalid-value',
          path,
          message: `'${path}' in ${check.file} makes task '${target}' run itself (${cycle})`,
        });
      } else visit(target, [...trail, name]);
    });
    state.set(name, 'done');
  };
  for (const name of names) visit(name, []);
}

/**
 * The steps of task `name` in order, composed tasks inlined. The config must have passed
 * validation; an unknown name is a UsageError (`task/unknown`, exit 2) listing the names.
 */
export function expandTask(options: { tasks: TasksConfig | undefined; name: string; file?: string }): Step[] {
  const tasks = options.tasks ?? {};
  if (!Object.hasOwn(tasks, options.name)) throw unknownTask(tasks, options.name, options.file);
  const check: Check = { file: options.file ?? 'the config', issues: [] };
  const out: Step[] = [];
  const walk = (name: string, depth: number): void => {
    if (depth > 32) throw new Error(`task '${name}' nests too deep (a cycle the validator missed)`);
    tasks[name]!.steps.forEach((raw, i) => {
      const step = parseStep(raw, `tasks.${name}.steps[${i}]`, check);
      if (!step) return;
      if (step.kind === 'task') walk(step.name, depth + 1);
      else out.push(step);
    });
  };
  walk(options.name, 0);
  if (check.issues.length > 0)
    throw new UsageError('config/invalid-value', check.issues[0]!.message, {
      details: { issues: check.issues },
    });
  return out;
}

/** `task/unknown`: the names there are, and the nearest one. */
export function unknownTask(tasks: TasksConfig, name: string, file?: string): UsageError {
  const names = Object.keys(tasks);
  const near = suggest(name, names);
  const where = file ? ` in ${file}` : '';
  return new UsageError(
    'task/unknown',
    names.length === 0
      ? `No task '${name}': no tasks are defined${where}`
      : `No task '${name}'${where}.${near ? ` Did you mean '${near}'?` : ''} Tasks: ${names.join(', ')}`,
    {
      hint:
        names.length === 0
          ? 'Add a `tasks` key to espflash.config.ts (`espflash init` writes a template with examples).'
          : `Run one of: ${names.map((n) => `espflash run ${n}`).join(', ')} (or \`espflash run --list\`).`,
      details: { task: name, tasks: names, ...(file ? { file } : {}) },
    },
  );
}

function knownKeys(
  value: Record<string, unknown>,
  at: string,
  keys: readonly string[],
  check: Check,
): boolean {
  let ok = true;
  for (const key of Object.keys(value)) {
    if (keys.includes(key)) continue;
    unknownKey(check, `${at}.${key}`, key, keys);
    ok = false;
  }
  return ok;
}

function unknownKey(check: Check, path: string, key: string, valid: readonly string[]): void {
  const near = suggest(key, valid);
  check.issues.push({
    code: 'config/unknown-key',
    path,
    message: `Unknown key '${path}' in ${check.file}.${near ? ` Did you mean '${near}'?` : ''} Valid here: ${valid.join(', ')}`,
    ...(near ? { suggestion: near } : {}),
  });
}

function invalid(check: Check, path: string, expected: string, raw: unknown): void {
  const got = typeof raw === 'string' && (raw === 'both' || raw === 'neither') ? raw : describeValue(raw);
  check.issues.push({
    code: 'config/invalid-value',
    path,
    message: `'${path}' in ${check.file} must be ${expected} (got ${got})`,
  });
}

function suggest(word: string, candidates: readonly string[]): string | null {
  const limit = word.length <= 4 ? 1 : 2;
  let best: { name: string; d: number } | null = null;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name ?? null;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
