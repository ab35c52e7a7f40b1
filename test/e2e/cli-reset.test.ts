// Issue 9 #9: `reset` says what was done. Over socket:// (no DTR/RTS) the chip is not reset: a coded
// error, not "Reset (hard-reset)"; `--after watchdog_reset` on an ESP32 says it did a hard reset.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimServer, startSimServer } from '../../src/sim/tcp-server.js';
import { runCli } from '../support/cli.js';

let cwd = '';
let server: SimServer | null = null;
beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'espflash-reset-'));
  mkdirSync(join(cwd, '.git'));
  server = await startSimServer({ chip: 'esp32', port: 0 });
});
afterAll(async () => {
  await server?.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('espflash reset', () => {
  it('over socket:// it fails with reset/not-reset instead of claiming a hard reset', async () => {
    const r = await runCli(['reset', '--port', `socket://127.0.0.1:${server!.port}`], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error reset\/not-reset: the chip was not reset/m);
    expect(r.stdout).not.toContain('Reset (');
  });

  it('--after watchdog_reset on an ESP32 reports the hard reset it did', async () => {
    const r = await runCli(['reset', '--port', 'sim://esp32', '--after', 'watchdog_reset', '--json'], {
      cwd,
    });
    expect(r.code, r.stderr).toBe(0);
    const done = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.event === 'reset-done');
    expect(done).toEqual({
      type: 'reset-done',
      event: 'reset-done',
      mode: 'hard_reset',
      asked: 'watchdog_reset',
    });
  });

  it('a plain hard reset on sim:// says hard-reset', async () => {
    const r = await runCli(['reset', '--port', 'sim://esp32'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Reset (hard-reset)');
  });
});
