// runTaskMany (the API): a task on several virtual boards at once, each with its own connection; a
// board whose port refuses the connection fails alone.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { type SimServer, startSimServer } from '../../src/sim/tcp-server.js';
import { runTaskMany } from '../../src/tasks/run-task-many.js';

const servers: SimServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('runTaskMany', () => {
  it('writes the file into the NVS partition of every live board; the dead port fails alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-task-many-'));
    const { buildDir } = await generateExampleBuild({ dir, appSize: 16 * 1024 });
    const nvs = new Uint8Array(0x1000).map((_, i) => (i * 13 + 1) & 0xff);
    await writeFile(join(dir, 'nvs.bin'), nvs);
    const sims = [
      await startSimServer({ chip: 'esp32', port: 0, timing: false, mac: '24:0a:c4:00:00:01' }),
      await startSimServer({ chip: 'esp32', port: 0, timing: false, mac: '24:0a:c4:00:00:02' }),
    ];
    servers.push(...sims);
    const ports = [...sims.map((s) => `socket://127.0.0.1:${s.port}`), 'socket://127.0.0.1:9'];
    const seen = new Set<string>();
    const outcomes = await runTaskMany({
      ports,
      task: {
        task: 'nvs',
        steps: [{ kind: 'write', at: { partition: 'nvs' }, file: 'nvs.bin', path: 'tasks.nvs.steps[0]' }],
        baseDir: dir,
        projectDir: dir,
        buildDir,
        after: 'no_reset',
        planFor: () => Promise.reject(new Error('no flash step')),
      },
      device: { before: 'no_reset' },
      onEvent: (e) => seen.add(e.port),
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    for (const sim of sims) expect(sim.device.flash.read(0x9000, nvs.length)).toEqual(nvs);
    expect(outcomes[0]!.value?.mac).toBe('24:0a:c4:00:00:01');
    expect(outcomes[1]!.value?.mac).toBe('24:0a:c4:00:00:02');
    expect(outcomes[2]!.error).toMatchObject({ code: expect.stringMatching(/^port\//) });
    // Every live board's events arrive tagged with its own port.
    expect([...seen]).toEqual(expect.arrayContaining(ports.slice(0, 2)));
  });
});
