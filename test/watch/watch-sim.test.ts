import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { parseImage } from '../../src/image/image-parse.js';
import { sha256 } from '../../src/image/sha256.js';
import { derivePlan } from '../../src/plan/derive-plan.js';
import { createChokidarWatcher } from '../../src/watch/chokidar-watcher.js';
import { createBuildRunner, createDeviceFlasher, createSnapshotter } from '../../src/watch/node-deps.js';
import { type WatchController, watchAndFlash } from '../../src/watch/watch-controller.js';
import { outputWatchSpec, sourceWatchSpec } from '../../src/watch/watch-paths.js';
import type { WatchEvent } from '../../src/watch/watch-types.js';
import { ofType } from './support/fakes.js';
import { APP_SIZE, type WatchProject, watchProject } from './support/project.js';

const POLL = { timeout: 25_000, interval: 50 };

describe('watchAndFlash with chokidar, a real build command and the virtual ESP32', () => {
  let project: WatchProject | null = null;
  let controller: WatchController | null = null;
  const snapshots = createSnapshotter();
  afterEach(async () => {
    await controller?.close();
    await snapshots.dispose();
    await project?.cleanup();
    controller = null;
    project = null;
  });

  it('builds and flashes at start and after each source change; a failed build keeps the last good image', async () => {
    const p = await watchProject();
    project = p;
    const events: WatchEvent[] = [];
    controller = watchAndFlash({
      mode: 'sources',
      watch: sourceWatchSpec({ projectDir: p.projectDir }),
      watchFiles: createChokidarWatcher(),
      planner: () => derivePlan({ buildDir: p.buildDir }),
      snapshot: (plan) => snapshots.snapshot(plan),
      flasher: createDeviceFlasher({ port: p.port }),
      build: createBuildRunner({ projectDir: p.projectDir, command: p.buildCommand }),
      debounceMs: 100,
      onEvent: (e) => events.push(e),
    });
    await controller.ready;
    await expect.poll(() => ofType(events, 'flash-done').length, POLL).toBe(1);
    const first = await p.appImage();
    expect(await p.flash(0x10000, first.length)).toEqual(first);

    await p.setSeed(2);
    await expect.poll(() => ofType(events, 'flash-done').length, POLL).toBe(2);
    const second = await p.appImage();
    expect(second).not.toEqual(first);
    expect(await p.flash(0x10000, second.length)).toEqual(second);
    const done = ofType(events, 'flash-done')[1]!;
    expect(done.bytesWritten).toBeGreaterThanOrEqual(APP_SIZE);
    expect(done.skipped).toContain('partition-table');

    await p.setSeed(0);
    await expect.poll(() => ofType(events, 'error').length, POLL).toBe(1);
    expect(ofType(events, 'error')[0]).toMatchObject({ stage: 'build', code: 'build/failed' });
    await controller.idle();
    expect(ofType(events, 'flash-done')).toHaveLength(2);
    expect(await p.flash(0x10000, second.length)).toEqual(second);
    // Only the two edits started cycles: build outputs and rewritten-but-equal files did not.
    expect(ofType(events, 'change').map((e) => e.files.map((f) => f.slice(p.projectDir.length)))).toEqual([
      ['/main/seed.txt'],
      ['/main/seed.txt'],
    ]);
    expect(ofType(events, 'build-start')).toHaveLength(3);
  }, 90_000);

  it('flashes again when an outside build rewrites the images it watches', async () => {
    const p = await watchProject();
    project = p;
    const events: WatchEvent[] = [];
    const planner = () => derivePlan({ buildDir: p.buildDir });
    controller = watchAndFlash({
      mode: 'outputs',
      watch: outputWatchSpec(await planner()),
      watchFiles: createChokidarWatcher(),
      planner,
      flasher: createDeviceFlasher({ port: p.port }),
      debounceMs: 100,
      initial: false,
      onEvent: (e) => events.push(e),
    });
    await controller.ready;
    await generateExampleBuild({ dir: p.projectDir, seed: 3, appSize: APP_SIZE });
    await expect.poll(() => ofType(events, 'flash-done').length, POLL).toBe(1);
    const app = await p.appImage();
    expect(await p.flash(0x10000, app.length)).toEqual(app);
    expect(ofType(events, 'change')[0]!.files.some((f) => f.endsWith('hello_world.bin'))).toBe(true);
    expect(ofType(events, 'build-start')).toHaveLength(0);
  }, 60_000);

  it('reflashes only the changed sector of the app when fast reflash is on', async () => {
    const p = await watchProject();
    project = p;
    const events: WatchEvent[] = [];
    const planner = () => derivePlan({ buildDir: p.buildDir });
    const plan = await planner();
    const appFile = plan.regions.find((r) => r.role === 'app')!.file;
    controller = watchAndFlash({
      mode: 'outputs',
      watch: outputWatchSpec(plan),
      watchFiles: createChokidarWatcher(),
      planner,
      flasher: createDeviceFlasher({ port: p.port, fastReflash: { dir: join(p.root, 'cache') } }),
      debounceMs: 100,
      onEvent: (e) => events.push(e),
    });
    await controller.ready;
    await expect.poll(() => ofType(events, 'flash-done').length, POLL).toBe(1);
    expect(ofType(events, 'flash-done')[0]!.bytesWritten).toBeGreaterThanOrEqual(APP_SIZE);

    // One byte of code changes (inside a segment, so the image still parses), with the image's
    // checksum and SHA-256 updated as a rebuild would: only the sectors holding those go out.
    const app = new Uint8Array(await readFile(appFile));
    app[0x8000] = (app[0x8000]! ^ 0xff) & 0xff;
    const { dataLength } = parseImage(app);
    app[dataLength - 1] = (app[dataLength - 1]! ^ 0xff) & 0xff;
    app.set(sha256(app.subarray(0, dataLength)), dataLength);
    await writeFile(appFile, app);
    const sectors = new Set([0x8000, dataLength - 1, dataLength, dataLength + 31].map((i) => i >> 12));
    await expect.poll(() => ofType(events, 'flash-done').length, POLL).toBe(2);
    const sent = [...sectors].reduce((n, sec) => n + Math.min(0x1000, app.length - sec * 0x1000), 0);
    expect(ofType(events, 'flash-done')[1]!.bytesWritten).toBe(sent);
    expect(await p.flash(0x10000, app.length)).toEqual(app);
  }, 60_000);
});
