// Device.readFlash over a noisy link: corrupted READ_FLASH data fails the loader's MD5 check for
// that chunk only; the chunk is retried (smaller) and the bytes returned are exactly the flash's.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import type { FlashEvent } from '../../src/events.js';
import { resetSimRegistry } from '../../src/sim/sim-registry.js';

const dirs: string[] = [];
afterEach(() => {
  resetSimRegistry();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('Device.readFlash retries corrupted chunks', () => {
  for (const seed of [1, 2, 3]) {
    it(`reads 512 KiB exactly under chip→host corruption 2e-5 (seed ${seed})`, async () => {
      const data = pattern(0x80000, seed);
      const dir = mkdtempSync(join(tmpdir(), 'espflash-read-'));
      dirs.push(dir);
      const flashFile = join(dir, 'flash.bin');
      const clean = await openDevice({ port: `sim://esp32?flashFile=${flashFile}`, stub: true });
      await clean.writeBin(0x100000, data);
      await clean.close();

      const events: FlashEvent[] = [];
      const noisy = await openDevice({
        port: `sim://esp32?flashFile=${flashFile}&fault=corrupt-tx:2e-5&seed=${seed}`,
        stub: true,
        onEvent: (e) => events.push(e),
      });
      try {
        const read = await noisy.readFlash(0x100000, data.length);
        expect(Buffer.compare(Buffer.from(read), Buffer.from(data))).toBe(0);
      } finally {
        await noisy.close();
      }
      // Corruption at this rate hits several of ~5 M wire bits: the retry path must have run.
      expect(events.some((e) => e.type === 'retry' && e.operation === 'read')).toBe(true);
    }, 60_000);
  }
});
