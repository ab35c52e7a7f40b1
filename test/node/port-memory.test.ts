// The per-project port memory: one entry per project directory in <cache>/port-memory.json, a
// damaged file counts as nothing remembered, and an unwritable cache never fails the command.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPortMemory, PORT_MEMORY_FILE } from '../../src/node/port-memory.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'espflash-port-mem-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('createPortMemory', () => {
  it('keeps one answer per project directory (made absolute) in port-memory.json', async () => {
    const a = createPortMemory({ projectDir: '/work/a', dir, now: () => 1000 });
    const b = createPortMemory({ projectDir: '/work/b/../b', dir });
    expect(await a.recall()).toBeNull();
    await a.remember('/dev/ttyUSB1');
    await b.remember('COM7');
    await a.remember('/dev/ttyUSB2');
    expect(await a.recall()).toBe('/dev/ttyUSB2');
    expect(await createPortMemory({ projectDir: '/work/b', dir }).recall()).toBe('COM7');
    const stored = JSON.parse(await readFile(join(dir, PORT_MEMORY_FILE), 'utf8'));
    expect(Object.keys(stored).sort()).toEqual(['/work/a', '/work/b']);
    expect(stored['/work/a']).toEqual({ port: '/dev/ttyUSB2', at: 1000 });
  });

  it('a damaged file remembers nothing and is replaced on the next answer', async () => {
    await writeFile(join(dir, PORT_MEMORY_FILE), '{not json');
    const memory = createPortMemory({ projectDir: '/work/a', dir });
    expect(await memory.recall()).toBeNull();
    await memory.remember('/dev/ttyACM0');
    expect(await memory.recall()).toBe('/dev/ttyACM0');
  });

  it('an unwritable cache does not throw', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const memory = createPortMemory({ projectDir: '/work/a', dir: join(file, 'cache') });
    await expect(memory.remember('/dev/ttyUSB0')).resolves.toBeUndefined();
    expect(await memory.recall()).toBeNull();
  });
});
