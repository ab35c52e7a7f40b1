// The device commands through the CLI (in process), one matrix over the port kinds that reach the
// virtual ESP32: sim:// (a new chip per command, its flash kept in a file between commands) and
// socket:// (`espflash sim` serving one chip over TCP). Each kind runs the same sequence on one chip.
// What only sim:// ports do (ESPFLASH_PORT, demo's default port, ROM-loader limits) is in cli-sim.

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/core/protocol/bytes.js';
import { type SimServer, startSimServer } from '../../src/sim/tcp-server.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { expectedRegions, type PlannedBuild, plannedBuild } from './support/planned.js';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const ff = (b: Uint8Array) => b.every((x) => x === 0xff);
const ndjson = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** A way to reach the virtual ESP32, and how to look at its flash from outside. */
interface PortKind {
  name: string;
  /** Start the chip; returns the --port value. */
  open(work: string): Promise<string>;
  /** `size` bytes of the chip's flash at `offset`, as they stand now. */
  read(offset: number, size: number): Promise<Uint8Array>;
  close(): Promise<void>;
  /** `reset` arguments and the line it prints. */
  reset: { argv: string[]; says: string };
  /** Whether the chip still runs the stub after that reset (a new connection then finds it). */
  stubAfterReset: boolean;
}

function simFileKind(): PortKind {
  let flashFile = '';
  return {
    name: 'sim:// (flash persisted in a file between commands)',
    async open(work) {
      flashFile = join(work, 'flash.bin');
      return `sim://esp32?flashFile=${encodeURIComponent(flashFile)}`;
    },
    async read(offset, size) {
      return new Uint8Array(await readFile(flashFile)).subarray(offset, offset + size);
    },
    async close() {},
    reset: { argv: ['reset'], says: 'Reset (hard-reset)' },
    // Every command opens a new chip from the file: it boots into the ROM loader.
    stubAfterReset: false,
  };
}

function tcpKind(): PortKind {
  let server: SimServer | null = null;
  return {
    name: 'socket:// (espflash sim over TCP)',
    async open() {
      server = await startSimServer({ chip: 'esp32', port: 0 });
      return `socket://127.0.0.1:${server.port}`;
    },
    async read(offset, size) {
      return server!.device.flash.read(offset, size);
    },
    async close() {
      await server?.close();
    },
    // No modem lines over raw TCP: only --after no_reset succeeds.
    reset: { argv: ['reset', '--after', 'no_reset'], says: 'Reset (no-reset)' },
    // FLASH_END(0) leaves esp-flasher-stub running (as the real ESP32 under QEMU shows; only the
    // legacy stub resets into the ROM), so the next connection finds the stub already running.
    stubAfterReset: true,
  };
}

const FLASH_SIZE = 4 << 20;

const KINDS = [simFileKind(), tcpKind()].map((k) => [k.name, k] as const);

