import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { type WatchProject, watchProject } from './support/project.js';

const POLL = { timeout: 20_000, interval: 50 };

/** JSON lines of stdout. */
const events = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** CLI io with a writable stdin (keys) and captured output. */
function interactive(cwd: string) {
  const stdin = new PassThrough();
  let stdout = '';
  let stderr = '';
  return {
    stdout: (t: string) => {
      stdout += t;
    },
    stderr: (t: string) => {
      stderr += t;
    },
    env: {},
    cwd,
    isTTY: false,
    stdin,
    out: () => stdout,
    err: () => stderr,
  };
}

describe('espflash watch / flash --build / flash --monitor on the virtual ESP32', () => {
  let p: WatchProject | null = null;
  afterEach(async () => {
    await p?.cleanup();
    p = null;
  });

  async function project(): Promise<WatchProject> {
    p = await watchProject();
    await writeFile(
      join(p.projectDir, 'espflash.config.json'),
      JSON.stringify({ port: p.port, build: { command: p.buildCommand } }),
    );
    return p;
  }

  it('watch --build --json builds, flashes and prints one event per line', async () => {
    const w = await project();
    await w.setSeed(4);
    const r = await runCli(['watch', '--build', '--json', '--max-cycles', '1'], { cwd: w.projectDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = events(r.stdout).map((e) => e.event);
    expect(names).toEqual([
      'watching',
      'build-start',
      'build-done',
      'flash-start',
      'flash-done',
      'cycle-done',
      'closed',
    ]);
    const done = events(r.stdout).find((e) => e.event === 'flash-done')!;
    expect(done).toMatchObject({ bytesWritten: expect.any(Number), skipped: [] });
    const app = await w.appImage();
    expect(await w.flash(0x10000, app.length)).toEqual(app);
  });

  it('watch without --build flashes the current outputs once at start and prints a status line', async () => {
    const w = await project();
    const r = await runCli(['watch', '--max-cycles', '1', '--build-dir', w.buildDir], { cwd: w.projectDir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[watch] watching');
    expect(r.stderr).toMatch(/\[watch\] flashed \d+\.\d KiB in \d+\.\d s \(verify \d+\.\d s\)/);
    expect(r.stderr).toMatch(/last cycle: flash \d+\.\d s/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('watch --build --max-cycles 1 exits 1 after a failed build, with the error event and nothing flashed', async () => {
    const w = await project();
    await w.setSeed(0);
    const r = await runCli(['watch', '--build', '--json', '--max-cycles', '1'], { cwd: w.projectDir });
    expect(r.code).toBe(1);
    const error = events(r.stdout).find((e) => e.event === 'error');
    expect(error).toMatchObject({
      code: 'build/failed',
      stage: 'build',
      message: expect.stringContaining('exit code 1'),
    });
    expect(events(r.stdout).some((e) => e.event === 'flash-start')).toBe(false);
    expect(existsSync(w.flashFile)).toBe(false);
  });

  it('rejects a --debounce or --max-cycles that is not a usable number', async () => {
    const w = await project();
    const r = await runCli(['watch', '--debounce', 'soon'], { cwd: w.projectDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-value');
    expect(r.stderr).toContain('--debounce');
    const cycles = await runCli(['watch', '--max-cycles', '0'], { cwd: w.projectDir });
    expect(cycles.code).toBe(2);
    expect(cycles.stderr).toContain('--max-cycles');
  });

  it('flash --build: a failed build flashes nothing; a good one is flashed', async () => {
    const w = await project();
    await w.setSeed(0);
    const bad = await runCli(['flash', '--build'], { cwd: w.projectDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('build/failed');
    expect(bad.stderr).toContain('main/app.c:3:1: error');
    expect(existsSync(w.flashFile)).toBe(false);
    await w.setSeed(5);
    const good = await runCli(['--build'], { cwd: w.projectDir });
    expect(good.code).toBe(0);
    expect(good.stderr).toContain('Build finished in');
    const app = await w.appImage();
    expect(await w.flash(0x10000, app.length)).toEqual(app);
  });

  it('watch --monitor hands the port to the flasher and back; the log continues after Ctrl+T R', async () => {
    const w = await project();
    const io = interactive(w.projectDir);
    const run = main(['watch', '--monitor', '--build-dir', w.buildDir], io);
    await expect.poll(() => io.err(), POLL).toContain('[watch] flashed');
    await expect.poll(() => io.err(), POLL).toContain('monitor on');
    // The monitor resets the chip after the flash (boot log on screen), then Ctrl+T R boots it again.
    const booted = () => io.out().match(/espflash sim: application running/g)?.length ?? 0;
    await expect.poll(booted, POLL).toBe(1);
    io.stdin.write(Uint8Array.of(0x14, 0x72));
    await expect.poll(booted, POLL).toBe(2);
    io.stdin.write(Uint8Array.of(0x14, 0x66)); // Ctrl+T F: full reflash while monitoring
    await expect.poll(() => io.err().match(/\[watch\] flashed/g)?.length, POLL).toBe(2);
    io.stdin.write(Uint8Array.of(0x1d));
    expect(await run).toBe(0);
    expect(io.err()).not.toContain('failed');
  });

  it('flash --monitor opens the monitor on the flashed port; Ctrl+T R resets, Ctrl+] quits', async () => {
    const w = await project();
    const io = interactive(w.projectDir);
    const run = main(['flash', '-M'], io);
    await expect.poll(() => io.err(), POLL).toContain('--- monitor on sim://esp32');
    io.stdin.write(Uint8Array.of(0x14, 0x72)); // Ctrl+T R: the sim chip boots the flashed app
    await expect.poll(() => io.out(), POLL).toContain('espflash sim: application running');
    io.stdin.write(Uint8Array.of(0x1d));
    expect(await run).toBe(0);
    expect(io.out()).toContain('every region verified by MD5');
  });

  // Issue 9 #15: the first lines after the flash's reset are on screen without pressing anything.
  it('flash --monitor shows the boot log of the flashed app on its own', async () => {
    const w = await project();
    const io = interactive(w.projectDir);
    const run = main(['flash', '-M'], io);
    await expect.poll(() => io.out(), POLL).toContain('espflash sim: application running');
    expect(io.out()).toContain('rst:0x1');
    io.stdin.write(Uint8Array.of(0x1d));
    expect(await run).toBe(0);
  });

  it('flash --monitor on a plain sim:// port monitors the chip it flashed, not a new blank one', async () => {
    const w = await project();
    const io = interactive(w.projectDir);
    const run = main(['flash', '-M', '--port', 'sim://esp32'], io);
    await expect.poll(() => io.out(), POLL).toContain('espflash sim: application running');
    expect(io.out()).not.toContain('invalid header');
    io.stdin.write(Uint8Array.of(0x1d));
    expect(await run).toBe(0);
  });

  it('watch --monitor shows the boot log after each flash on its own', async () => {
    const w = await project();
    const io = interactive(w.projectDir);
    const run = main(['watch', '--monitor', '--build-dir', w.buildDir], io);
    await expect.poll(() => io.out(), POLL).toContain('espflash sim: application running');
    io.stdin.write(Uint8Array.of(0x1d));
    expect(await run).toBe(0);
  });
});
