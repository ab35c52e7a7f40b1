import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWatchKeys } from '../../src/cli/watch/watch-keys.js';
import { createWatchRenderer, statusText } from '../../src/cli/watch/watch-render.js';
import { snapshotPlan } from '../../src/watch/snapshot-plan.js';
import { outputWatchSpec, sourceWatchSpec } from '../../src/watch/watch-paths.js';
import { watchEventToJson } from '../../src/watch/watch-types.js';
import { fakePlan } from './support/fakes.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('sourceWatchSpec', () => {
  const spec = sourceWatchSpec({ projectDir: '/p', extraPaths: ['../shared/lib'] });
  const watched = (p: string) => !spec.ignored(p);

  it('watches main/, components/, CMakeLists.txt, sdkconfig* and partitions*.csv', () => {
    for (const p of [
      '/p',
      '/p/main',
      '/p/main/app.c',
      '/p/components/led/led.c',
      '/p/CMakeLists.txt',
      '/p/sdkconfig',
      '/p/sdkconfig.defaults',
      '/p/partitions.csv',
      '/p/partitions_two_ota.csv',
    ])
      expect(watched(p), p).toBe(true);
  });

  it('never watches build/, transient config modules, VCS or other top-level files', () => {
    for (const p of [
      '/p/build',
      '/p/build/app.bin',
      '/p/.espflash.config.ts.1a2b3c4d.mjs',
      '/p/main/.espflash.config.ts.1a2b3c4d.mjs',
      '/p/.git',
      '/p/README.md',
      '/p/managed_components',
      '/p/main/app.c~',
      '/elsewhere/x.c',
    ])
      expect(watched(p), p).toBe(false);
  });

  it('adds extra paths (config watch.paths) and leaves out a custom build dir', () => {
    expect(spec.paths).toEqual(['/p', '/shared/lib']);
    expect(watched('/shared/lib/util.c')).toBe(true);
    const custom = sourceWatchSpec({ projectDir: '/p', buildDir: '/p/main/out' });
    expect(custom.ignored('/p/main/out/app.bin')).toBe(true);
    expect(custom.ignored('/p/main/app.c')).toBe(false);
  });
});

describe('outputWatchSpec', () => {
  it("watches the plan's images and flasher_args.json, nothing else in the build", () => {
    const plan = fakePlan();
    plan.regions = [
      { ...regionAt('/project/build/bootloader/bootloader.bin') },
      { ...regionAt('/project/build/hello.bin') },
    ];
    const spec = outputWatchSpec(plan);
    expect(spec.paths.sort()).toEqual(
      [
        '/project/build/bootloader/bootloader.bin',
        '/project/build/flasher_args.json',
        '/project/build/hello.bin',
      ].sort(),
    );
    expect(spec.ignored('/project/build/hello.bin')).toBe(false);
    expect(spec.ignored('/project/build/hello.elf')).toBe(true);
    expect(spec.ignored('/project/build/.espflash.config.ts.0000.mjs')).toBe(true);
  });
});

function regionAt(file: string) {
  return {
    offset: 0,
    size: 1,
    file,
    sha256: '',
    role: 'app' as const,
    label: null,
    encrypted: false,
    source: { kind: 'build' as const },
  };
}

describe('createWatchKeys', () => {
  it('maps single keys with the monitor off, Ctrl+C and Ctrl+] quit', () => {
    const keys = createWatchKeys();
    expect(keys.feed(enc('rfbmhx'), false).map((a) => a.type)).toEqual([
      'reset',
      'reflash',
      'build',
      'toggle-monitor',
      'help',
    ]);
    expect(keys.feed(Uint8Array.of(0x71), false)).toEqual([{ type: 'quit' }]);
    expect(keys.feed(Uint8Array.of(0x03, 0x62), false)).toEqual([{ type: 'quit' }]);
  });

  it('with the monitor on sends keys to the device and reads commands after Ctrl+T, even across chunks', () => {
    const keys = createWatchKeys();
    const first = keys.feed(Uint8Array.of(0x61, 0x0d, 0x14), true);
    expect(first).toEqual([{ type: 'send', bytes: Uint8Array.of(0x61, 0x0d, 0x0a) }]);
    expect(keys.feed(enc('F'), true)).toEqual([{ type: 'reflash' }]);
    expect(keys.feed(Uint8Array.of(0x14, 0x6d, 0x14, 0x71), true).map((a) => a.type)).toEqual([
      'toggle-monitor',
      'quit',
    ]);
    expect(keys.feed(Uint8Array.of(0x14, 0x7a), true)).toEqual([{ type: 'help' }]);
  });
});

