// `espflash run <task>` end to end on the virtual ESP32 over TCP: the factory example as
// written (erase all, flash, NVS from a file, a shell step logging the MAC), unknown tasks, a failing
// `run` step, and validation that stops before the device is touched.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { type SimServer, startSimServer } from '../../src/sim/tcp-server.js';
import { runCli } from '../support/cli.js';

const MAC = '24:0a:c4:12:34:56';
const servers: SimServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A project with a generated build, factory_nvs.bin and the config pointing at a new sim. */
async function project(tasks: string): Promise<{ dir: string; sim: SimServer; nvs: Uint8Array }> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-tasks-'));
  await generateExampleBuild({ dir, appSize: 40 * 1024 });
  const nvs = new Uint8Array(0x1800).map((_, i) => (i * 7 + 3) & 0xff);
  await writeFile(join(dir, 'factory_nvs.bin'), nvs);
  const sim = await startSimServer({ chip: 'esp32', port: 0, timing: false, mac: MAC });
  servers.push(sim);
  await writeFile(
    join(dir, 'espflash.config.ts'),
    `export default {
  port: 'socket://127.0.0.1:${sim.port}', before: 'no_reset', after: 'no_reset',
  tasks: ${tasks},
} satisfies EspflashConfig;
`,
  );
  return { dir, sim, nvs };
}

const FACTORY = `{ factory: { description: 'Erase, flash, factory NVS, log the MAC', steps: [
    { erase: 'all' }, { flash: {} },
    { write: { partition: 'nvs', file: 'factory_nvs.bin' } },
    { run: 'echo "flashed $ESPFLASH_MAC" >> flashed.txt' } ] } }`;

const env = { PATH: process.env.PATH };

