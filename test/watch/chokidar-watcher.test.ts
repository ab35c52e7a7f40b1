import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createChokidarWatcher } from '../../src/watch/chokidar-watcher.js';
import { sourceWatchSpec } from '../../src/watch/watch-paths.js';
import type { FileWatcher } from '../../src/watch/watch-types.js';

const POLL = { timeout: 10_000, interval: 20 };

describe('createChokidarWatcher', () => {
  let dir: string;
  let watcher: FileWatcher | null = null;
  afterEach(async () => {
    await watcher?.close();
    watcher = null;
    await rm(dir, { recursive: true, force: true });
  });

  it('reports real changes to sources, and not rewrites with equal bytes, build/ or transient configs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'espflash-chokidar-'));
    await mkdir(join(dir, 'main'));
    await mkdir(join(dir, 'build'));
    await writeFile(join(dir, 'sdkconfig'), 'CONFIG_A=y\n');
    await writeFile(join(dir, 'main', 'app.c'), 'int a;\n');
    const seen: string[] = [];
    const errors: unknown[] = [];
    const spec = sourceWatchSpec({ projectDir: dir });
    watcher = createChokidarWatcher()({
      ...spec,
      onChange: (p) => seen.push(p.slice(dir.length + 1)),
      onError: (e) => errors.push(e),
    });
    await watcher.ready;
    await writeFile(join(dir, 'sdkconfig'), 'CONFIG_A=y\n'); // same bytes
    await writeFile(join(dir, 'build', 'app.bin'), 'x');
    await writeFile(join(dir, '.espflash.config.ts.12345678.mjs'), 'export default {}');
    await writeFile(join(dir, 'main', 'app.c'), 'int b;\n');
    await expect.poll(() => seen, POLL).toContain('main/app.c');
    await writeFile(join(dir, 'main', 'new.c'), 'int c;\n');
    await expect.poll(() => seen, POLL).toContain('main/new.c');
    await unlink(join(dir, 'main', 'new.c'));
    await expect.poll(() => seen.filter((s) => s === 'main/new.c').length, POLL).toBe(2);
    expect(seen).not.toContain('sdkconfig');
    expect(seen.some((s) => s.startsWith('build') || s.includes('.espflash.config'))).toBe(false);
    expect(errors).toEqual([]);
  });
});
