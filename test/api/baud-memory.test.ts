// The per-port baud memory: where the file lives, recall/remember, ageing, damaged files, and the
// Device using it (a port that needed a lower baud starts there; a lowered flash is remembered).

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import type { FlashEvent } from '../../src/events.js';
import { BAUD_MEMORY_FILE, createBaudMemory, espflashCacheDir } from '../../src/node/baud-memory.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { faultBuild } from '../faults/support/fault-run.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'espflash-baud-memory-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('espflashCacheDir', () => {
  it('prefers ESPFLASH_CACHE_DIR, then XDG_CACHE_HOME/espflash, then ~/.cache/espflash', () => {
    expect(espflashCacheDir({ ESPFLASH_CACHE_DIR: '/x', XDG_CACHE_HOME: '/y' }, '/home/u')).toBe('/x');
    expect(espflashCacheDir({ XDG_CACHE_HOME: '/y' }, '/home/u', 'linux')).toBe('/y/espflash');
    expect(espflashCacheDir({}, '/home/u', 'linux')).toBe('/home/u/.cache/espflash');
  });
  it('uses the per-user cache folder of macOS and Windows', () => {
    expect(espflashCacheDir({ XDG_CACHE_HOME: '/y' }, '/Users/u', 'darwin')).toBe(
      '/Users/u/Library/Caches/espflash',
    );
    expect(espflashCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'C:\\Users\\u', 'win32')).toBe(
      'C:\\Users\\u\\AppData\\Local\\espflash\\Cache',
    );
    expect(espflashCacheDir({}, 'C:\\Users\\u', 'win32')).toBe(
      'C:\\Users\\u\\AppData\\Local\\espflash\\Cache',
    );
    expect(espflashCacheDir({ ESPFLASH_CACHE_DIR: 'D:\\c' }, 'C:\\Users\\u', 'win32')).toBe('D:\\c');
  });
});

describe('createBaudMemory', () => {
  it('remembers per port in a JSON file and forgets entries past their age', async () => {
    let now = 1_000_000;
    const memory = createBaudMemory({ dir: join(dir, 'nested'), now: () => now, maxAgeMs: 1000 });
    expect(await memory.recall('/dev/ttyUSB0')).toBeNull();
    await memory.remember('/dev/ttyUSB0', 460800);
    await memory.remember('/dev/ttyACM0', 921600);
    expect(await memory.recall('/dev/ttyUSB0')).toBe(460800);
    expect(await memory.recall('/dev/ttyACM0')).toBe(921600);
    const stored = JSON.parse(await readFile(join(dir, 'nested', BAUD_MEMORY_FILE), 'utf8'));
    expect(stored['/dev/ttyUSB0']).toEqual({ baud: 460800, at: 1_000_000 });
    now += 1001;
    expect(await memory.recall('/dev/ttyUSB0')).toBeNull();
  });

  it('treats a damaged file as empty and replaces it on the next write', async () => {
    await writeFile(join(dir, BAUD_MEMORY_FILE), '{not json');
    const memory = createBaudMemory({ dir });
    expect(await memory.recall('/dev/ttyUSB0')).toBeNull();
    await memory.remember('/dev/ttyUSB0', 230400);
    expect(await memory.recall('/dev/ttyUSB0')).toBe(230400);
  });
});

describe('openDevice with a baud memory', () => {
  it('starts at the remembered lower baud and says so', async () => {
    const memory = createBaudMemory({ dir });
    await memory.remember('sim://esp32', 230400);
    const events: FlashEvent[] = [];
    const transport = createSimTransport({ chip: 'esp32' });
    const device = await openDevice({
      port: 'sim://esp32',
      transport,
      baud: 921600,
      baudMemory: memory,
      onEvent: (e) => events.push(e),
    });
    try {
      expect(device.loader.baud).toBe(230400);
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'warning', code: 'flash/baud-remembered' }),
      );
    } finally {
      await device.close();
    }
  });

  it('steps down after transfer errors, finishes verified, and remembers the baud that worked', async () => {
    const memory = createBaudMemory({ dir });
    const { plan } = await faultBuild('esp32', 64 * 1024);
    const clock = new VirtualClock();
    const transport = createSimTransport({
      chip: 'esp32',
      timing: true,
      clock,
      // One block's reply never comes in time: a transfer error (a flash-chip status would not lower the baud).
      faults: { stallReplies: [{ op: 0x11, ms: 60_000 }] },
    });
    const events: FlashEvent[] = [];
    const device = await openDevice({
      port: 'sim://esp32',
      transport,
      clock,
      baud: 921600,
      baudMemory: memory,
      onEvent: (e) => events.push(e),
    });
    try {
      const summary = await device.flash(plan, { resilience: { reconnectAfter: 0, lowerBaudAfter: 1 } });
      expect(summary.regions.every((r) => r.verified)).toBe(true);
      expect(summary.reconnects).toBe(1);
      expect(summary.baud).toBe(460800);
      expect(events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'flash/baud-lowered' }));
      expect(await memory.recall('sim://esp32')).toBe(460800);
    } finally {
      await device.close();
    }
  });
});
