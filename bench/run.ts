// `npm run bench`: flash throughput on the virtual ESP32's timing model (simulated seconds on a
// VirtualClock, so results do not depend on this machine's load) plus host-side parser speed, then
// the peak RSS of a 16 MB write with the built CLI (bench/memory.ts), 8 sim processes flashed in one
// command vs one (bench/many-boards.ts), then the real ESP32 ROM under
// QEMU against esptool (bench/real-rom.ts; skipped without ../shared/tools).
// Prints figures and ratios; asserts nothing.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDevice } from '../src/api/open-device.js';
import { SlipDecoder, slipEncode } from '../src/core/protocol/slip.js';
import { generateExampleBuild } from '../src/example/example-build.js';
import { parseImage } from '../src/image/image-parse.js';
import { decodePartitionTable, encodePartitionTable } from '../src/partition/binary.js';
import { parsePartitionCsv } from '../src/partition/csv-parse.js';
import { derivePlan } from '../src/plan/derive-plan.js';
import type { FlashPlan } from '../src/plan/types.js';
import { createSimTransport } from '../src/sim/sim-transport.js';
import { VirtualClock } from '../src/sim/virtual-clock.js';
import { benchManyBoards } from './many-boards.js';
import { benchMemory } from './memory.js';
import { benchRealRom } from './real-rom.js';
import { benchStartup } from './startup.js';

interface FlashCase {
  name: string;
  baud: number;
  stub: boolean;
}

const CASES: FlashCase[] = [
  { name: 'ROM loader, 115200', baud: 115200, stub: false },
  { name: 'ROM loader, 460800', baud: 460800, stub: false },
  { name: 'stub + deflate, 115200', baud: 115200, stub: true },
  { name: 'stub + deflate, 460800', baud: 460800, stub: true },
  { name: 'stub + deflate, 921600', baud: 921600, stub: true },
];

async function flashOnce(plan: FlashPlan, c: FlashCase, force: boolean) {
  const clock = new VirtualClock();
  const transport = createSimTransport({ chip: 'esp32', timing: true, clock });
  const device = await openDevice({ port: 'sim://esp32', transport, clock, baud: c.baud, stub: c.stub });
  try {
    const t0 = clock.now();
    const w0 = performance.now();
    const summary = await device.flash(plan, { force });
    const simMs = clock.now() - t0;
    const wallMs = performance.now() - w0;
    // Second run: everything already on the device, so only MD5 checks remain.
    const s0 = clock.now();
    await device.flash(plan);
    const skipMs = clock.now() - s0;
    return { simMs, wallMs, skipMs, bytes: summary.bytesWritten };
  } finally {
    await device.close();
  }
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

async function benchFlash(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-'));
  try {
    const { buildDir } = await generateExampleBuild({ dir, chip: 'esp32', appSize: 1 << 20, seed: 1 });
    const plan = await derivePlan({ buildDir });
    const total = plan.regions.reduce((n, r) => n + r.size, 0);
    process.stdout.write(
      `\nFlash a generated ESP32 build (${(total / 1024).toFixed(0)} KiB: bootloader, partition table, 1 MiB app)\n` +
        'on the virtual ESP32 timing model (simulated time; W25Q32 erase/program times, 10 bits per byte on the wire)\n\n',
    );
    process.stdout.write(
      `${'case'.padEnd(26)}${pad('simulated s', 13)}${pad('KiB/s', 9)}${pad('vs ROM 115200', 15)}${pad('re-flash s', 12)}${pad('wall ms', 10)}\n`,
    );
    let baseline = 0;
    for (const c of CASES) {
      const r = await flashOnce(plan, c, true);
      if (baseline === 0) baseline = r.simMs;
      process.stdout.write(
        `${c.name.padEnd(26)}${pad((r.simMs / 1000).toFixed(2), 13)}${pad((total / 1024 / (r.simMs / 1000)).toFixed(0), 9)}` +
          `${pad(`${(baseline / r.simMs).toFixed(1)}x`, 15)}${pad((r.skipMs / 1000).toFixed(2), 12)}${pad(r.wallMs.toFixed(0), 10)}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function timeIt(label: string, iterations: number, bytes: number, fn: () => void): void {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = (performance.now() - t0) / iterations;
  const rate = bytes > 0 ? `${pad((bytes / 1024 / 1024 / (ms / 1000)).toFixed(0), 8)} MiB/s` : '';
  process.stdout.write(`${label.padEnd(44)}${pad(ms.toFixed(3), 10)} ms${rate}\n`);
}

async function benchHost(): Promise<void> {
  process.stdout.write('\nHost-side work per call (wall time on this machine)\n\n');
  const csv =
    'nvs,data,nvs,,0x6000,\nphy_init,data,phy,,0x1000,\nfactory,app,factory,,1M,\nstorage,data,spiffs,,0x2F0000,\n';
  timeIt('partition CSV parse + encode', 2000, 0, () => {
    encodePartitionTable(parsePartitionCsv(csv, { flashSize: 4 << 20 }));
  });
  const table = encodePartitionTable(parsePartitionCsv(csv, {}));
  timeIt('partition binary decode (MD5 checked)', 2000, 0, () => {
    decodePartitionTable(table);
  });
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-'));
  try {
    const t0 = performance.now();
    const { files } = await generateExampleBuild({ dir, chip: 'esp32', appSize: 1 << 20, seed: 2 });
    process.stdout.write(
      `${'generate example build (1 MiB app)'.padEnd(44)}${pad((performance.now() - t0).toFixed(3), 10)} ms\n`,
    );
    const app = new Uint8Array(readFileSync(files.app));
    timeIt('image parse + checksum + SHA-256 (1 MiB)', 20, app.length, () => {
      parseImage(app, { chip: 'esp32' });
    });
    timeIt('SLIP encode + incremental decode (1 MiB)', 20, app.length, () => {
      const wire = slipEncode(app);
      const d = new SlipDecoder({ maxFrame: 4 << 20 });
      for (let i = 0; i < wire.length; i += 4096) d.feed(wire.subarray(i, i + 4096));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchStartup();
await benchFlash();
await benchHost();
await benchMemory();
await benchManyBoards();
await benchRealRom();
