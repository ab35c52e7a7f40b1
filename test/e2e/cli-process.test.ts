// The acceptance flow with real processes: `espflash sim` in the background, then the built
// CLI flashes a generated build over socket:// and over a socat pseudo-terminal, and `read-flash`
// returns exactly the planned bytes at every region. Needs `npm run build` (npm test does it).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { HAVE_SOCAT, SOCAT_SKIP_NOTE } from '../node/support/socat.js';
import { BIN, hasStackTrace, spawnCli } from '../support/cli.js';

const HAVE_BUILD = existsSync(new URL('../../dist/cli-bundle/main.js', import.meta.url));
const NOTE = HAVE_BUILD ? '' : ' [SKIPPED: run `npm run build` first]';

interface Listening {
  host: string;
  port: number;
  pty?: string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGINT');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Start `espflash sim` as a child process and wait for its listening event. */
function startSim(args: string[]): Promise<Listening> {
  const child = spawn(
    process.execPath,
    [BIN, 'sim', '--json', '--no-timing', '--listen', '127.0.0.1:0', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`sim did not start: ${out} ${err}`)), 20_000);
    child.stderr?.on('data', (d) => {
      err += String(d);
    });
    child.stdout?.on('data', (d) => {
      out += String(d);
      for (const line of out.split('\n')) {
        if (!line.trim().startsWith('{')) continue;
        const ev = JSON.parse(line) as { event: string } & Listening;
        if (ev.event === 'listening') {
          clearTimeout(timer);
          resolve(ev);
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`sim exited with ${code}: ${err}`)));
  });
}

interface PlanJsonRegion {
  offset: number;
  size: number;
  file: string;
  role: string;
}

/** Flash the build through `port`, then read every planned region back and compare with its file. */
function flashAndReadBack(port: string, buildDir: string, work: string): void {
  const plan = spawnCli(['plan', '--build-dir', buildDir, '--json'], { cwd: work });
  expect(plan.code, plan.stderr).toBe(0);
  const regions = (JSON.parse(plan.stdout) as { regions: PlanJsonRegion[] }).regions;
  expect(regions.map((r) => r.role)).toEqual(['bootloader', 'partition-table', 'app']);

  const flash = spawnCli(['--port', port, '--build-dir', buildDir], { cwd: work, timeoutMs: 120_000 });
  expect(flash.code, flash.stderr).toBe(0);
  expect(hasStackTrace(flash.stderr)).toBe(false);

  for (const r of regions) {
    const out = join(work, `read-${r.offset}.bin`);
    const read = spawnCli(['read-flash', `0x${r.offset.toString(16)}`, String(r.size), out, '--port', port], {
      cwd: work,
      timeoutMs: 120_000,
    });
    expect(read.code, read.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(r.file)), `region ${r.role} @ ${r.offset}`).toBe(0);
  }
}

describe.skipIf(!HAVE_BUILD)(`espflash sim + the built CLI as separate processes${NOTE}`, () => {
  it('flashes a generated build over socket:// and read-flash returns the planned bytes', async () => {
    const work = mkdtempSync(join(tmpdir(), 'espflash-e2e-'));
    dirs.push(work);
    const { buildDir } = await generateExampleBuild({ dir: work, chip: 'esp32', seed: 11 });
    const sim = await startSim(['--chip', 'esp32']);
    flashAndReadBack(`socket://${sim.host}:${sim.port}`, buildDir, work);
  }, 180_000);

  it.skipIf(!HAVE_SOCAT)(
    `flashes over a real OS pseudo-terminal (sim --pty via socat)${SOCAT_SKIP_NOTE}`,
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'espflash-e2e-pty-'));
      dirs.push(work);
      const { buildDir } = await generateExampleBuild({ dir: work, chip: 'esp32c3', seed: 12 });
      const sim = await startSim(['--chip', 'esp32c3', '--pty', join(work, 'tty')]);
      expect(sim.pty).toBeTruthy();
      flashAndReadBack(sim.pty!, buildDir, work);
    },
    180_000,
  );
});
