import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Device } from '../../src/api/device.js';
import { openDevice } from '../../src/api/open-device.js';
import { readMac } from '../../src/core/ops/read-mac.js';
import { readU32 } from '../../src/core/protocol/bytes.js';
import { OP } from '../../src/core/protocol/opcodes.js';
import type { Loader } from '../../src/core/session/loader.js';
import { EspflashError } from '../../src/errors.js';
import type { FlashEvent } from '../../src/events.js';
import { type DeviceCache, openDeviceCache } from '../../src/flash/device-cache.js';
import { fastReflashRegion } from '../../src/flash/fast-reflash.js';
import { nodeMd5 } from '../../src/flash/write-plan.js';
import { createSimTransport, type SimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const APP = 0x10000;
const SECTOR = 0x1000;

let dir: string;
let open: Device[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'espflash-fast-reflash-'));
});
afterEach(async () => {
  for (const d of open) await d.close();
  open = [];
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic incompressible bytes, like machine code. */
function noise(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function connect(options: { stub?: boolean; flashFile?: string } = {}) {
  const clock = new VirtualClock();
  const transport: SimTransport = createSimTransport({
    chip: 'esp32',
    timing: true,
    clock,
    ...(options.flashFile ? { flashFile: options.flashFile } : {}),
  });
  const device = await openDevice({
    port: 'sim://esp32',
    transport,
    clock,
    baud: 921600,
    reconnect: false,
    ...(options.stub === undefined ? {} : { stub: options.stub }),
  });
  open.push(device);
  const cache = await openDeviceCache({
    dir: join(dir, 'cache'),
    chip: 'esp32',
    mac: await readMac(device.loader),
  });
  return { clock, transport, device, flash: transport.device.flash, cache };
}

/** Flash `data` at the app offset via the cache, record the result, and measure what it cost. */
async function reflash(
  s: { device: Device; flash: SimTransport['device']['flash']; clock: VirtualClock; cache: DeviceCache },
  data: Uint8Array,
  loader: Loader = s.device.loader,
) {
  const events: FlashEvent[] = [];
  const before = s.flash.counters;
  const t0 = s.clock.now();
  const result = await fastReflashRegion(loader, {
    offset: APP,
    data,
    cached: s.cache.get(APP),
    hash: nodeMd5,
    onEvent: (e) => events.push(e),
    index: 3,
    label: 'factory',
    role: 'app',
  });
  const after = s.flash.counters;
  await s.cache.put({ offset: result.offset, bytes: result.bytes, md5: result.md5 });
  return {
    result,
    events,
    ms: s.clock.now() - t0,
    erased: after.sectorsErased - before.sectorsErased,
    blocks: after.blocksErased - before.blocksErased,
    programmed: after.bytesProgrammed - before.bytesProgrammed,
  };
}

const onFlash = (s: { flash: SimTransport['device']['flash'] }, size: number) => s.flash.read(APP, size);

describe('fastReflashRegion on the virtual ESP32', () => {
  const image = noise(128 * 1024);

  it('writes the whole region without a cache entry, then exactly one sector for a one-byte change', async () => {
    const s = await connect();
    const first = await reflash(s, image);
    expect(first.result).toMatchObject({ status: 'written', sectorsWritten: 32, bytesWritten: image.length });
    expect(first.programmed).toBe(image.length);

    const next = image.slice();
    next[100_000] = next[100_000]! ^ 0xff;
    const second = await reflash(s, next);
    expect(second.result).toMatchObject({ status: 'partial', sectorsWritten: 1, bytesWritten: SECTOR });
    expect(second.erased).toBe(1);
    expect(second.blocks).toBe(0);
    expect(second.programmed).toBe(SECTOR);
    expect(onFlash(s, next.length)).toEqual(next);
    expect(second.ms).toBeLessThan(first.ms / 5);
    // One region-start and one region-verified for the whole region, progress up to the bytes written.
    const mine = second.events.filter((e) => 'index' in e && e.index === 3);
    expect(mine[0]).toMatchObject({ type: 'region-start', offset: APP, size: next.length });
    expect(mine.filter((e) => e.type === 'region-start')).toHaveLength(1);
    expect(mine.at(-1)).toMatchObject({ type: 'region-verified', offset: APP, bytesWritten: SECTOR });
    expect(mine.filter((e) => e.type === 'region-progress').at(-1)).toMatchObject({
      written: SECTOR,
      total: SECTOR,
    });

    const third = await reflash(s, next);
    expect(third.result.status).toBe('skipped');
    expect(third.erased + third.blocks + third.programmed).toBe(0);
  });

  it('writes only the tail after an insertion that shifts the code behind it', async () => {
    const s = await connect();
    await reflash(s, image);
    const at = Math.floor(image.length / 10);
    const next = new Uint8Array(image.length + 32);
    next.set(image.subarray(0, at));
    next.set(noise(32, 5), at);
    next.set(image.subarray(at), at + 32);
    const r = await reflash(s, next);
    const from = Math.floor(at / SECTOR) * SECTOR;
    expect(r.result.status).toBe('partial');
    expect(r.result.runs).toEqual([expect.objectContaining({ start: from, length: next.length - from })]);
    expect(r.programmed).toBe(next.length - from);
    expect(onFlash(s, next.length)).toEqual(next);
  });

  it('falls back to a full write when the device was changed behind its back', async () => {
    const s = await connect();
    await reflash(s, image);
    // Someone else wrote different bytes into sector 20 of the app.
    s.flash.eraseSector(APP + 20 * SECTOR);
    s.flash.program(APP + 20 * SECTOR, noise(SECTOR, 77));
    const next = image.slice();
    next[5] = next[5]! ^ 1;
    const r = await reflash(s, next);
    // Optimistic: the changed sector goes first, the one region MD5 catches the stranger's bytes.
    expect(r.result).toMatchObject({ status: 'written', fallback: 'verify-failed', sectorsWritten: 32 });
    expect(r.programmed).toBe(SECTOR + next.length);
    expect(onFlash(s, next.length)).toEqual(next);
    expect(r.events).toContainEqual(
      expect.objectContaining({ type: 'warning', code: 'flash/partial-verify-failed' }),
    );
  });

  it('an unchanged region whose device bytes changed is rewritten in full (cache stale)', async () => {
    const s = await connect();
    await reflash(s, image);
    s.flash.eraseSector(APP + 3 * SECTOR);
    const r = await reflash(s, image);
    expect(r.result).toMatchObject({ status: 'written', fallback: 'device-changed', sectorsWritten: 32 });
    expect(onFlash(s, image.length)).toEqual(image);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'flash/cache-stale' }));
  });

  it('a fresh (blank) chip with a known MAC is written in full without a warning', async () => {
    // A new virtual chip (or one erased by another tool) reads all 0xFF where the cache says our
    // image was: a normal case, not a stale cache.
    const first = await connect();
    await reflash(first, image);
    await first.device.close();
    open = [];

    const same = await connect();
    expect(same.cache.get(APP)?.bytes).toEqual(image);
    const r = await reflash(same, image);
    expect(r.result).toMatchObject({ status: 'written', fallback: 'device-erased', sectorsWritten: 32 });
    expect(onFlash(same, image.length)).toEqual(image);
    expect(r.events.filter((e) => e.type === 'warning')).toEqual([]);
    await same.device.close();
    open = [];

    // With a change, the optimistic changed-sector write lands on a blank chip: still no warning.
    const changed = await connect();
    const next = image.slice();
    next[70_000] = next[70_000]! ^ 0x44;
    const c = await reflash(changed, next);
    expect(c.result).toMatchObject({ status: 'written', fallback: 'device-erased', sectorsWritten: 32 });
    expect(onFlash(changed, next.length)).toEqual(next);
    expect(c.events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('still warns when the device holds something else entirely (not erased)', async () => {
    const s = await connect();
    await reflash(s, image);
    const other = noise(image.length, 99);
    for (let at = 0; at < other.length; at += SECTOR) s.flash.eraseSector(APP + at);
    s.flash.program(APP, other);
    const r = await reflash(s, image);
    expect(r.result).toMatchObject({ status: 'written', fallback: 'device-changed' });
    expect(onFlash(s, image.length)).toEqual(image);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'flash/cache-stale' }));
  });

  it('a one-sector change costs one device MD5 of the region (no confirming MD5 before the write)', async () => {
    const s = await connect();
    await reflash(s, image);
    const base = s.device.loader;
    const md5s: number[] = [];
    const counting: Loader = Object.create(base, {
      command: {
        value: (r: Parameters<Loader['command']>[0]) => {
          if (r.op === OP.SPI_FLASH_MD5 && r.data) md5s.push(readU32(r.data, 4));
          return base.command(r);
        },
      },
    });
    const next = image.slice();
    next[60_000] = next[60_000]! ^ 0x10;
    const r = await reflash(s, next, counting);
    expect(r.result).toMatchObject({ status: 'partial', sectorsWritten: 1 });
    expect(md5s.filter((size) => size === next.length)).toHaveLength(1);
    expect(onFlash(s, next.length)).toEqual(next);
  });

  it('rewrites the region in full when the whole-region verify fails after a partial write', async () => {
    const s = await connect();
    await reflash(s, image);
    // A bit flips in sector 25 while sector 2 is being rewritten: the run verifies, the region does not.
    const base = s.device.loader;
    let flipped = false;
    const flaky: Loader = Object.create(base, {
      command: {
        value: async (r: Parameters<Loader['command']>[0]) => {
          const reply = await base.command(r);
          if ((r.op === OP.FLASH_DEFL_END || r.op === OP.FLASH_END) && !flipped) {
            flipped = true;
            s.flash.program(APP + 25 * SECTOR + 7, new Uint8Array([0x00]));
          }
          return reply;
        },
      },
    });
    const next = image.slice();
    next[2 * SECTOR + 9] = next[2 * SECTOR + 9]! ^ 0x80;
    const r = await reflash(s, next, flaky);
    expect(flipped).toBe(true);
    expect(r.result).toMatchObject({ status: 'written', fallback: 'verify-failed' });
    expect(r.programmed).toBe(SECTOR + 1 + next.length); // the run, the flipped byte, the full rewrite
    expect(onFlash(s, next.length)).toEqual(next);
    expect(r.events).toContainEqual(expect.objectContaining({ code: 'flash/partial-verify-failed' }));
  });

  it('uses the cache from an earlier process (new store object and new connection, same flash)', async () => {
    const flashFile = join(dir, 'flash.bin');
    const first = await connect({ flashFile });
    await reflash(first, image);
    await first.device.close();
    open = [];

    const second = await connect({ flashFile });
    expect(second.cache.get(APP)?.bytes).toEqual(image);
    const next = image.slice();
    next[90_000] = next[90_000]! ^ 0x11;
    const r = await reflash(second, next);
    expect(r.result.status).toBe('partial');
    expect(r.erased).toBe(1);
    expect(r.programmed).toBe(SECTOR);
  });

  it('ignores a corrupt cache file and writes normally', async () => {
    const s = await connect();
    await reflash(s, image);
    await mkdir(join(dir, 'cache', 'devices'), { recursive: true });
    await writeFile(s.cache.file, 'garbage{');
    const cache = await openDeviceCache({
      dir: join(dir, 'cache'),
      chip: 'esp32',
      mac: await readMac(s.device.loader),
    });
    expect(cache.get(APP)).toBeNull();
    const next = image.slice();
    next[0] = next[0]! ^ 1;
    const changed = await reflash({ ...s, cache }, next);
    expect(changed.result).toMatchObject({ status: 'written', sectorsWritten: 32 });
    expect(changed.programmed).toBe(next.length);
    // The rewrite replaced the corrupt file with a good record.
    expect(
      (
        await openDeviceCache({ dir: join(dir, 'cache'), chip: 'esp32', mac: await readMac(s.device.loader) })
      ).get(APP)?.bytes,
    ).toEqual(next);
    expect(onFlash(s, next.length)).toEqual(next);
  });

  it('writes only the changed sector through the ROM loader too', async () => {
    const s = await connect({ stub: false });
    const small = image.subarray(0, 64 * 1024);
    await reflash(s, small);
    const next = small.slice();
    next[30_000] = next[30_000]! ^ 4;
    const r = await reflash(s, next);
    expect(r.result).toMatchObject({ status: 'partial', sectorsWritten: 1 });
    expect(r.erased).toBe(1);
    expect(r.programmed).toBe(SECTOR);
    expect(onFlash(s, next.length)).toEqual(next);
  });

  it('ignores the cache when forced', async () => {
    const s = await connect();
    await reflash(s, image);
    const before = s.flash.counters.bytesProgrammed;
    const r = await fastReflashRegion(s.device.loader, {
      offset: APP,
      data: image,
      cached: s.cache.get(APP),
      onEvent: () => {},
      force: true,
      index: 0,
      label: null,
      role: 'app',
    });
    expect(r.status).toBe('written');
    expect(s.flash.counters.bytesProgrammed - before).toBe(image.length);
  });

  it('writes its runs through the engine with the given reconnect hook and reports the loader in use', async () => {
    const s = await connect();
    await reflash(s, image);
    const next = image.slice();
    next[7 * SECTOR] = next[7 * SECTOR]! ^ 2;
    // The first stream of the run loses its port mid-block: the engine reconnects through the hook.
    const base = s.device.loader;
    const begins: number[] = [];
    let dropped = false;
    const dropping: Loader = Object.create(base, {
      command: {
        value: (r: Parameters<Loader['command']>[0]) => {
          if (r.op === OP.FLASH_DEFL_BEGIN || r.op === OP.FLASH_BEGIN) begins.push(readU32(r.data!, 12));
          if ((r.op === OP.FLASH_DEFL_DATA || r.op === OP.FLASH_DATA) && !dropped) {
            dropped = true;
            return Promise.reject(new EspflashError('port/disconnected', 'gone'));
          }
          return base.command(r);
        },
      },
    });
    // The loader a reconnect hands over (a new object over the same chip).
    const fresh: Loader = Object.create(dropping);
    const events: FlashEvent[] = [];
    const before = s.flash.counters;
    const r = await fastReflashRegion(dropping, {
      offset: APP,
      data: next,
      cached: s.cache.get(APP),
      onEvent: (e) => events.push(e),
      index: 0,
      label: null,
      role: 'app',
      reconnect: async () => fresh,
    });
    expect(begins).toEqual([APP + 7 * SECTOR, APP + 7 * SECTOR]);
    expect(r).toMatchObject({ status: 'partial', reconnects: 1, sectorsWritten: 1 });
    expect(r.loader).toBe(fresh);
    expect(events).toContainEqual(expect.objectContaining({ type: 'retry', operation: 'reconnect' }));
    expect(s.flash.counters.bytesProgrammed - before.bytesProgrammed).toBe(SECTOR);
    expect(onFlash(s, next.length)).toEqual(next);
  });

  it('writes the region as one run when nearly everything changed (cheaper than many runs + a verify)', async () => {
    const s = await connect();
    await reflash(s, image);
    const next = noise(image.length, 99);
    const r = await reflash(s, next);
    expect(r.result).toMatchObject({ status: 'written', fallback: 'cheaper-in-full', sectorsWritten: 32 });
    expect(r.programmed).toBe(next.length);
    expect(onFlash(s, next.length)).toEqual(next);
  });
});
