// Issue 9 #12: `monitor --log-file` naming a path that cannot be written fails with the real cause
// (monitor/log-file-failed, naming the file) before the port is opened, not transport/closed.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let cwd = '';
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'espflash-monitor-log-'));
  mkdirSync(join(cwd, '.git'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('monitor --log-file', () => {
  it('a missing folder is monitor/log-file-failed naming the file, exit 2', async () => {
    const file = join(cwd, 'missing', 'dir', 'x.log');
    const r = await runCli(['monitor', '--port', 'sim://esp32', '--log-file', file], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^error monitor/log-file-failed: .*${file.replace(/[/.]/g, '\\$&')}`, 'm'),
    );
    expect(r.stderr).not.toContain('transport/closed');
  });
});
