// Issue 9 #2: `espflash demo --dir` never overwrites a project it did not create: a non-empty
// directory without the demo's marker is refused (demo/dir-not-empty) unless --force.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let root = '';
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'espflash-demo-dir-'));
  mkdirSync(join(root, '.git'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('demo --dir', () => {
  it('refuses an existing project and leaves its files alone', async () => {
    const project = join(root, 'myproj');
    mkdirSync(project);
    writeFileSync(join(project, 'CMakeLists.txt'), 'project(mine)\n');
    writeFileSync(join(project, 'partitions.csv'), 'nvs,data,nvs,,0x6000,\n');
    const r = await runCli(['demo', '--dir', project], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error demo\/dir-not-empty:/m);
    expect(r.stderr).toMatch(/hint: .*--force/);
    expect(readFileSync(join(project, 'CMakeLists.txt'), 'utf8')).toBe('project(mine)\n');
    expect(readFileSync(join(project, 'partitions.csv'), 'utf8')).toBe('nvs,data,nvs,,0x6000,\n');
    expect(existsSync(join(project, 'build'))).toBe(false);
  });

  it('--force overwrites it', async () => {
    const project = join(root, 'myproj');
    mkdirSync(project);
    writeFileSync(join(project, 'CMakeLists.txt'), 'project(mine)\n');
    const r = await runCli(['demo', '--dir', project, '--force'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(project, 'CMakeLists.txt'), 'utf8')).not.toBe('project(mine)\n');
  });

  it('a new directory works, and a second demo into it too', async () => {
    const project = join(root, 'fresh');
    expect((await runCli(['demo', '--dir', project], { cwd: root })).code).toBe(0);
    const again = await runCli(['demo', '--dir', project], { cwd: root });
    expect(again.code, again.stderr).toBe(0);
  });
});
