// Ctrl+C during a device operation exits 130 (the code table's status for `cli/interrupted`), as the
// README documents. The built CLI as a child reads flash from `espflash sim` over socket:// (a real
// socket, so the signal is handled while the read runs) and gets SIGINT once progress shows.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/espflash.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

describe('Ctrl+C during a device operation', () => {
  it('stops the read, reports cli/interrupted and exits 130', async () => {
    if (!existsSync(join(import.meta.dirname, '../../dist/cli-bundle/main.js')))
      throw new Error('dist/ is not built: run `npm run build` (npm test builds first)');
    const sim = start(['sim', '--json', '--listen', '127.0.0.1:0', '--flash-size', '16MB']);
    let simOut = '';
    const port = await new Promise<number>((resolve, reject) => {
      sim.stdout!.on('data', (d: Buffer) => {
        simOut += d;
        const m = /"port":(\d+)/.exec(simOut);
        if (m) resolve(Number(m[1]));
      });
      sim.on('exit', (code) => reject(new Error(`espflash sim exited ${code}: ${simOut}`)));
    });
    const dir = mkdtempSync(join(tmpdir(), 'espflash-int-'));
    dirs.push(dir);
    // The ROM path (--no-stub) reads 64 bytes a command: 16 MiB takes far longer than the signal.
    const cli = start([
      'read-flash',
      '0',
      '16M',
      join(dir, 'out.bin'),
      '--port',
      `socket://127.0.0.1:${port}`,
      '--no-stub',
      '--before',
      'no-reset',
      '--json',
    ]);
    let out = '';
    let sent = false;
    cli.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (!sent && out.includes('"read-progress"')) {
        sent = true;
        cli.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => cli.on('exit', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; code?: string });
    expect(events.at(-1)).toMatchObject({ event: 'error', code: 'cli/interrupted' });
    expect(events.some((e) => e.event === 'read')).toBe(false);
  });
});
