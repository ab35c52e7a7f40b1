// A stub that never answers, on the real ESP32 ROM under QEMU: a hand-made stub JSON whose code is
// one Xtensa `j .` (it loops at its entry). QEMU has no reset line, so the chip runs that loop until
// it is restarted: espflash must say `stub/no-ohai` at once, naming --no-stub and --stub-version,
// without re-sync storms or a cable hint.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import type { FlashEvent } from '../../src/events.js';
import { HAVE_TOOLS, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** `j .` (J with offset -4: 0x06 | (0x3fffc << 6), little-endian) at the IRAM address stubs use. */
async function loopingStub(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-stub-'));
  dirs.push(dir);
  const file = join(dir, 'loop-stub.json');
  const textStart = 0x400a8000;
  await writeFile(
    file,
    JSON.stringify({
      entry: textStart,
      text: Buffer.from([0x06, 0xff, 0xff, 0x00]).toString('base64'),
      text_start: textStart,
      data: '',
      data_start: 0x3ffe0000,
    }),
  );
  return file;
}

describe.skipIf(!HAVE_TOOLS)(`real ROM: a stub that never answers${TOOLS_SKIP_NOTE}`, () => {
  it('is stub/no-ohai at once, naming --no-stub and --stub-version', { timeout: 120_000 }, async () => {
    const stubFile = await loopingStub();
    const qemu = await startQemu();
    const events: FlashEvent[] = [];
    let error: unknown = null;
    try {
      const device = await openDevice({
        port: qemu.url,
        before: 'no_reset',
        stubFile,
        baudMemory: false,
        onEvent: (e) => events.push(e),
      });
      await device.close();
    } catch (err) {
      error = err;
    } finally {
      await qemu.stop();
    }
    expect(error).toMatchObject({ code: 'stub/no-ohai' });
    const hint = (error as { hint?: string }).hint ?? '';
    expect(hint).toContain('--no-stub');
    expect(hint).toContain('--stub-version');
    expect(hint).not.toMatch(/cable/i);
    // One connect, one sync phase: no whole-connect retries, no re-sync attempts into silence.
    expect(events.filter((e) => e.type === 'connect-attempt')).toHaveLength(1);
    expect(events.some((e) => e.type === 'retry')).toBe(false);
    expect(events.some((e) => e.type === 'stub-started')).toBe(false);
  });
});