describe('espflash run <task>', () => {
  it('runs the issue example as written: erased, flashed, NVS written, the MAC logged', async () => {
    const { dir, sim, nvs } = await project(FACTORY);
    // Junk outside every region: the erase must clear it.
    sim.device.flash.program(0x300000, new Uint8Array(4096).fill(0x42));
    const r = await runCli(['run', 'factory'], { cwd: dir, env });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const flash = sim.device.flash;
    expect(flash.read(0x300000, 4096)).toEqual(new Uint8Array(4096).fill(0xff));
    const build = join(dir, 'build');
    const bootloader = new Uint8Array(await readFile(join(build, 'bootloader', 'bootloader.bin')));
    const table = new Uint8Array(await readFile(join(build, 'partition_table', 'partition-table.bin')));
    const app = new Uint8Array(await readFile(join(build, 'hello_world.bin')));
    expect(flash.read(0x1000, bootloader.length)).toEqual(bootloader);
    expect(flash.read(0x8000, table.length)).toEqual(table);
    expect(flash.read(0x10000, app.length)).toEqual(app);
    expect(flash.read(0x9000, nvs.length)).toEqual(nvs);
    // The rest of the NVS partition stays erased.
    expect(flash.read(0x9000 + nvs.length, 0x6000 - nvs.length)).toEqual(
      new Uint8Array(0x6000 - nvs.length).fill(0xff),
    );
    expect(await readFile(join(dir, 'flashed.txt'), 'utf8')).toBe(`flashed ${MAC}\n`);
    expect(r.stderr).toContain('[1/4] erase all');
    expect(r.stderr).toContain('[4/4] run echo');
    // erase, flash and write share one connection.
    expect(r.stderr.match(/Connected to esp32/g)).toHaveLength(1);
  });

  it('write, read back, erase a partition by label, read by offset: in order, files relative to the config', async () => {
    const { dir, nvs } = await project(`{ t: { steps: [
      { flash: { only: 'partition-table' } },
      { write: { partition: 'nvs', file: 'factory_nvs.bin' } },
      { read: { partition: 'nvs', file: 'out/nvs.bin' } },
      { erase: { partitions: ['nvs'] } },
      { read: { offset: '0x9000', size: '4k', file: 'out/after.bin' } } ] } }`);
    const r = await runCli(['run', 't'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const read = new Uint8Array(await readFile(join(dir, 'out', 'nvs.bin')));
    expect(read.length).toBe(0x6000);
    expect(read.subarray(0, nvs.length)).toEqual(nvs);
    expect(new Uint8Array(await readFile(join(dir, 'out', 'after.bin')))).toEqual(
      new Uint8Array(4096).fill(0xff),
    );
  });

  it('--list shows names and descriptions; an unknown name exits 2 listing them', async () => {
    const { dir } = await project(
      `{ ...${FACTORY}, dev: { steps: [ { flash: { only: 'app' } }, { reset: {} } ] } }`,
    );
    const list = await runCli(['run', '--list'], { cwd: dir, env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/factory\s+Erase, flash, factory NVS, log the MAC/);
    expect(list.stdout).toMatch(/dev\s+2 step\(s\)/);
    const r = await runCli(['run', 'factroy'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean 'factory'");
    expect(r.stderr).toContain('factory, dev');
  });

  it('a failing run step stops the task with task/step-failed; later steps do not run', async () => {
    const { dir, sim } = await project(`{ t: { steps: [
      { write: { offset: 0x200000, file: 'factory_nvs.bin' } },
      { run: 'exit 3' },
      { erase: { offset: 0x200000, size: 0x2000 } } ] } }`);
    const r = await runCli(['run', 't', '--json'], { cwd: dir, env });
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const error = lines.find((l) => l.error)?.error ?? lines.at(-1);
    expect(JSON.stringify(error)).toContain('task/step-failed');
    expect(JSON.stringify(error)).toContain('exit code 3');
    expect(lines.filter((l) => l.type === 'task-step-done').map((l) => l.index)).toEqual([0]);
    // The erase after the failed step never ran: the written bytes are still there.
    expect(sim.device.flash.read(0x200000, 16)).toEqual(
      new Uint8Array(await readFile(join(dir, 'factory_nvs.bin'))).slice(0, 16),
    );
  });

  it('stops before touching the device: unknown partition label, missing file', async () => {
    for (const [tasks, code] of [
      [
        `{ t: { steps: [ { erase: 'all' }, { write: { partition: 'nvs_keys', file: 'factory_nvs.bin' } } ] } }`,
        'partition/unknown-label',
      ],
      [
        `{ t: { steps: [ { erase: 'all' }, { write: { partition: 'nvs', file: 'missing.bin' } } ] } }`,
        'task/file-not-found',
      ],
      [`{ t: { steps: [ { erase: 'all' }, { wrte: {} } ] } }`, 'config/unknown-key'],
    ] as const) {
      const { dir, sim } = await project(tasks);
      sim.device.flash.program(0x300000, new Uint8Array(16).fill(0x42));
      const r = await runCli(['run', 't'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(code);
      expect(sim.clients).toBe(0);
      // Not erased: no step ran.
      expect(sim.device.flash.read(0x300000, 16)).toEqual(new Uint8Array(16).fill(0x42));
    }
  });
});

describe('espflash run <task> on many boards', () => {
  it('runs the factory task on two boards at once, each with its own connection and MAC', async () => {
    const { dir, sim: first, nvs } = await project(FACTORY);
    const second = await startSimServer({ chip: 'esp32', port: 0, timing: false, mac: '24:0a:c4:00:00:02' });
    servers.push(second);
    const ports = [first, second].map((s) => `socket://127.0.0.1:${s.port}`);
    const r = await runCli(['run', 'factory', '--port', ports[0]!, '--port', ports[1]!], { cwd: dir, env });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    for (const sim of [first, second]) expect(sim.device.flash.read(0x9000, nvs.length)).toEqual(nvs);
    // Each board's run step saw its own MAC.
    const log = (await readFile(join(dir, 'flashed.txt'), 'utf8')).split('\n').filter(Boolean).sort();
    expect(log).toEqual([`flashed 24:0a:c4:00:00:02`, `flashed ${MAC}`].sort());
    // The summary names both boards.
    for (const p of ports) expect(r.stdout).toContain(p);
  });

  it('refuses a task with a monitor step on several boards (it watches one)', async () => {
    const { dir, sim } = await project(`{ dev: { steps: [{ flash: { only: 'app' } }, { monitor: {} }] } }`);
    const r = await runCli(
      ['run', 'dev', '--port', `socket://127.0.0.1:${sim.port}`, '--port', 'socket://127.0.0.1:9'],
      {
        cwd: dir,
        env,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('boards/one-port-only');
  });
});
