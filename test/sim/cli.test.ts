// `espflash sim` on the command line: flag validation (in process), and a real run in a child
// process: prints where it listens, serves the device, saves the flash file on SIGINT.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { dataBody, expectOk, TestHost, words, xorChecksum } from './support/host.js';
import { connectTcp } from './support/socket-transport.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const runner = fileURLToPath(new URL('./support/run-cli.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('espflash sim: bad flags', () => {
  it.each([
    [['sim', '--chip', 'esp99'], 'sim/bad-chip', '--chip'],
    [['sim', '--flash-size', '3MB'], 'sim/bad-flash-size', '--flash-size'],
    [['sim', '--flash-size', 'huge'], 'sim/bad-flash-size', '--flash-size'],
    [['sim', '--listen', 'localhost'], 'sim/bad-listen', '--listen'],
    [['sim', '--mac', '12:34'], 'sim/bad-mac', '--mac'],
    [['sim', '--chip', 'esp8266', '--secure-download'], 'sim/no-secure-download', '--secure-download'],
  ])('%j exits 2 with %s and a hint naming %s', async (argv, code, flag) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
    expect(r.stderr).toMatch(new RegExp(`hint: .*${flag}`));
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('reports errors as JSON with --json', async () => {
    const r = await runCli(['sim', '--chip', 'nope', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ event: 'error', code: 'sim/bad-chip' });
  });

  it('lists the sim command and its examples in --help', async () => {
    const r = await runCli(['sim', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--no-timing');
    expect(r.stdout).toContain('--flash-file');
  });
});

/** Start `espflash sim` in a child; resolves with the parsed "listening" line. */
function startSim(
  args: string[],
): Promise<{ child: ChildProcess; listening: Record<string, unknown>; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, 'sim', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve({ child, listening: JSON.parse(line), out: () => stdout });
    });
    child.on('exit', (code) => reject(new Error(`sim exited early (${code}): ${stderr}`)));
  });
}

describe('espflash sim: running', () => {
  it('listens, serves the device, and saves the flash file on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espflash-sim-cli-'));
    const file = join(dir, 'flash.bin');
    const { child, listening, out } = await startSim([
      '--listen',
      '127.0.0.1:0',
      '--no-timing',
      '--json',
      '--flash-size',
      '1MB',
      '--flash-file',
      file,
    ]);
    expect(listening).toMatchObject({
      event: 'listening',
      host: '127.0.0.1',
      chip: 'esp32',
      flashSize: 1024 * 1024,
    });
    const tcp = await connectTcp('127.0.0.1', listening.port as number);
    const host = new TestHost(tcp);
    await expectOk(host, 0x0d, words(0, 0));
    await expectOk(host, 0x02, words(0x400, 1, 0x400, 0x3000));
    const block = new Uint8Array(0x400).fill(0x5a);
    await expectOk(host, 0x03, dataBody(block, 0), xorChecksum(block));
    await tcp.close();
    while (!out().includes('client-disconnected')) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const events = out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).event);
    expect(events).toEqual(['listening', 'client-connected', 'client-disconnected', 'stopped']);
    const saved = readFileSync(file);
    expect(saved.length).toBe(1024 * 1024);
    expect(saved[0x3000]).toBe(0x5a);
    expect(saved[0x2fff]).toBe(0xff);
  }, 30_000);
});
