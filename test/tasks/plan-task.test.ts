// `espflash plan --task <name>`: what each step of a task would write, erase or read, and where, with
// the same checks `run` makes and no device opened (the config's port points at nothing listening).

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

async function project(tasks: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-plan-task-'));
  await generateExampleBuild({ dir, appSize: 40 * 1024 });
  await writeFile(join(dir, 'factory_nvs.bin'), new Uint8Array(0x1800).fill(7));
  // Port 9 (discard) on loopback: nothing listens, so any attempt to connect would fail the command.
  await writeFile(
    join(dir, 'espflash.config.ts'),
    `export default { port: 'socket://127.0.0.1:9', tasks: ${tasks} };\n`,
  );
  return dir;
}

const FACTORY = `{ factory: { description: 'Erase, flash, factory NVS, log the MAC', steps: [
  { erase: 'all' }, { flash: {} },
  { write: { partition: 'nvs', file: 'factory_nvs.bin' } },
  { read: { partition: 'nvs', file: 'out/nvs.bin' } },
  { run: 'echo "flashed $ESPFLASH_MAC" >> flashed.txt' } ] } }`;

describe('espflash plan --task', () => {
  it('lists what each step would touch and where, as JSON, without a device', async () => {
    const dir = await project(FACTORY);
    const r = await runCli(['plan', '--task', 'factory', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ type: 'task-plan', task: 'factory' });
    const [erase, flash, write, read, run] = out.steps;
    expect(erase).toMatchObject({ kind: 'erase', ranges: [{ offset: 0, size: null }] });
    expect(flash.kind).toBe('flash');
    expect(flash.ranges.map((x: { offset: number }) => x.offset)).toEqual([0x1000, 0x8000, 0x10000]);
    expect(flash.ranges[2]).toMatchObject({ role: 'app', file: join(dir, 'build', 'hello_world.bin') });
    // The NVS label resolved in the build's partition table.
    expect(write).toMatchObject({
      kind: 'write',
      ranges: [{ offset: 0x9000, size: 0x1800, label: 'nvs', file: join(dir, 'factory_nvs.bin') }],
    });
    expect(read).toMatchObject({ kind: 'read', ranges: [{ offset: 0x9000, size: 0x6000, label: 'nvs' }] });
    expect(run).toMatchObject({ kind: 'run', ranges: [] });
    expect(run.description).toContain('echo "flashed $ESPFLASH_MAC"');
  });

  it('prints the same as text', async () => {
    const dir = await project(FACTORY);
    const r = await runCli(['plan', '--task', 'factory'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Task factory: 5 step(s)');
    expect(r.stdout).toMatch(/2\. flash\n\s+0x1000\s+\d+ bytes\s+bootloader/);
    expect(r.stdout).toMatch(
      /3\. write nvs <- factory_nvs\.bin\n\s+0x9000\s+6144 bytes\s+nvs\s+factory_nvs\.bin/,
    );
  });

  it('makes the checks run makes: an unknown label is exit 2 before anything else', async () => {
    const dir = await project(
      `{ t: { steps: [{ write: { partition: 'nope', file: 'factory_nvs.bin' } }] } }`,
    );
    const r = await runCli(['plan', '--task', 't', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('partition/unknown-label');
  });

  it('an unknown task name is exit 2 listing the tasks', async () => {
    const dir = await project(FACTORY);
    const r = await runCli(['plan', '--task', 'fctory'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('factory');
  });

  it("run --help lists the project's tasks with their descriptions", async () => {
    const dir = await project(FACTORY);
    const r = await runCli(['run', '--help'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Tasks in this project:\n\s+factory\s+Erase, flash, factory NVS, log the MAC/);
  });
});
