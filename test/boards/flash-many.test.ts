// flashMany: one plan to several in-process virtual chips at once (sim:// ports, each `id=` its own
// chip with its own MAC): every good board lands verified while a broken one fails on its own, events
// carry their port, maxParallel bounds the boards in flight, fast reflash remembers each board apart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BoardEvent, flashMany } from '../../src/api/flash-many.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { openSimUrl, resetSimRegistry } from '../../src/sim/sim-registry.js';

const dirs: string[] = [];
afterEach(async () => {
  resetSimRegistry();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function project(): Promise<string> {
  const dir = await tempDir('espflash-flash-many-');
  await generateExampleBuild({ dir, appSize: 48 * 1024 });
  return join(dir, 'build');
}

const board = (n: number, extra = '') =>
  `sim://esp32?id=many-${n}&mac=24:0a:c4:00:00:${n.toString(16).padStart(2, '0')}${extra}`;

/** The bytes a pinned sim chip holds at `offset`. */
function flashOf(url: string, offset: number, size: number): Uint8Array {
  const t = openSimUrl(url);
  const bytes = t.device.flash.read(offset, size);
  void t.close();
  return bytes;
}

describe('flashMany', () => {
  it('flashes every good board verified while a broken one fails alone, events tagged by port', async () => {
    const buildDir = await project();
    const good = [board(1), board(2), board(3)];
    const bad = board(9, '&fault=silent');
    const ports = [good[0]!, bad, good[1]!, good[2]!];
    const events: BoardEvent[] = [];
    const done: string[] = [];
    const result = await flashMany({
      ports,
      buildDir,
      connectAttempts: 2,
      onEvent: (e) => events.push(e),
      onBoardDone: (b) => done.push(b.port),
    });
    expect(result.ok).toBe(false);
    expect(result.boards.map((b) => b.port)).toEqual(ports);
    expect(done.sort()).toEqual([...ports].sort());
    const failed = result.boards.filter((b) => !b.ok);
    expect(failed.map((b) => b.port)).toEqual([bad]);
    expect(failed[0]!.error).toBeInstanceOf(Error);
    expect((failed[0]!.error as { code?: string }).code).toMatch(/^[a-z]+\/[a-z-]+$/);
    for (const [i, url] of good.entries()) {
      const b = result.boards.find((r) => r.port === url)!;
      expect(b.ok).toBe(true);
      expect(b.chip).toBe('esp32');
      expect(b.mac).toBe(`24:0a:c4:00:00:0${i + 1}`);
      expect(b.summary!.regions.every((r) => r.verified && r.status === 'written')).toBe(true);
      const app = result.plan.regions.find((r) => r.role === 'app')!;
      expect(flashOf(url, app.offset, 1)[0]).toBe(0xe9);
      // Every board reported its own progress and verification, tagged with its port.
      const mine = events.filter((e) => e.port === url);
      expect(mine.filter((e) => e.type === 'region-verified')).toHaveLength(result.plan.regions.length);
      expect(mine.some((e) => e.type === 'connected')).toBe(true);
    }
    expect(events.filter((e) => e.port === bad).some((e) => e.type === 'region-verified')).toBe(false);
    expect(events.every((e) => ports.includes(e.port))).toBe(true);
  });

  it('keeps at most maxParallel boards in flight and still flashes them all', async () => {
    const buildDir = await project();
    const ports = [board(1), board(2), board(3), board(4), board(5)];
    const active = new Set<string>();
    let peak = 0;
    const result = await flashMany({
      ports,
      buildDir,
      maxParallel: 2,
      onEvent: (e) => {
        active.add(e.port);
        peak = Math.max(peak, active.size);
      },
      onBoardDone: (b) => active.delete(b.port),
    });
    expect(result.ok).toBe(true);
    expect(peak).toBe(2);
    expect(result.boards.every((b) => b.ok)).toBe(true);
  });

  it('remembers each board apart for fast reflash (cache keyed by chip + MAC)', async () => {
    const buildDir = await project();
    const cacheDir = await tempDir('espflash-flash-many-cache-');
    const ports = [board(1), board(2), board(3)];
    const first = await flashMany({ ports, buildDir, fastReflash: { dir: cacheDir } });
    expect(first.ok).toBe(true);
    // Another chip with a new MAC joins: it gets everything written, the others skip what they hold.
    const second = await flashMany({ ports: [...ports, board(4)], buildDir, fastReflash: { dir: cacheDir } });
    expect(second.ok).toBe(true);
    for (const b of second.boards.slice(0, 3)) {
      expect(b.summary!.bytesWritten).toBe(0);
    }
    expect(second.boards[3]!.summary!.bytesWritten).toBeGreaterThan(0);
  });

  it('refuses an empty list, a port named twice and a bad maxParallel before touching a board', async () => {
    await expect(flashMany({ ports: [], buildDir: '/nowhere' })).rejects.toMatchObject({
      code: 'boards/no-ports',
    });
    await expect(flashMany({ ports: [board(1), board(1)], buildDir: '/nowhere' })).rejects.toMatchObject({
      code: 'boards/duplicate-port',
    });
    await expect(
      flashMany({ ports: [board(1)], maxParallel: 0, buildDir: '/nowhere' }),
    ).rejects.toMatchObject({
      code: 'boards/bad-max-parallel',
    });
  });
});
