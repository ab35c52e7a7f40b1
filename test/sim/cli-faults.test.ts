// `espflash sim --fault … --seed …`: bad specs exit 2 in process; a real run in a child process lists
// the faults in its --json listening event and the device behaves accordingly over TCP.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { flashBegin, flashData, status } from './support/fault-host.js';
import { TestHost } from './support/host.js';
import { connectTcp } from './support/socket-transport.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const runner = fileURLToPath(new URL('./support/run-cli.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('espflash sim --fault: bad specs', () => {
  it.each([
    [['--fault', 'explode'], '"explode"', '--fault'],
    [['--fault', 'status=0xC1'], '"status=0xC1"', '--fault'],
    [['--fault', 'corrupt=1e-4,drop=7'], '"drop=7"', '--fault'],
    [['--seed', 'abc'], '"abc"', '--seed'],
  ])('%j exits 2 with sim/bad-fault naming %s and a hint naming %s', async (argv, token, flag) => {
    const r = await runCli(['sim', ...argv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sim/bad-fault');
    expect(r.stderr).toContain(token);
    expect(r.stderr).toMatch(new RegExp(`hint: .*${flag}`));
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('documents --fault and --seed in --help', async () => {
    const r = await runCli(['sim', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--fault');
    expect(r.stdout).toContain('disconnect-at=BYTES|@SEQ');
    expect(r.stdout).toContain('--seed');
  });
});

function startSim(
  args: string[],
  ready = '"listening"',
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
      const line = stdout.split('\n').find((l) => l.includes(ready));
      if (line)
        resolve({ child, listening: ready === '"listening"' ? JSON.parse(line) : {}, out: () => stdout });
    });
    child.on('exit', (code) => reject(new Error(`sim exited early (${code}): ${stderr}`)));
  });
}

describe('espflash sim --fault: running', () => {
  it('lists the faults and seed in the listening event and injects them', async () => {
    const { listening } = await startSim([
      '--listen',
      '127.0.0.1:0',
      '--no-timing',
      '--json',
      '--fault',
      'corrupt-tx=0',
      '--fault',
      'status=0x0108@1,slow-erase=2',
      '--seed',
      '7',
    ]);
    expect(listening).toMatchObject({
      event: 'listening',
      chip: 'esp32',
      faults: ['corrupt-tx=0', 'status=0x108@1', 'slow-erase=2'],
      seed: 7,
    });
    const transport = await connectTcp('127.0.0.1', listening.port as number);
    try {
      const host = new TestHost(transport);
      await flashBegin(host, { offset: 0x10000, blockSize: 0x400, blocks: 2, rom: true });
      expect(status(await flashData(host, 0, new Uint8Array(0x400)))).toEqual([0, 0]);
      expect(status(await flashData(host, 1, new Uint8Array(0x400)))).toEqual([1, 0x08]);
    } finally {
      await transport.close();
    }
  });

  it('prints the faults and seed in the human-readable banner', async () => {
    const { out } = await startSim(
      ['--listen', '127.0.0.1:0', '--no-timing', '--fault', 'noise=8,wrong-boot', '--seed', '3'],
      'Press Ctrl+C',
    );
    expect(out()).toContain('  faults: noise=8, wrong-boot (seed 3)');
  });
});
