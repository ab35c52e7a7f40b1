// Issue 9 (smaller): `plan --json` puts warnings into its one JSON object instead of plain text on stderr.

import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

let dir = '';
let buildDir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-plan-json-'));
  mkdirSync(join(dir, '.git'));
  buildDir = (await generateExampleBuild({ dir: join(dir, 'proj'), chip: 'esp32' })).buildDir;
  const old = Date.now() / 1000 - 3600;
  utimesSync(join(buildDir, 'hello_world.bin'), old, old);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plan --json', () => {
  it('carries warnings in the object; stderr stays empty', async () => {
    const r = await runCli(['plan', '--build-dir', buildDir, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const plan = JSON.parse(lines[0]!);
    expect(plan.warnings).toEqual([expect.stringMatching(/hello_world\.bin \(app\) is older than/)]);
  });
});
