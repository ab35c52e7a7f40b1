// Stubs under control: --stub-version (only the shipped set 2 is accepted; 1 is a usage error that
// names the ways that work), --stub-file (a stub of one's own), and a stub that never starts: on a
// port that can reset the chip, reset into the ROM loader and go on without the stub (one warning).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import { isEspflashError, UsageError } from '../../src/errors.js';
import type { FlashEvent } from '../../src/events.js';
import { esptoolJsStubProvider, stubProviderFor } from '../../src/node/stub-assets.js';
import { resetSimRegistry } from '../../src/sim/sim-registry.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
afterEach(() => {
  resetSimRegistry();
});

/** A stub JSON (esptool's format) whose entry is not in the code it uploads: it never says OHAI. */
async function deadStubFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-stub-'));
  dirs.push(dir);
  const file = join(dir, 'dead-stub.json');
  const textStart = 0x400a8000;
  await writeFile(
    file,
    JSON.stringify({
      entry: textStart + 0x1000,
      text: Buffer.from([0x06, 0xff, 0xff, 0x00]).toString('base64'),
      text_start: textStart,
      data: '',
      data_start: 0x3ffe0000,
    }),
  );
  return file;
}

describe('stub choice', () => {
  it('version 2 (and no choice) is the shipped esp-flasher-stub set', () => {
    expect(stubProviderFor({ version: 2 })).toBe(esptoolJsStubProvider);
    expect(stubProviderFor()).toBe(esptoolJsStubProvider);
  });

  it('version 1 is a usage error naming --stub-version 2, --stub-file and --no-stub', () => {
    const err = (() => {
      try {
        stubProviderFor({ version: 1 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(isEspflashError(err) && err.code).toBe('stub/version-unavailable');
    const hint = (err as UsageError).hint ?? '';
    for (const word of ['--stub-version 2', '--stub-file', '--no-stub', 'stub.version']) {
      expect(hint).toContain(word);
    }
  });

  it('an unknown version and a version together with a file are usage errors', () => {
    expect(() => stubProviderFor({ version: 3 })).toThrow(/Unknown stub version 3/);
    expect(() => stubProviderFor({ version: 2, file: 'x.json' })).toThrow(UsageError);
  });

  it('--stub-file loads that JSON for any chip', async () => {
    const file = await deadStubFile();
    const provider = stubProviderFor({ file });
    const image = await provider('esp32c3', {});
    expect(image?.entry).toBe(0x400a9000);
    expect(Array.from(image!.text)).toEqual([0x06, 0xff, 0xff, 0x00]);
    // A missing file is the user's input: refused when the choice is made, before any port opens.
    expect(() => stubProviderFor({ file: join(dirs[0]!, 'missing.json') })).toThrow(
      expect.objectContaining({ code: 'stub/file-unreadable' }),
    );
  });

  it('openDevice refuses stub version 1 before opening the port', async () => {
    await expect(openDevice({ port: 'sim://esp32?id=never-opened', stubVersion: 1 })).rejects.toMatchObject({
      code: 'stub/version-unavailable',
    });
  });
});

describe('a stub that never starts, on a port that can reset the chip', () => {
  it('resets into the ROM loader, says so once, and the flash lands', async () => {
    const clock = new VirtualClock();
    const events: FlashEvent[] = [];
    const device = await openDevice({
      port: 'sim://esp32?id=dead-stub',
      clock,
      stubFile: await deadStubFile(),
      baudMemory: false,
      onEvent: (e) => events.push(e),
    });
    try {
      expect(device.loader.isStub).toBe(false);
      const data = new Uint8Array(8192).map((_, i) => (i * 7) & 0xff);
      const written = await device.writeBin(0x20000, data);
      expect(written.verified).toBe(true);
      expect(bytesEqual(await device.readFlash(0x20000, data.length), data)).toBe(true);
    } finally {
      await device.close();
    }
    const fallbacks = events.filter((e) => e.type === 'warning' && e.code === 'stub/rom-fallback');
    expect(fallbacks).toHaveLength(1);
    expect((fallbacks[0] as { message: string }).message).toMatch(/ROM loader/);
    expect(events.some((e) => e.type === 'stub-started')).toBe(false);
    // No whole-connect retries: the fallback happened inside the one connect.
    expect(events.some((e) => e.type === 'retry' && e.operation === 'connect')).toBe(false);
  });
});
