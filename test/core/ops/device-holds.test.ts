// deviceHolds: the "already on the chip?" check before a write probes the region's last 4 KiB first,
// so a blank chip or a changed build costs one small MD5 instead of one over the whole region.

import { describe, expect, it } from 'vitest';
import { openDevice } from '../../../src/api/open-device.js';
import { deviceHolds, HOLD_PROBE_BYTES } from '../../../src/core/ops/md5-region.js';
import { readU32 } from '../../../src/core/protocol/bytes.js';
import { md5Hex } from '../../../src/core/protocol/md5.js';
import { OP } from '../../../src/core/protocol/opcodes.js';
import type { Loader } from '../../../src/core/session/loader.js';
import { createSimTransport } from '../../../src/sim/sim-transport.js';

/** The device's loader, recording the size of every SPI_FLASH_MD5 it is asked for. */
function counting(base: Loader): { loader: Loader; sizes: number[] } {
  const sizes: number[] = [];
  const loader: Loader = Object.create(base, {
    command: {
      value: (r: Parameters<Loader['command']>[0]) => {
        if (r.op === OP.SPI_FLASH_MD5 && r.data) sizes.push(readU32(r.data, 4));
        return base.command(r);
      },
    },
  });
  return { loader, sizes };
}

describe('deviceHolds', () => {
  const data = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff);
  const md5 = md5Hex(data);

  it('a blank chip is ruled out by the tail probe alone', async () => {
    const transport = createSimTransport({ chip: 'esp32' });
    const device = await openDevice({ port: transport.description, transport });
    try {
      const { loader, sizes } = counting(device.loader);
      expect(await deviceHolds(loader, { offset: 0x20000, data, md5 })).toBe(false);
      expect(sizes).toEqual([HOLD_PROBE_BYTES]);
    } finally {
      await device.close();
    }
  });

  it('the same bytes pass the probe and the whole-region MD5; a change before the tail fails the latter', async () => {
    const transport = createSimTransport({ chip: 'esp32' });
    const device = await openDevice({ port: transport.description, transport });
    try {
      await device.writeBin(0x20000, data, { force: true });
      const { loader, sizes } = counting(device.loader);
      expect(await deviceHolds(loader, { offset: 0x20000, data, md5 })).toBe(true);
      expect(sizes).toEqual([HOLD_PROBE_BYTES, data.length]);
      const changed = data.slice();
      changed[100] = changed[100]! ^ 1;
      expect(await deviceHolds(loader, { offset: 0x20000, data: changed, md5: md5Hex(changed) })).toBe(false);
    } finally {
      await device.close();
    }
  });

  it('small regions skip the probe', async () => {
    const transport = createSimTransport({ chip: 'esp32' });
    const device = await openDevice({ port: transport.description, transport });
    try {
      const small = data.subarray(0, 3072);
      const { loader, sizes } = counting(device.loader);
      expect(await deviceHolds(loader, { offset: 0x8000, data: small, md5: md5Hex(small) })).toBe(false);
      expect(sizes).toEqual([3072]);
    } finally {
      await device.close();
    }
  });
});
