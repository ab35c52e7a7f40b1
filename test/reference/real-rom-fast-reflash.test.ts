// Fast reflash on the real ESP32 ROM (QEMU): after a cached flash, a one-sector change to the app sends
// only that sector (counted on the wire), the stub's region MD5 verifies it, and the chip's flash file
// then holds the new build exactly.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flashProject } from '../../src/api/flash-project.js';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import { OP } from '../../src/core/protocol/opcodes.js';
import { SlipDecoder } from '../../src/core/protocol/slip.js';
import type { Transport } from '../../src/core/session/transport.js';
import type { FlashEvent } from '../../src/events.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { openTransport } from '../../src/node/open-transport.js';
import { derivePlan } from '../../src/plan/derive-plan.js';
import { expectedRegions } from '../e2e/support/planned.js';
import { changeLastSector } from '../support/image-edit.js';
import { HAVE_TOOLS, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** `inner`, counting the payload bytes of every FLASH_DEFL_DATA / FLASH_DATA frame sent. */
function countingData(inner: Transport): { transport: Transport; dataBytes: () => number } {
  const slip = new SlipDecoder({ maxFrame: 1 << 20 });
  let bytes = 0;
  const transport: Transport = Object.create(inner, {
    write: {
      value: (data: Uint8Array) => {
        for (const f of slip.feed(data).frames) {
          if (f[0] === 0 && (f[1] === OP.FLASH_DEFL_DATA || f[1] === OP.FLASH_DATA))
            bytes += f.length - 8 - 16;
        }
        return inner.write(data);
      },
    },
  });
  return { transport, dataBytes: () => bytes };
}

describe.skipIf(!HAVE_TOOLS)(`real ROM: fast reflash of a one-sector change${TOOLS_SKIP_NOTE}`, () => {
  it('sends only the changed sector and verifies it on the chip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-rom-fast-'));
    dirs.push(dir);
    const { buildDir, files } = await generateExampleBuild({
      dir,
      chip: 'esp32',
      appSize: 256 * 1024,
      seed: 3,
    });
    const cache = { dir: join(dir, 'cache') };
    const qemu = await startQemu();
    try {
      const first = await flashProject({ buildDir, port: qemu.url, baud: 921600, fastReflash: cache });
      expect(first.summary.regions.every((r) => r.verified)).toBe(true);

      // The next build: one byte of code changed, checksum and SHA-256 re-sealed, all in one 4 KiB sector.
      const app = new Uint8Array(await readFile(files.app));
      const changed = changeLastSector(app);
      const lastSector = Math.floor((app.length - 1) / 0x1000) * 0x1000;
      expect(Math.floor(changed.at / 0x1000) * 0x1000).toBe(lastSector);
      await writeFile(files.app, changed.bytes);
      const plan = await derivePlan({ buildDir });
      const { transport, dataBytes } = countingData(
        await openTransport(qemu.url, { ackNudge: true, pace: true }),
      );
      const events: FlashEvent[] = [];
      const { summary } = await flashProject({
        plan,
        port: qemu.url,
        transport,
        baud: 921600,
        fastReflash: cache,
        onEvent: (e) => events.push(e),
      });
      const appIndex = plan.regions.findIndex((r) => r.role === 'app');
      expect(summary.regions.filter((_r, i) => i !== appIndex).every((r) => r.status === 'skipped')).toBe(
        true,
      );
      expect(summary.regions[appIndex]).toMatchObject({ status: 'written', verified: true });
      const sector = app.length - lastSector;
      expect(summary.bytesWritten).toBe(sector);
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'region-verified', index: appIndex, bytesWritten: sector }),
      );
      // On the wire: one sector's worth of (compressed) data, not the 256 KiB app.
      expect(dataBytes()).toBeGreaterThan(0);
      expect(dataBytes()).toBeLessThanOrEqual(4096 + 64);

      await qemu.stop();
      const flash = new Uint8Array(await readFile(qemu.flashFile));
      for (const region of await expectedRegions(plan, '4MB')) {
        const { offset, bytes } = region;
        expect(bytesEqual(flash.subarray(offset, offset + bytes.length), bytes), region.label).toBe(true);
      }
    } finally {
      await qemu.stop();
    }
  }, 120_000);
});
