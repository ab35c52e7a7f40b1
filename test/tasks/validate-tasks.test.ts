// The `tasks` config key: validated like every key (file and step path named, "did you mean"),
// composed tasks inlined in order, cycles and unknown references refused.

import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate-config.js';
import { isEspflashError } from '../../src/errors.js';
import type { TasksConfig } from '../../src/tasks/task-types.js';
import { expandTask } from '../../src/tasks/validate-tasks.js';

const FILE = '/p/espflash.config.ts';

function issuesOf(
  tasks: unknown,
): Array<{ code: string; path: string; message: string; suggestion?: string }> {
  try {
    validateConfig({ tasks }, { file: FILE });
  } catch (err) {
    if (isEspflashError(err)) return err.details.issues as never;
    throw err;
  }
  return [];
}

describe('tasks validation', () => {
  it('accepts the issue example and every step kind', () => {
    const tasks: TasksConfig = {
      factory: {
        description: 'Erase, flash, factory NVS, log the MAC',
        steps: [
          { erase: 'all' },
          { flash: {} },
          { write: { partition: 'nvs', file: 'factory_nvs.bin' } },
          { run: 'echo "flashed $ESPFLASH_MAC" >> flashed.txt' },
        ],
      },
      all: {
        steps: [
          { build: {} },
          { flash: { only: ['app'], to: 'app', force: true, full: true } },
          { erase: { partitions: ['nvs'] } },
          { erase: { offset: '0x9000', size: '4k' } },
          { write: { offset: 0x9000, file: 'x.bin' } },
          { read: { partition: 'nvs', file: 'nvs.bin' } },
          { read: { offset: '0x1000', size: 16, file: 'b.bin' } },
          { reset: {} },
          { monitor: {} },
          { run: ['node', '-e', '1'] },
          { task: 'factory' },
        ],
      },
    };
    expect(validateConfig({ tasks }, { file: FILE }).tasks).toEqual(tasks);
    const steps = expandTask({ tasks, name: 'all' });
    expect(steps.map((s) => s.kind)).toEqual([
      'build',
      'flash',
      'erase',
      'erase',
      'write',
      'read',
      'read',
      'reset',
      'monitor',
      'run',
      'erase',
      'flash',
      'write',
      'run',
    ]);
    expect(steps[3]).toMatchObject({ kind: 'erase', offset: 0x9000, size: 0x1000 });
    expect(steps[10]!.path).toBe('tasks.factory.steps[0]');
  });

  it('names an unknown step kind with a suggestion and the file', () => {
    const [issue] = issuesOf({ f: { steps: [{ flsh: {} }] } });
    expect(issue).toMatchObject({
      code: 'config/unknown-key',
      path: 'tasks.f.steps[0].flsh',
      suggestion: 'flash',
    });
    expect(issue!.message).toContain(FILE);
  });

  it('refuses a write without a file, a target given twice, bad numbers and unknown options', () => {
    const issues = issuesOf({
      f: {
        steps: [
          { write: { partition: 'nvs' } },
          { write: { partition: 'nvs', offset: 0, file: 'a' } },
          { erase: { offset: 'lots', size: 4096 } },
          { flash: { forse: true } },
          { erase: 'everything' },
          { run: '' },
        ],
      },
    });
    expect(issues.map((i) => i.path)).toEqual([
      'tasks.f.steps[0].write.file',
      'tasks.f.steps[1].write',
      'tasks.f.steps[2].erase.offset',
      'tasks.f.steps[3].flash.forse',
      'tasks.f.steps[4].erase',
      'tasks.f.steps[5].run',
    ]);
    expect(issues[3]!.suggestion).toBe('force');
  });

  it('refuses empty steps and non-object tasks', () => {
    expect(issuesOf({ f: { steps: [] } })[0]!.path).toBe('tasks.f.steps');
    expect(issuesOf({ f: 'flash' })[0]!.path).toBe('tasks.f');
    expect(issuesOf({ f: { steps: [{ flash: {}, run: 'x' }] } })[0]!.path).toBe('tasks.f.steps[0]');
  });

  it('refuses an unknown task reference with a suggestion', () => {
    const [issue] = issuesOf({ factory: { steps: [{ flash: {} }] }, b: { steps: [{ task: 'factroy' }] } });
    expect(issue).toMatchObject({ path: 'tasks.b.steps[0].task', suggestion: 'factory' });
  });

  it('refuses cycles, direct and through other tasks', () => {
    expect(issuesOf({ a: { steps: [{ task: 'a' }] } })[0]!.message).toContain('a -> a');
    const [issue] = issuesOf({
      a: { steps: [{ flash: {} }, { task: 'b' }] },
      b: { steps: [{ task: 'c' }] },
      c: { steps: [{ task: 'a' }] },
    });
    expect(issue!.message).toContain('a -> b -> c -> a');
  });

  it('expandTask: an unknown name is task/unknown (exit 2) listing the names', () => {
    const tasks = { factory: { steps: [{ flash: {} }] }, dev: { steps: [{ flash: {} }] } } as never;
    try {
      expandTask({ tasks, name: 'factroy' });
      expect.unreachable();
    } catch (err) {
      expect(isEspflashError(err) && err.code).toBe('task/unknown');
      expect(isEspflashError(err) && err.exitCode).toBe(2);
      expect(String(err)).toContain("Did you mean 'factory'");
      expect(String(err)).toContain('factory, dev');
    }
  });
});
