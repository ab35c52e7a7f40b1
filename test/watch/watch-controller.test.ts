import { afterEach, describe, expect, it } from 'vitest';
import { createWatchInput } from '../../src/cli/watch/watch-input.js';
import { EspflashError } from '../../src/errors.js';
import { type WatchController, watchAndFlash } from '../../src/watch/watch-controller.js';
import type { WatchAndFlashOptions, WatchEvent } from '../../src/watch/watch-types.js';
import {
  fakeBuild,
  fakeFlasher,
  fakeMonitor,
  fakePlan,
  fakeWatcher,
  manualClock,
  ofType,
  settle,
  summary,
} from './support/fakes.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('watchAndFlash (with fakes)', () => {
  const open: WatchController[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });

  function setup(extra: Partial<WatchAndFlashOptions> = {}) {
    const log: string[] = [];
    const events: WatchEvent[] = [];
    const clock = manualClock();
    const watcher = fakeWatcher();
    const build = fakeBuild(log);
    const flasher = fakeFlasher(log);
    const monitor = fakeMonitor(log);
    let plans = 0;
    const controller = watchAndFlash({
      mode: 'sources',
      watch: { paths: ['/project'], ignored: () => false },
      watchFiles: watcher.factory,
      planner: async () => {
        plans += 1;
        log.push('plan');
        return fakePlan();
      },
      flasher: flasher.flash,
      build: build.run,
      monitor: monitor.factory,
      debounceMs: 300,
      initial: false,
      clock,
      onEvent: (e) => events.push(e),
      ...extra,
    });
    open.push(controller);
    return {
      controller,
      input: createWatchInput(controller),
      log,
      events,
      clock,
      watcher,
      build,
      flasher,
      monitor,
      plans: () => plans,
    };
  }

  it('debounces several changes into one cycle with every changed file', async () => {
    const t = setup();
    await t.controller.ready;
    t.watcher.change('/project/main/b.c');
    await t.clock.advance(200);
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(200);
    t.watcher.change('/project/main/b.c');
    await t.clock.advance(299);
    expect(t.build.calls).toHaveLength(0);
    await t.clock.advance(1);
    expect(ofType(t.events, 'change')).toEqual([
      { type: 'change', files: ['/project/main/a.c', '/project/main/b.c'] },
    ]);
    expect(t.build.calls).toHaveLength(1);
  });

  it('runs the initial cycle at start unless told not to', async () => {
    const t = setup({ initial: true, mode: 'outputs' });
    await t.controller.ready;
    await settle();
    expect(t.build.calls).toHaveLength(0);
    expect(t.flasher.calls).toHaveLength(1);
    expect(t.flasher.calls[0]!.force).toBe(false);
  });

  it('cancels a running build when a new change arrives, and flashes only the restarted build', async () => {
    const t = setup();
    await t.controller.ready;
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    expect(t.build.calls).toHaveLength(1);
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    expect(t.build.calls[0]!.signal.aborted).toBe(true);
    expect(ofType(t.events, 'build-cancelled')).toHaveLength(1);
    expect(t.build.calls).toHaveLength(2);
    expect(t.flasher.calls).toHaveLength(0);
    t.build.calls[1]!.done.resolve({ ms: 42 });
    await settle();
    expect(t.flasher.calls).toHaveLength(1);
    expect(ofType(t.events, 'build-done')).toEqual([{ type: 'build-done', ms: 42 }]);
    expect(ofType(t.events, 'error')).toEqual([]);
  });

  it('lets a build that finishes during a flash wait for that flash', async () => {
    const t = setup();
    await t.controller.ready;
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    t.build.calls[0]!.done.resolve({ ms: 10 });
    await settle();
    expect(t.flasher.calls).toHaveLength(1);
    // A change during the flash builds at once…
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    expect(t.build.calls).toHaveLength(2);
    t.build.calls[1]!.done.resolve({ ms: 11 });
    await settle();
    // …but its flash waits for the running one.
    expect(t.flasher.calls).toHaveLength(1);
    t.flasher.calls[0]!.done.resolve(summary());
    await settle();
    expect(t.flasher.calls).toHaveLength(2);
    t.flasher.calls[1]!.done.resolve(summary(99));
    await t.controller.idle();
    expect(t.log).toEqual([
      'build-1',
      'plan',
      'flash-1',
      'build-2',
      'flash-1-end',
      'plan',
      'flash-2',
      'flash-2-end',
    ]);
    expect(ofType(t.events, 'flash-done').map((e) => e.bytesWritten)).toEqual([1234, 99]);
  });

  it('does not start a build while the flash is planning its images', async () => {
    let releasePlan = () => {};
    const t = setup({
      planner: () => new Promise((r) => (releasePlan = () => r(fakePlan()))),
    });
    await t.controller.ready;
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    t.build.calls[0]!.done.resolve({ ms: 1 });
    await settle();
    t.controller.buildNow();
    await settle();
    expect(t.build.calls).toHaveLength(1);
    releasePlan();
    await settle();
    expect(t.build.calls).toHaveLength(2);
    expect(t.flasher.calls).toHaveLength(1);
    t.controller.buildNow(); // cancels build 2; planning for the restart is not needed
    await settle();
    expect(t.build.calls).toHaveLength(3);
  });

  it('keeps watching after a failed build (nothing flashed) and a failed flash', async () => {
    const t = setup();
    await t.controller.ready;
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    t.build.calls[0]!.done.reject(
      new EspflashError('build/failed', 'Build failed (exit code 1)', {
        hint: 'fix it',
        details: { tail: ['err'] },
      }),
    );
    await settle();
    expect(t.flasher.calls).toHaveLength(0);
    expect(ofType(t.events, 'error')).toMatchObject([
      { stage: 'build', code: 'build/failed', hint: 'fix it', details: { tail: ['err'] } },
    ]);
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    t.build.calls[1]!.done.resolve({ ms: 1 });
    await settle();
    t.flasher.calls[0]!.done.reject(new EspflashError('connect/no-sync', 'no answer'));
    await settle();
    expect(ofType(t.events, 'error').at(-1)).toMatchObject({ stage: 'flash', code: 'connect/no-sync' });
    t.watcher.change('/project/main/a.c');
    await t.clock.advance(300);
    t.build.calls[2]!.done.resolve({ ms: 1 });
    await settle();
    t.flasher.calls[1]!.done.resolve(summary());
    await t.controller.idle();
    expect(ofType(t.events, 'cycle-done')).toHaveLength(1);
    expect(t.watcher.closed()).toBe(false);
  });

  it('reports a plan failure without flashing', async () => {
    const t = setup({
      mode: 'outputs',
      planner: async () => {
        throw new EspflashError('project/no-build-dir', 'no build');
      },
    });
    await t.controller.ready;
    t.watcher.change('/project/build/app.bin');
    await t.clock.advance(300);
    expect(ofType(t.events, 'error')).toMatchObject([{ stage: 'plan', code: 'project/no-build-dir' }]);
    expect(t.flasher.calls).toHaveLength(0);
  });

  it('pauses the monitor before a flash and resumes it after', async () => {
    const t = setup({ mode: 'outputs', monitorOn: true });
    await t.controller.ready;
    expect(t.controller.monitorOn).toBe(true);
    t.watcher.change('/project/build/app.bin');
    await t.clock.advance(300);
    expect(t.log).toEqual(['monitor-start', 'plan', 'monitor-pause', 'flash-1']);
    t.flasher.calls[0]!.done.resolve(summary());
    await t.controller.idle();
    expect(t.log.slice(-2)).toEqual(['flash-1-end', 'monitor-resume']);
    expect(ofType(t.events, 'monitor').map((e) => e.state)).toEqual(['on', 'paused', 'resumed']);
  });

  it('retries taking the port back, then turns the monitor off with the error', async () => {
    const t = setup({ mode: 'outputs', monitorOn: true });
    t.monitor.failResumes = 10;
    await t.controller.ready;
    t.watcher.change('/project/build/app.bin');
    await t.clock.advance(300);
    t.flasher.calls[0]!.done.resolve(summary());
    await settle();
    for (const ms of [200, 400, 800]) await t.clock.advance(ms);
    await t.controller.idle();
    expect(t.log.filter((l) => l === 'monitor-resume')).toHaveLength(4);
    expect(ofType(t.events, 'error')).toMatchObject([{ stage: 'monitor', code: 'port/busy' }]);
    expect(t.controller.monitorOn).toBe(false);
  });

  it('measures the flash and the device-side verify time, and lists skipped regions', async () => {
    const t = setup({
      mode: 'outputs',
      flasher: async (_plan, { onEvent }) => {
        onEvent({ type: 'region-progress', index: 1, offset: 0x10000, written: 100, total: 100 });
        await t.clock.advance(250);
        onEvent({ type: 'region-verified', index: 1, offset: 0x10000, md5: 'x', bytesWritten: 100 });
        await t.clock.advance(50);
        return summary();
      },
    });
    await t.controller.ready;
    t.watcher.change('/project/build/app.bin');
    await t.clock.advance(300);
    await t.controller.idle();
    expect(ofType(t.events, 'flash-done')).toEqual([
      { type: 'flash-done', ms: 300, bytesWritten: 1234, skipped: ['bootloader'], verifyMs: 250 },
    ]);
    expect(ofType(t.events, 'status').at(-1)).toMatchObject({
      building: false,
      flashing: false,
      last: { flashMs: 300, verifyMs: 250, bytesWritten: 1234 },
    });
  });

  it('acts on single keys while the monitor is off', async () => {
    const resets: string[] = [];
    const t = setup({ resetDevice: async () => void resets.push('reset') });
    await t.controller.ready;
    t.input(enc('b'));
    await settle();
    expect(t.build.calls).toHaveLength(1);
    t.build.calls[0]!.done.resolve({ ms: 1 });
    await settle();
    t.flasher.calls[0]!.done.resolve(summary());
    await t.controller.idle();
    t.input(enc('f'));
    await settle();
    expect(t.flasher.calls[1]!.force).toBe(true);
    t.flasher.calls[1]!.done.resolve(summary());
    await t.controller.idle();
    t.input(enc('r'));
    await settle();
    expect(resets).toEqual(['reset']);
    t.input(enc('m'));
    await settle();
    expect(t.controller.monitorOn).toBe(true);
    t.input(enc('z'));
    expect(t.monitor.sent.map((b) => new TextDecoder().decode(b))).toEqual(['z']);
  });

  it('forwards keys to the device with the monitor on and takes commands after Ctrl+T', async () => {
    const t = setup({ monitorOn: true });
    await t.controller.ready;
    t.input(enc('bfr'));
    await settle();
    expect(t.build.calls).toHaveLength(0);
    expect(t.monitor.sent.map((b) => new TextDecoder().decode(b))).toEqual(['bfr']);
    t.input(Uint8Array.of(0x14, 0x62)); // Ctrl+T b
    await settle();
    expect(t.build.calls).toHaveLength(1);
    t.input(Uint8Array.of(0x14, 0x72)); // Ctrl+T r
    await settle();
    expect(t.log).toContain('monitor-reset');
    t.input(Uint8Array.of(0x14, 0x6d)); // Ctrl+T m
    await settle();
    expect(t.controller.monitorOn).toBe(false);
    expect(t.log).toContain('monitor-close');
  });

  it('quits on q, cancelling the running build and closing watcher and monitor', async () => {
    const t = setup({ monitorOn: true, initial: true });
    await t.controller.ready;
    await settle();
    expect(t.build.calls).toHaveLength(1);
    t.input(Uint8Array.of(0x1d)); // Ctrl+] quits from the monitor
    await t.controller.done;
    expect(t.build.calls[0]!.signal.aborted).toBe(true);
    expect(t.watcher.closed()).toBe(true);
    expect(t.log).toContain('monitor-close');
    expect(t.events.at(-1)).toEqual({ type: 'closed' });
  });

  it('refuses to reset during a flash and to watch sources without a build runner', async () => {
    const t = setup({ mode: 'outputs', initial: true });
    await t.controller.ready;
    await settle();
    await t.controller.reset();
    expect(ofType(t.events, 'error')).toMatchObject([{ stage: 'reset', code: 'watch/busy' }]);
    expect(() =>
      watchAndFlash({
        mode: 'sources',
        watch: { paths: [], ignored: () => false },
        watchFiles: fakeWatcher().factory,
        planner: async () => fakePlan(),
        flasher: async () => summary(),
        onEvent: () => {},
      }),
    ).toThrow(expect.objectContaining({ code: 'watch/no-build' }));
  });
});
