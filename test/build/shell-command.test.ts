// Issue 9 #3: a string build.command runs through the shell (`;`, `&&`, exit codes), an array stays
// argv; a failing build is build/failed with its output shown once and a hint that can be pasted.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBuild } from '../../src/build/run-build.js';
import type { EspflashError } from '../../src/errors.js';
import { runCli } from '../support/cli.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'espflash shell build '));
  mkdirSync(join(dir, '.git'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function lines(command: string | string[]): Promise<string[]> {
  const out: string[] = [];
  await runBuild({ projectDir: dir, command, env: process.env, onOutput: (l) => out.push(l) });
  return out;
}

describe('runBuild command forms', () => {
  it("a string runs through the shell: 'echo a && echo b' runs both", async () => {
    expect(await lines('echo a && echo b')).toEqual(['a', 'b']);
  });

  it("a string's exit status is the build's: 'echo building; exit 3' is build/failed", async () => {
    const out: string[] = [];
    const err = (await runBuild({
      projectDir: dir,
      command: 'echo building; exit 3',
      env: process.env,
      onOutput: (l) => out.push(l),
    }).catch((e: unknown) => e)) as EspflashError;
    expect(out).toEqual(['building']);
    expect(err.code).toBe('build/failed');
    expect(err.details.exitCode).toBe(3);
    expect(err.hint).toContain(`Run \`cd '${dir}' && echo building; exit 3\``);
  });

  it('an array stays argv: shell characters are plain words', async () => {
    expect(await lines(['echo', 'a;', 'exit', '3'])).toEqual(['a; exit 3']);
  });

  it('a missing program through the shell is build/command-not-found', async () => {
    const err = (await runBuild({
      projectDir: dir,
      command: 'no-such-build-tool-xyz --all',
      env: process.env,
    }).catch((e: unknown) => e)) as EspflashError;
    expect(err.code).toBe('build/command-not-found');
    expect(err.message).toContain('no-such-build-tool-xyz');
  });
});

describe('CLI with a string build.command', () => {
  it('`espflash build` fails with build/failed (exit 1), the output printed once', async () => {
    writeFileSync(
      join(dir, 'espflash.config.json'),
      JSON.stringify({ build: { command: 'echo building-now; exit 3' } }),
    );
    const r = await runCli(['build'], { cwd: dir, env: process.env as Record<string, string> });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error build\/failed: Build failed \(exit code 3\)/m);
    expect(r.stdout + r.stderr).not.toContain('Build finished');
    expect((r.stdout + r.stderr).split('\n').filter((l) => l === 'building-now')).toHaveLength(1);
  });

  it('`espflash flash --build` flashes nothing when the build fails, output once', async () => {
    writeFileSync(
      join(dir, 'espflash.config.json'),
      JSON.stringify({ build: { command: 'echo compiling-main.c; exit 3' } }),
    );
    const r = await runCli(['flash', '--build', '--port', 'sim://esp32'], {
      cwd: dir,
      env: process.env as Record<string, string>,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error build\/failed:/m);
    expect(r.stderr).not.toContain('Connecting');
    const shown = (r.stdout + r.stderr).split('\n').filter((l) => l === 'compiling-main.c');
    expect(shown).toHaveLength(1);
  });
});