describe.each(KINDS)('device commands on %s', (_name, kind) => {
  let work: string;
  let build: PlannedBuild;
  let port: string;
  const cli = (argv: string[], env: Record<string, string> = {}) =>
    runCli([...argv, '--port', port], { cwd: work, env });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'espflash-cli-'));
    build = await plannedBuild('esp32');
    port = await kind.open(work);
  });
  afterAll(async () => {
    await kind.close();
    await rm(build.dir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('flash writes every planned region, and the default command skips what is already there', async () => {
    const r = await cli(['flash', '--build-dir', build.buildDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Flashed 3 of 3 regions/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    for (const region of await expectedRegions(build.plan, '4MB')) {
      expect(bytesEqual(await kind.read(region.offset, region.bytes.length), region.bytes)).toBe(true);
    }
    const again = await cli(['--build-dir', build.buildDir]);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/unchanged \(skipped\)/g)).toHaveLength(3);
    expect(again.stdout).toMatch(/Flashed 0 of 3 regions/);
  });

  it('board-info reports chip, MAC and flash size, as text and as JSON', async () => {
    const text = await cli(['board-info']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Chip\s+ESP32/);
    expect(text.stdout).toMatch(/Flash\s+4MB/);
    const r = await cli(['board-info', '--json']);
    expect(r.code).toBe(0);
    const lines = ndjson(r.stdout);
    const info = lines.find((l) => l.event === 'board-info');
    expect(info.chip).toBe('esp32');
    expect(info.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(info.flash.size).toBe('4MB');
    expect(lines.some((l) => l.event === 'connected')).toBe(true);
  });

  it('checksum-md5 prints the MD5 of the range on the device', async () => {
    const r = await cli(['checksum-md5', '0x8000', '3k']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(md5(await kind.read(0x8000, 3072)));
    const app = await cli(['checksum-md5', '0x10000', '64k']);
    expect(app.code).toBe(0);
    expect(app.stdout).toContain(md5(await kind.read(0x10000, 0x10000)));
  });

  it('read-flash writes the range to a file', async () => {
    const out = join(work, 'table.bin');
    const r = await cli(['read-flash', '0x8000', '0xc00', out]);
    expect(r.code).toBe(0);
    expect(new Uint8Array(await readFile(out))).toEqual(await kind.read(0x8000, 0xc00));
  });

  it('write-bin into a partition by label, then erase-parts and erase-region clear it', async () => {
    const data = new Uint8Array(3000).map((_, i) => (i * 5 + 1) & 0xff);
    const file = join(work, 'nvs.bin');
    await writeFile(file, data);
    expect((await cli(['write-bin', 'nvs', file])).code).toBe(0);
    expect(await kind.read(0x9000, 3000)).toEqual(data);
    expect((await cli(['erase-parts', 'nvs'])).code).toBe(0);
    expect(ff(await kind.read(0x9000, 0x6000))).toBe(true);
    expect((await cli(['write-bin', '0x300000', file])).code).toBe(0);
    expect((await cli(['erase-region', '3M', '4k'])).code).toBe(0);
    expect(ff(await kind.read(0x300000, 0x1000))).toBe(true);
  });

  it('write-bin writes at an offset and into a partition by label, verified', async () => {
    const data = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    const file = join(work, 'data.bin');
    await writeFile(file, data);
    const r1 = await cli(['write-bin', '0x200000', file]);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/verified/);
    expect(await kind.read(0x200000, 5000)).toEqual(data);
    const r2 = await cli(['write-bin', 'nvs', file, '--json']);
    expect(r2.code).toBe(0);
    const lines = ndjson(r2.stdout);
    expect(lines.at(-1)).toMatchObject({
      event: 'written',
      offset: 0x9000,
      status: 'written',
      verified: true,
    });
    expect(lines.some((l) => l.event === 'region-verified')).toBe(true);
    expect(await kind.read(0x9000, 5000)).toEqual(data);
  });

  it('erase-parts erases a partition by label; an unknown label is a usage error listing the labels', async () => {
    expect(ff(await kind.read(0x9000, 0x6000))).toBe(false);
    const r = await cli(['erase-parts', 'nvs']);
    expect(r.code).toBe(0);
    expect(ff(await kind.read(0x9000, 0x6000))).toBe(true);
    const bad = await cli(['erase-parts', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('partition/unknown-label');
    expect(bad.stderr).toContain('factory');
    expect(hasStackTrace(bad.stderr)).toBe(false);
  });

  it('erase-region erases exactly the range', async () => {
    const r = await cli(['erase-region', '0x200000', '0x1000']);
    expect(r.code).toBe(0);
    expect(ff(await kind.read(0x200000, 0x1000))).toBe(true);
    expect(ff(await kind.read(0x201000, 5000 - 0x1000))).toBe(false);
  });

  it('reset connects and resets', async () => {
    const r = await cli(kind.reset.argv);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(kind.reset.says);
  });

  it('flash --no-stub --json: NDJSON events through the ROM loader, ending with the summary', async () => {
    const r = await cli([
      'flash',
      '--build-dir',
      build.buildDir,
      '--no-stub',
      '--force',
      '--after',
      'no_reset',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const lines = ndjson(r.stdout);
    // A chip still running the stub is used as it is (--no-stub does not reset it away).
    expect(lines.find((l) => l.event === 'connected')).toMatchObject({ stub: kind.stubAfterReset });
    expect(lines.filter((l) => l.event === 'region-verified')).toHaveLength(3);
    const summary = lines.at(-1);
    expect(summary.event).toBe('flash-summary');
    expect(
      summary.regions.every(
        (x: { verified: boolean; status: string }) => x.verified && x.status === 'written',
      ),
    ).toBe(true);
  });

  it('demo flashes an example build and proves each region by reading it back', async () => {
    const r = await cli(['demo', '--chip', 'esp32']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/read back: identical/g)).toHaveLength(3);
    expect(r.stdout).toContain('All 3 regions');
  });

  it('erase-flash leaves every byte 0xFF', async () => {
    const r = await cli(['erase-flash']);
    expect(r.code).toBe(0);
    expect(ff(await kind.read(0, FLASH_SIZE))).toBe(true);
  });

  describe('bad input exits 2 without a stack trace', () => {
    const cases: Array<[string, string[], string]> = [
      ['a bad offset', ['erase-region', '12q', '0x1000'], 'usage/bad-number'],
      ['a bad size', ['checksum-md5', '0', '-5'], 'usage/bad-number'],
      ['an unaligned erase', ['erase-region', '0x1001', '0x1000'], 'erase/unaligned'],
      ['a missing file', ['write-bin', '0x1000', '/nonexistent/espflash.bin'], 'usage/file-not-found'],
      ['a range past the flash', ['checksum-md5', '4M', '4k'], 'flash/out-of-range'],
    ];
    for (const [what, argv, code] of cases) {
      it(what, async () => {
        const r = await cli(argv);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(code);
        expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
      });
    }

    it('names the argument in usage/bad-number', async () => {
      const r = await cli(['read-flash', '0', 'lots', join(work, 'x.bin')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('<size>');
    });
  });
});

describe('without a port', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'espflash-cli-noport-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('no --port and no board: port/none suggests the virtual device', async () => {
    const r = await runCli(['board-info'], { cwd: work, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('port/none');
    expect(r.stderr).toContain('sim://esp32');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
