// `espflash flash` with several --port (in process, sim:// chips on virtual clocks): every good board
// lands, the broken one fails alone, lines carry their port, --json events carry `port`, the summary
// table lists each board, the exit status is 1 when any board failed; `--port all`; --max-parallel.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manyPorts, maxParallelFlag } from '../../src/cli/flows/many-boards.js';
import { main } from '../../src/cli/main.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { openSimUrl, resetSimRegistry } from '../../src/sim/sim-registry.js';
import { runCli } from '../support/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  resetSimRegistry();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-many-cli-'));
  dirs.push(dir);
  await generateExampleBuild({ dir, appSize: 32 * 1024 });
  return dir;
}

const board = (n: number, extra = '') => `sim://esp32?id=cli-${n}&mac=24:0a:c4:00:01:0${n}${extra}`;
const noCache = (dir: string) => ({ ESPFLASH_CACHE_DIR: join(dir, 'cache') });

describe('espflash flash --port a --port b', () => {
  it('flashes every good board, fails the broken one alone, prefixes lines, prints the table, exits 1', async () => {
    const dir = await project();
    const bad = board(9, '&fault=silent');
    const ports = [board(1), bad, board(2)];
    const r = await runCli(
      ['flash', '--no-config', '--build-dir', 'build', ...ports.flatMap((p) => ['--port', p])],
      {
        cwd: dir,
        env: noCache(dir),
      },
    );
    expect(r.code).toBe(1);
    // Progress lines carry their board's port.
    for (const p of [board(1), board(2)]) {
      expect(r.stderr).toMatch(new RegExp(`\\[${p.replace(/[?.*+()[\]]/g, '\\$&')}\\s*\\] .*verified`));
    }
    expect(r.stderr).toContain('boards/some-failed');
    const table = r.stdout.split('\n');
    expect(table[0]).toMatch(/^PORT\s+CHIP\s+MAC\s+TIME\s+RESULT/);
    const row = (p: string) => table.find((l) => l.startsWith(p))!;
    expect(row(board(1))).toMatch(/esp32\s+24:0a:c4:00:01:01\s+.*verified/);
    expect(row(board(2))).toMatch(/esp32\s+24:0a:c4:00:01:02\s+.*verified/);
    expect(row(bad)).toMatch(/FAILED [a-z]+\/[a-z-]+/);
    expect(r.stdout).toContain('2 of 3 boards flashed');
    // The chips hold the app.
    for (const p of [board(1), board(2)]) {
      const t = openSimUrl(p);
      expect(t.device.flash.read(0x10000, 1)[0]).toBe(0xe9);
      await t.close();
    }
  });

  it('--json: every event carries its port, then a boards-summary; exit 0 when all landed', async () => {
    const dir = await project();
    const ports = [board(1), board(2)];
    const r = await runCli(
      [
        'flash',
        '--json',
        '--no-config',
        '--build-dir',
        'build',
        '--max-parallel',
        '1',
        ...ports.flatMap((p) => ['-p', p]),
      ],
      { cwd: dir, env: noCache(dir) },
    );
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.filter(
      (l) => l.type !== undefined && l.type !== 'board-done' && l.type !== 'boards-summary',
    );
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => !ports.includes(e.port as string))).toEqual([]);
    for (const p of ports) {
      expect(events.filter((e) => e.port === p && e.type === 'region-verified').length).toBeGreaterThan(0);
    }
    // --max-parallel 1: the second board starts after the first is done.
    const firstDone = lines.findIndex((l) => l.type === 'board-done');
    const first = lines[firstDone]!.port;
    const secondStart = lines.findIndex((l) => l.port !== undefined && l.port !== first);
    expect(secondStart).toBeGreaterThan(firstDone);
    const summary = lines.at(-1)!;
    expect(summary.event).toBe('boards-summary');
    expect(
      (summary.boards as { port: string; ok: boolean; mac: string }[]).map((b) => [b.port, b.ok, b.mac]),
    ).toEqual([
      [board(1), true, '24:0a:c4:00:01:01'],
      [board(2), true, '24:0a:c4:00:01:02'],
    ]);
  });

  it('draws one bar per board on a terminal, redrawn in place, ending verified', async () => {
    const dir = await project();
    const ports = [board(1), board(2)];
    let stderr = '';
    const code = await main(
      ['flash', '--no-config', '--build-dir', 'build', ...ports.flatMap((p) => ['-p', p])],
      {
        stdout: () => {},
        stderr: (t) => {
          stderr += t;
        },
        env: noCache(dir),
        cwd: dir,
        isTTY: false,
        stderrTTY: true,
        stderrColumns: () => 100,
      },
    );
    expect(code).toBe(0);
    // The two-line bar block moves up over itself to redraw.
    expect(stderr).toContain('\x1b[2A');
    const last = stderr.slice(stderr.lastIndexOf('\x1b[2A'));
    for (const p of ports)
      expect(last).toMatch(new RegExp(`${p.slice(-12).replace(/[?.]/g, '\\$&')}.*verified`));
  });

  it('takes the boards from a port list in the config; one-board commands refuse the list', async () => {
    const dir = await project();
    const ports = [board(1), board(2)];
    await writeFile(join(dir, 'espflash.config.json'), JSON.stringify({ port: ports, buildDir: 'build' }));
    const r = await runCli(['flash'], { cwd: dir, env: noCache(dir) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 of 2 boards flashed');
    for (const p of ports) expect(r.stdout.split('\n').find((l) => l.startsWith(p))).toMatch(/verified/);
    // One --port beats the list.
    const one = await runCli(['flash', '--port', board(3)], { cwd: dir, env: noCache(dir) });
    expect(one.code).toBe(0);
    expect(one.stdout).not.toContain('boards flashed');
    const info = await runCli(['read-flash', '0x0', '0x10', 'x.bin'], { cwd: dir, env: noCache(dir) });
    expect(info.code).toBe(2);
    expect(info.stderr).toContain('boards/one-port-only');
    expect(info.stderr).toContain('espflash.config.json');
  });

  it('board-info and erase-flash run on every board; a broken one fails alone (exit 1)', async () => {
    const bad = board(9, '&fault=silent');
    const info = await runCli(['board-info', '--json', '-p', board(1), '-p', board(2)]);
    expect(info.code).toBe(0);
    const lines = info.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const infos = lines.filter((l) => l.event === 'board-info');
    expect(infos.map((l) => [l.port, l.mac])).toEqual([
      [board(1), '24:0a:c4:00:01:01'],
      [board(2), '24:0a:c4:00:01:02'],
    ]);
    // Fill the flash of board 1, then erase boards 1 and 2 with a broken one between them.
    const t = openSimUrl(board(1));
    t.device.flash.program(0x10000, new Uint8Array(16));
    await t.close();
    const erase = await runCli(['erase-flash', '-p', board(1), '-p', bad, '-p', board(2)]);
    expect(erase.code).toBe(1);
    expect(erase.stdout).toContain('== ' + board(1));
    expect(erase.stdout).toContain('Erased the whole flash');
    expect(erase.stdout).toContain('2 of 3 boards erased');
    expect(erase.stdout.split('\n').find((l) => l.startsWith(bad))).toMatch(/FAILED/);
    const after = openSimUrl(board(1));
    expect(after.device.flash.read(0x10000, 16)).toEqual(new Uint8Array(16).fill(0xff));
    await after.close();
  });

  it('write-bin and erase-region run on every board', async () => {
    const dir = await project();
    const data = new Uint8Array(0x1000).map((_, i) => (i * 7) & 0xff);
    await writeFile(join(dir, 'blob.bin'), data);
    const ports = [board(1), board(2)];
    const w = await runCli(['write-bin', '0x200000', 'blob.bin', ...ports.flatMap((p) => ['-p', p])], {
      cwd: dir,
    });
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('2 of 2 boards written');
    for (const p of ports) {
      const t = openSimUrl(p);
      expect(t.device.flash.read(0x200000, 0x1000)).toEqual(data);
      await t.close();
    }
    const e = await runCli(['erase-region', '0x200000', '0x1000', ...ports.flatMap((p) => ['-p', p])], {
      cwd: dir,
    });
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('2 of 2 boards erased');
    for (const p of ports) {
      const t = openSimUrl(p);
      expect(t.device.flash.read(0x200000, 0x1000)).toEqual(new Uint8Array(0x1000).fill(0xff));
      await t.close();
    }
  });

  it('erase-parts erases a partition by label on every board (labels from the build table)', async () => {
    const dir = await project();
    const ports = [board(1), board(2)];
    for (const p of ports) {
      const t = openSimUrl(p);
      t.device.flash.program(0x9000, new Uint8Array(0x1000).fill(0x11));
      await t.close();
    }
    const r = await runCli(['erase-parts', 'nvs', ...ports.flatMap((p) => ['-p', p])], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 of 2 boards erased');
    expect(r.stdout).toContain('Erased nvs (0x9000');
    for (const p of ports) {
      const t = openSimUrl(p);
      expect(t.device.flash.read(0x9000, 0x1000)).toEqual(new Uint8Array(0x1000).fill(0xff));
      await t.close();
    }
  });

  it('refuses several ports on a one-board command, and a bad --max-parallel', async () => {
    const r = await runCli(['read-flash', '0x0', '0x10', 'x.bin', '-p', board(1), '-p', board(2)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('boards/one-port-only');
    expect(() => maxParallelFlag('0')).toThrow(expect.objectContaining({ code: 'boards/bad-max-parallel' }));
    expect(maxParallelFlag(3)).toBe(3);
  });
});

describe('manyPorts', () => {
  const lister = async () => [
    { path: '/dev/ttyUSB0', likelyEspressif: true },
    { path: '/dev/ttyS0', likelyEspressif: false },
    { path: '/dev/ttyACM1', likelyEspressif: true },
  ];
  it('is null for one port, the list for several, and every likely ESP board for all', async () => {
    expect(await manyPorts(undefined, lister)).toBeNull();
    expect(await manyPorts('/dev/ttyUSB0', lister)).toBeNull();
    expect(await manyPorts(['a', 'b'], lister)).toEqual(['a', 'b']);
    expect(await manyPorts('all', lister)).toEqual(['/dev/ttyUSB0', '/dev/ttyACM1']);
    expect(await manyPorts(['/dev/ttyACM1', 'all'], lister)).toEqual(['/dev/ttyACM1', '/dev/ttyUSB0']);
  });
  it('fails with boards/no-ports when all finds no ESP board', async () => {
    await expect(
      manyPorts('all', async () => [{ path: '/dev/ttyS0', likelyEspressif: false }]),
    ).rejects.toMatchObject({
      code: 'boards/no-ports',
    });
  });
});