describe('watchEventToJson', () => {
  it('prints the documented shapes and leaves progress, output and status out', () => {
    expect(watchEventToJson({ type: 'change', files: ['a.c'] })).toEqual({ event: 'change', files: ['a.c'] });
    expect(watchEventToJson({ type: 'build-start' })).toEqual({ event: 'build-start' });
    expect(watchEventToJson({ type: 'build-done', ms: 5 })).toEqual({ event: 'build-done', ms: 5 });
    expect(watchEventToJson({ type: 'flash-start', force: false })).toEqual({ event: 'flash-start' });
    expect(
      watchEventToJson({ type: 'flash-done', ms: 7, bytesWritten: 9, skipped: ['bootloader'], verifyMs: 1 }),
    ).toEqual({ event: 'flash-done', ms: 7, bytesWritten: 9, skipped: ['bootloader'], verifyMs: 1 });
    expect(
      JSON.stringify(watchEventToJson({ type: 'error', stage: 'build', code: 'build/failed', message: 'm' })),
    ).toBe('{"event":"error","code":"build/failed","message":"m","stage":"build"}');
    expect(watchEventToJson({ type: 'build-output', line: 'x', stream: 'stdout' })).toBeNull();
    expect(
      watchEventToJson({ type: 'status', building: true, flashing: false, monitor: false, last: null }),
    ).toBeNull();
  });
});

describe('createWatchRenderer', () => {
  it('says what the loop does and how long the last cycle took', () => {
    expect(statusText({ type: 'status', building: true, flashing: false, monitor: false, last: null })).toBe(
      '[watch] building… — h keys',
    );
    expect(
      statusText({
        type: 'status',
        building: false,
        flashing: false,
        monitor: true,
        last: { buildMs: 12_300, flashMs: 2100, verifyMs: 300, bytesWritten: 1 },
      }),
    ).toBe(
      '[watch] watching for changes — last cycle: build 12.3 s · flash 2.1 s (verify 0.3 s) — Ctrl+T H keys',
    );
  });

  it('keeps the status line at the bottom of a terminal, below other output', () => {
    let err = '';
    const r = createWatchRenderer({
      stdout: () => {},
      stderr: (t) => {
        err += t;
      },
      tty: true,
      color: false,
      json: false,
      cwd: '/p',
    });
    r.onEvent({ type: 'status', building: true, flashing: false, monitor: false, last: null });
    r.onEvent({ type: 'change', files: ['/p/main/a.c'] });
    expect(err).toBe(
      '\r\x1b[2K[watch] building… — h keys\r\x1b[2K[watch] changed: main/a.c\n\r\x1b[2K[watch] building… — h keys',
    );
  });

  it('prints errors with hint and build tail, and serial text as JSON lines with --json', () => {
    let out = '';
    let err = '';
    const io = {
      stdout: (t: string) => {
        out += t;
      },
      stderr: (t: string) => {
        err += t;
      },
      tty: false,
      color: false,
      cwd: '/p',
    };
    const text = createWatchRenderer({ ...io, json: false });
    text.onEvent({
      type: 'error',
      stage: 'build',
      code: 'build/failed',
      message: 'Build failed',
      hint: 'fix main.c',
      details: { tail: ['main.c:3: error: x'] },
    });
    expect(err).toContain(
      'main.c:3: error: x\n[watch] build failed: build/failed: Build failed\n  hint: fix main.c\n',
    );
    const json = createWatchRenderer({ ...io, json: true });
    json.serial('I (1) boot: he');
    json.serial('llo\nnext');
    json.onEvent({ type: 'build-start' });
    expect(out).toBe(
      '{"type":"serial","event":"serial","text":"I (1) boot: hello"}\n{"type":"build-start","event":"build-start"}\n',
    );
  });
});

describe('snapshotPlan', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('copies the planned images aside and refuses files that changed since planning', async () => {
    dir = await mkdtemp(join(tmpdir(), 'espflash-snap-'));
    const file = join(dir, 'app.bin');
    await writeFile(file, 'v1');
    const plan = fakePlan();
    const sha = '3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe'; // sha256("v1")
    plan.regions = [{ ...regionAt(file), sha256: sha, size: 2 }];
    const snap = await snapshotPlan(plan, join(dir, 'snap'));
    expect(snap.regions[0]!.file).not.toBe(file);
    await writeFile(file, 'v2');
    expect(await readFile(snap.regions[0]!.file, 'utf8')).toBe('v1');
    await expect(snapshotPlan(plan, join(dir, 'snap2'))).rejects.toMatchObject({
      code: 'flash/file-changed',
    });
  });
});
