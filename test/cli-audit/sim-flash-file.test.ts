// Issue 9 #13: `espflash sim --flash-file` in a folder that does not exist fails at start (exit 2)
// instead of serving clients and losing their data when it exits.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let cwd = '';
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'espflash-sim-file-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('sim --flash-file', () => {
  it('a missing folder is sim/flash-file-write before serving', async () => {
    const file = join(cwd, 'missing', 'dir', 'f.bin');
    const r = await runCli(['sim', '--flash-file', file, '--listen', '127.0.0.1:0'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error sim\/flash-file-write: --flash-file .*f\.bin cannot be used: its folder/m,
    );
    expect(r.stdout).not.toMatch(/listening|serving/i);
  });

  it('a directory is refused too', async () => {
    const r = await runCli(['sim', '--flash-file', cwd, '--listen', '127.0.0.1:0'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it is not a file/);
  });
});
