// espflash's device commands judged by the real ESP32 ROM under QEMU, through the built CLI over
// socket://: board-info, write-bin (compressed and plain), checksum-md5, read-flash, erase-region and
// erase-flash, with the ROM loader (--no-stub) and the flasher stub, at 115200 and 921600, and fast
// reflash of a one-sector change. QEMU cannot be reset from the host: each describe block runs a
// sequence on one QEMU, ROM-loader steps first (the chip stays in the stub once it is uploaded; at
// 921600 the stub part gets a fresh chip), and every stub step after the first talks to a chip already
// running the stub (as watch does).

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { changeLastSector } from '../support/image-edit.js';
import { HAVE_TOOLS, type Qemu, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';
import { type CliRun, erased, espflash, md5, onQemu, scratch, textPattern } from './support/real-rom-cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** One QEMU and a scratch dir for a sequence of commands. */
function session(name: string) {
  const s = { qemu: null as Qemu | null, dir: '', cacheDir: '' };
  beforeAll(async () => {
    const { dir, cacheDir } = scratch(name);
    dirs.push(dir);
    s.dir = dir;
    s.cacheDir = cacheDir;
    s.qemu = await startQemu();
  });
  afterAll(async () => {
    await s.qemu?.stop();
  });
  const run = async (argv: string[], extra: string[] = []): Promise<CliRun> => {
    const r = await espflash([...argv, ...onQemu(s.qemu!), ...extra], { cwd: s.dir, cacheDir: s.cacheDir });
    expect(r.code, `espflash ${argv.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  const file = async (name: string, bytes: Uint8Array): Promise<string> => {
    const path = join(s.dir, name);
    await writeFile(path, bytes);
    return path;
  };
  const readBack = async (offset: number, size: number, extra: string[]): Promise<Uint8Array> => {
    const out = join(s.dir, `read-${offset.toString(16)}-${size.toString(16)}.bin`);
    await run(['read-flash', `0x${offset.toString(16)}`, `0x${size.toString(16)}`, out], extra);
    return new Uint8Array(await readFile(out));
  };
  const deviceMd5 = async (offset: number, size: number, extra: string[]): Promise<string> => {
    const r = await run(['checksum-md5', `0x${offset.toString(16)}`, `0x${size.toString(16)}`], extra);
    return String(r.event('md5').md5);
  };
  /** A fresh chip (QEMU restarted on a new flash file). */
  const restart = async (): Promise<void> => {
    await s.qemu?.stop();
    s.qemu = await startQemu();
  };
  return { s, run, file, readBack, deviceMd5, restart };
}

/** One step: a child process or two over a UART paced in real time. */
const STEP_TIMEOUT_MS = 150_000;
function step(name: string, fn: () => Promise<void>): void {
  it(name, fn, STEP_TIMEOUT_MS);
}

type BoardInfo = {
  chip: string;
  revision: string;
  crystalMhz: number | null;
  flash: { size: string };
  stub: boolean;
  baud: number;
};

/** The steps every loader/baud combination runs. */
function commandSequence(options: { baud: number; name: string }) {
  const { s, run, file, readBack, deviceMd5, restart } = session(options.name);
  // After the ROM loader ran at another baud, its UART stays there (no reset over TCP): the stub part
  // then starts on a fresh chip, as it would after a reset, so it syncs with the ROM at its boot rate.
  const freshChipForStub = options.baud !== 115200;
  const baud = options.baud === 115200 ? [] : ['--baud', String(options.baud)];
  const rom = ['--no-stub', ...baud];
  const stub = [...baud];
  const A = textPattern(0x4000, 1);
  const B = textPattern(0x4000, 2);
  const C = textPattern(0x6000, 3);
  const D = textPattern(0x2000, 4);
  const base = 0x100000;
  const stubBase = 0x200000;

  step('ROM loader: board-info (ESP32, v3.0, 4MB, 40 MHz crystal)', async () => {
    const info = (await run(['board-info'], rom)).event('board-info') as unknown as BoardInfo;
    expect(info).toMatchObject({ chip: 'esp32', revision: 'v3.0', crystalMhz: 40, stub: false });
    expect(info.flash.size).toBe('4MB');
    expect.soft(info.baud, 'baud reported by the loader').toBe(options.baud);
  });

  step('ROM loader: write-bin plain (its default) and --compress, both verified', async () => {
    const plain = (await run(['write-bin', `0x${base.toString(16)}`, await file('a.bin', A)], rom)).event(
      'written',
    );
    expect(plain).toMatchObject({ status: 'written', verified: true, md5: md5(A), size: A.length });
    expect(plain.wireBytes as number).toBeGreaterThanOrEqual(A.length);
    const packed = (
      await run(
        ['write-bin', `0x${(base + A.length).toString(16)}`, await file('b.bin', B), '--compress'],
        rom,
      )
    ).event('written');
    expect(packed).toMatchObject({ status: 'written', verified: true, md5: md5(B) });
    expect(packed.wireBytes as number).toBeLessThan(B.length / 2);
  });

  step('ROM loader: checksum-md5 and read-flash give back what was written', async () => {
    expect(await deviceMd5(base, A.length + B.length, rom)).toBe(md5(Buffer.concat([A, B])));
    // READ_FLASH_SLOW moves 64 bytes per command: read one sector across the A/B boundary.
    const back = await readBack(base + A.length - 0x800, 0x1000, rom);
    expect(
      Buffer.from(back).equals(Buffer.concat([A.subarray(A.length - 0x800), B.subarray(0, 0x800)])),
    ).toBe(true);
  });

  step('ROM loader: erase-region erases exactly the sector asked for', async () => {
    await run(['erase-region', `0x${(base + A.length).toString(16)}`, '0x1000'], rom);
    expect(await deviceMd5(base + A.length, 0x1000, rom)).toBe(md5(erased(0x1000)));
    expect(await deviceMd5(base, A.length, rom)).toBe(md5(A));
    expect(await deviceMd5(base + A.length + 0x1000, B.length - 0x1000, rom)).toBe(md5(B.subarray(0x1000)));
  });

  step('stub: board-info uploads the stub and still reports the 40 MHz crystal', async () => {
    if (freshChipForStub) await restart();
    const r = await run(['board-info'], stub);
    expect(r.event('stub-started')).toMatchObject({ reused: false });
    const info = r.event('board-info') as unknown as BoardInfo;
    expect(info).toMatchObject({ chip: 'esp32', revision: 'v3.0', crystalMhz: 40, stub: true });
    expect(info.flash.size).toBe('4MB');
    expect.soft(info.baud, 'baud reported by the loader').toBe(options.baud);
  });

  step('stub already running: board-info re-uses it, never a wrong crystal', async () => {
    const r = await run(['board-info'], stub);
    expect(r.event('stub-started')).toMatchObject({ reused: true });
    const info = r.event('board-info') as unknown as BoardInfo;
    expect(info).toMatchObject({ chip: 'esp32', revision: 'v3.0', stub: true });
    // The stub runs the UART from the 80 MHz PLL: without the ROM's measurement it is unknown.
    expect(info.crystalMhz).toBeNull();
  });

  step('stub: write-bin compressed (default) and -u plain, both verified', async () => {
    const packed = (
      await run(['write-bin', `0x${stubBase.toString(16)}`, await file('c.bin', C)], stub)
    ).event('written');
    expect(packed).toMatchObject({ status: 'written', verified: true, md5: md5(C) });
    expect(packed.wireBytes as number).toBeLessThan(C.length / 2);
    const plain = (
      await run(['write-bin', `0x${(stubBase + C.length).toString(16)}`, await file('d.bin', D), '-u'], stub)
    ).event('written');
    expect(plain).toMatchObject({ status: 'written', verified: true, md5: md5(D) });
    expect(plain.wireBytes as number).toBeGreaterThanOrEqual(D.length);
  });

  step('stub: read-flash and checksum-md5 give back what was written, ROM writes included', async () => {
    const all = Buffer.concat([C, D]);
    expect(Buffer.from(await readBack(stubBase, all.length, stub)).equals(all)).toBe(true);
    expect(await deviceMd5(stubBase, all.length, stub)).toBe(md5(all));
    const fromRom = freshChipForStub
      ? erased(0x8000)
      : Buffer.concat([A, erased(0x1000), B.subarray(0x1000)]);
    expect(Buffer.from(await readBack(base, fromRom.length, stub)).equals(fromRom)).toBe(true);
  });

  step('stub: erase-region, then erase-flash leaves every byte 0xFF', async () => {
    await run(['erase-region', `0x${(stubBase + 0x1000).toString(16)}`, '0x2000'], stub);
    const back = await readBack(stubBase, 0x4000, stub);
    expect(
      Buffer.from(back).equals(
        Buffer.concat([C.subarray(0, 0x1000), erased(0x2000), C.subarray(0x3000, 0x4000)]),
      ),
    ).toBe(true);
    await run(['erase-flash'], stub);
    expect(await deviceMd5(base, 0x10000, stub)).toBe(md5(erased(0x10000)));
    await s.qemu!.stop();
    const flash = new Uint8Array(await readFile(s.qemu!.flashFile));
    expect(flash.length).toBe(4 << 20);
    expect(flash.every((b) => b === 0xff)).toBe(true);
  });
}

describe.skipIf(!HAVE_TOOLS)(`real ESP32 ROM: device commands at 115200${TOOLS_SKIP_NOTE}`, () => {
  commandSequence({ baud: 115200, name: 'cmd115k' });
});

describe.skipIf(!HAVE_TOOLS)(`real ESP32 ROM: device commands at 921600${TOOLS_SKIP_NOTE}`, () => {
  commandSequence({ baud: 921600, name: 'cmd921k' });
});

describe.skipIf(!HAVE_TOOLS)(`real ESP32 ROM: fast reflash of a one-sector change${TOOLS_SKIP_NOTE}`, () => {
  const { s, run } = session('fast');

  step(
    'the second flash writes one sector to the chip already running the stub, and the bytes land',
    async () => {
      const build = await generateExampleBuild({ dir: s.dir, chip: 'esp32', seed: 21, appSize: 48 * 1024 });
      const first = await run(['flash', '--build-dir', build.buildDir]);
      expect(first.event('flash-summary')).toMatchObject({ bytesWritten: expect.any(Number) });

      const app = new Uint8Array(await readFile(build.files.app));
      const changed = changeLastSector(app);
      expect(Math.floor(changed.at / 0x1000)).toBe(Math.floor((app.length - 1) / 0x1000));
      await writeFile(build.files.app, changed.bytes);

      const second = await run(['flash', '--build-dir', build.buildDir]);
      expect(second.event('stub-started')).toMatchObject({ reused: true });
      // One sector: the app's last one, which it fills only partly.
      const lastSector = Math.floor((app.length - 1) / 0x1000) * 0x1000;
      expect(second.event('flash-summary')).toMatchObject({ bytesWritten: app.length - lastSector });
      // Progress events: only the app region moved, by one sector.
      const progress = second.events.filter((e) => e.event === 'region-progress');
      expect(new Set(progress.map((e) => e.offset))).toEqual(new Set([0x10000]));
      const written = second.events.filter(
        (e) => e.event === 'region-verified' || e.event === 'region-skipped',
      );
      expect(written.map((e) => e.event)).toEqual(['region-skipped', 'region-skipped', 'region-verified']);

      await s.qemu!.stop();
      const flash = new Uint8Array(await readFile(s.qemu!.flashFile));
      expect(Buffer.from(flash.subarray(0x10000, 0x10000 + changed.bytes.length)).equals(changed.bytes)).toBe(
        true,
      );
    },
  );
});
