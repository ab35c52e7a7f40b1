// The baud memory stays per board when many boards finish at once: concurrent remembers to the same
// file in one process all land (read-modify-write is queued per file).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBaudMemory } from '../../src/node/baud-memory.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('baud memory with many boards at once', () => {
  it('keeps every board entry when eight remember at the same time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-baud-many-'));
    dirs.push(dir);
    // Two memories on one folder, as two flash jobs would each make.
    const a = createBaudMemory({ dir });
    const b = createBaudMemory({ dir });
    const ports = Array.from({ length: 8 }, (_, i) => `/dev/ttyUSB${i}`);
    await Promise.all(ports.map((p, i) => (i % 2 ? a : b).remember(p, 115200 * (1 + (i % 4)))));
    for (const [i, p] of ports.entries()) expect(await a.recall(p)).toBe(115200 * (1 + (i % 4)));
  });
});
