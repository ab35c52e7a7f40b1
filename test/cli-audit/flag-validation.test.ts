// Issue 9 #11 and smaller items: flags are validated like the config before connecting.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let cwd = '';
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'espflash-flags-'));
  mkdirSync(join(cwd, '.git'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('--baud is validated like the config baud', () => {
  it('--baud 99999999 is a usage error before connecting', async () => {
    const r = await runCli(['board-info', '--port', 'sim://esp32', '--baud', '99999999'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error usage\/invalid-value: --baud '99999999'/m);
    expect(r.stderr).not.toContain('Connecting');
  });

  it('ESPFLASH_BAUD=99999999 is refused the same way', async () => {
    const r = await runCli(['board-info', '--port', 'sim://esp32'], {
      cwd,
      env: { ESPFLASH_BAUD: '99999999' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ESPFLASH_BAUD/);
    expect(r.stderr).not.toContain('Connecting');
  });

  it('--baud 20000000 (the config maximum) is still accepted by the parser', async () => {
    const r = await runCli(['plan', '--build-dir', join(cwd, 'nope'), '--baud', '20000000'], { cwd });
    expect(r.stderr).not.toMatch(/--baud/);
  });
});
