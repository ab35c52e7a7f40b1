import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceKey, listCachedDevices, openDeviceCache } from '../../src/flash/device-cache.js';
import type { Logger } from '../../src/logger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'espflash-device-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MAC = '24:6F:28:AA:BB:CC';
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function bytes(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed * 7) & 0xff);
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m) };
}

describe('openDeviceCache', () => {
  it('keeps what was put across store objects (a new process), keyed by chip and MAC', async () => {
    const a = bytes(10_000, 1);
    const first = await openDeviceCache({ dir, chip: 'esp32', mac: MAC });
    expect(first.get(0x10000)).toBeNull();
    await first.put({ offset: 0x10000, bytes: a, md5: md5(a) });

    const again = await openDeviceCache({ dir, chip: 'esp32', mac: MAC });
    const hit = again.get(0x10000);
    expect(hit?.bytes).toEqual(a);
    expect(hit).toMatchObject({ offset: 0x10000, size: 10_000, md5: md5(a), sha256: sha(a) });
    expect(again.file).toBe(join(dir, 'devices', 'esp32-246f28aabbcc.json'));
    expect(existsSync(join(dir, 'blobs', sha(a)))).toBe(true);
    // Another chip or another MAC is another device.
    expect((await openDeviceCache({ dir, chip: 'esp32s3', mac: MAC })).get(0x10000)).toBeNull();
    expect((await openDeviceCache({ dir, chip: 'esp32', mac: '24:6f:28:aa:bb:cd' })).get(0x10000)).toBeNull();
    expect(listCachedDevices(dir)).toEqual(['esp32-246f28aabbcc']);
  });

  it('drops entries a new region overlaps, and forgets on request', async () => {
    const cache = await openDeviceCache({ dir, chip: 'esp32', mac: MAC });
    const boot = bytes(0x2000, 2);
    const table = bytes(0xc00, 3);
    await cache.put({ offset: 0x1000, bytes: boot, md5: md5(boot) });
    await cache.put({ offset: 0x8000, bytes: table, md5: md5(table) });
    const big = bytes(0x6000, 4);
    await cache.put({ offset: 0x3000, bytes: big, md5: md5(big) }); // covers 0x3000..0x9000
    expect(cache.list().map((r) => r.offset)).toEqual([0x1000, 0x3000]);
    await cache.forget(0x1000);
    const reopened = await openDeviceCache({ dir, chip: 'esp32', mac: MAC });
    expect(reopened.list().map((r) => r.offset)).toEqual([0x3000]);
  });

  it('ignores a corrupt device file (logged), and a later put replaces it', async () => {
    const logger = recordingLogger();
    await mkdir(join(dir, 'devices'), { recursive: true });
    await writeFile(join(dir, 'devices', 'esp32-246f28aabbcc.json'), '{"version":1,"regions":[{"offset":');
    const cache = await openDeviceCache({ dir, chip: 'esp32', mac: MAC, logger });
    expect(cache.list()).toEqual([]);
    expect(logger.warnings.join('\n')).toMatch(/ignored: not JSON/);
    const a = bytes(100, 5);
    await cache.put({ offset: 0x10000, bytes: a, md5: md5(a) });
    expect((await openDeviceCache({ dir, chip: 'esp32', mac: MAC })).get(0x10000)?.bytes).toEqual(a);
  });

  it('ignores a record of the wrong shape', async () => {
    const logger = recordingLogger();
    await mkdir(join(dir, 'devices'), { recursive: true });
    const file = join(dir, 'devices', 'esp32-246f28aabbcc.json');
    await writeFile(file, JSON.stringify({ version: 1, regions: [{ offset: -1, size: 1, md5: 'x' }] }));
    expect((await openDeviceCache({ dir, chip: 'esp32', mac: MAC, logger })).list()).toEqual([]);
    expect(logger.warnings.join('\n')).toMatch(/malformed/);
  });

  it('drops an entry whose blob was damaged, and deletes the blob', async () => {
    const a = bytes(5000, 6);
    const b = bytes(6000, 7);
    const cache = await openDeviceCache({ dir, chip: 'esp32', mac: MAC });
    await cache.put({ offset: 0x10000, bytes: a, md5: md5(a) });
    await cache.put({ offset: 0x20000, bytes: b, md5: md5(b) });
    const blob = join(dir, 'blobs', sha(a));
    const damaged = new Uint8Array(await readFile(blob));
    damaged[100] = damaged[100]! ^ 1;
    await writeFile(blob, damaged);
    const logger = recordingLogger();
    const reopened = await openDeviceCache({ dir, chip: 'esp32', mac: MAC, logger });
    expect(reopened.get(0x10000)).toBeNull();
    expect(reopened.get(0x20000)?.bytes).toEqual(b);
    expect(logger.warnings.join('\n')).toMatch(/corrupt/);
    expect(existsSync(blob)).toBe(false);
  });

  it('does not cache bytes whose MD5 does not match', async () => {
    const logger = recordingLogger();
    const cache = await openDeviceCache({ dir, chip: 'esp32', mac: MAC, logger });
    const a = bytes(300, 8);
    await cache.put({ offset: 0x10000, bytes: a, md5: '0'.repeat(32) });
    expect(cache.get(0x10000)).toBeNull();
    expect(logger.warnings).toHaveLength(1);
  });

  it('never throws when the cache cannot be written (logged instead)', async () => {
    const logger = recordingLogger();
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const cache = await openDeviceCache({ dir: blocker, chip: 'esp32', mac: MAC, logger });
    const a = bytes(300, 9);
    await expect(cache.put({ offset: 0x10000, bytes: a, md5: md5(a) })).resolves.toBeUndefined();
    expect(logger.warnings.join('\n')).toMatch(/could not record a region/);
  });

  it('deletes blobs no device references any more', async () => {
    const cache = await openDeviceCache({ dir, chip: 'esp32', mac: MAC, orphanGraceMs: 0 });
    const a = bytes(4000, 10);
    const b = bytes(4000, 11);
    await cache.put({ offset: 0x10000, bytes: a, md5: md5(a) });
    await cache.put({ offset: 0x10000, bytes: b, md5: md5(b) });
    expect(await readdir(join(dir, 'blobs'))).toEqual([sha(b)]);
  });

  it('keeps unreferenced blobs younger than the grace period (another process may be mid-write)', async () => {
    const cache = await openDeviceCache({ dir, chip: 'esp32', mac: MAC });
    const a = bytes(4000, 12);
    const b = bytes(4000, 13);
    await cache.put({ offset: 0x10000, bytes: a, md5: md5(a) });
    await cache.put({ offset: 0x10000, bytes: b, md5: md5(b) });
    expect((await readdir(join(dir, 'blobs'))).sort()).toEqual([sha(a), sha(b)].sort());
  });

  it('prunes the least recently used blobs of other devices to the size cap, never its own', async () => {
    const other = await openDeviceCache({ dir, chip: 'esp32', mac: '24:6f:28:00:00:01' });
    const old = bytes(8000, 14);
    await other.put({ offset: 0x10000, bytes: old, md5: md5(old) });
    const past = new Date(Date.now() - 86_400_000);
    await utimes(join(dir, 'blobs', sha(old)), past, past);

    const mine = await openDeviceCache({ dir, chip: 'esp32', mac: MAC, maxBytes: 10_000 });
    const a = bytes(6000, 15);
    await mine.put({ offset: 0x10000, bytes: a, md5: md5(a) });
    expect(await readdir(join(dir, 'blobs'))).toEqual([sha(a)]);
    // The other device's entry now misses (and says so) instead of failing.
    const logger = recordingLogger();
    expect(
      (await openDeviceCache({ dir, chip: 'esp32', mac: '24:6f:28:00:00:01', logger })).get(0x10000),
    ).toBeNull();
    expect(logger.warnings.join('\n')).toMatch(/unreadable/);
  });

  it('names devices by chip and a normalised MAC, refusing what cannot name a file', () => {
    expect(deviceKey('esp32c3', '24-6F-28-AA-BB-CC')).toBe('esp32c3-246f28aabbcc');
    expect(() => deviceKey('esp32', '24:6f:28')).toThrow(
      expect.objectContaining({ code: 'cache/bad-device' }),
    );
    expect(() => deviceKey('../x', MAC)).toThrow(expect.objectContaining({ code: 'cache/bad-device' }));
  });

  it('leaves no temp files behind', async () => {
    const cache = await openDeviceCache({ dir, chip: 'esp32', mac: MAC });
    const a = bytes(3000, 16);
    await cache.put({ offset: 0x10000, bytes: a, md5: md5(a) });
    const all = [...(await readdir(join(dir, 'devices'))), ...(await readdir(join(dir, 'blobs')))];
    expect(all.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
