import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/session/clock.js';
import {
  createMemoryTransportPair,
  type MemoryTransportPair,
} from '../../src/core/session/memory-transport.js';
import type { Transport } from '../../src/core/session/transport.js';
import { type MonitorOptions, startMonitor } from '../../src/monitor/monitor-session.js';
import { type FakeToolchain, fakeToolchain } from './support/fake-toolchain.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A clock whose sleeps return at once and are recorded. */
function recordingClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('startMonitor', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function monitor(pair: MemoryTransportPair, extra: Partial<MonitorOptions> = {}) {
    const out: string[] = [];
    const session = startMonitor({
      transport: pair.host,
      baud: 115200,
      sink: (t) => out.push(t),
      env: { PATH: '/nonexistent' },
      idleFlushMs: 20,
      ...extra,
    });
    cleanups.push(() => session.close());
    return { session, out, text: () => out.join('') };
  }

  it('streams decoded lines to the sink, without colour by default', async () => {
    const pair = createMemoryTransportPair({ maxChunk: 5 });
    const { text } = monitor(pair);
    await pair.device.write(enc('\x1b[0;32mI (12) boot: héllo\x1b[0m\r\nE (13) app: bad\n'));
    await expect.poll(text).toBe('I (12) boot: héllo\nE (13) app: bad\n');
  });

  it('colours IDF log levels when colour is on', async () => {
    const pair = createMemoryTransportPair();
    const { text } = monitor(pair, { color: true });
    await pair.device.write(enc('W (1) x: careful\n'));
    await expect.poll(text).toBe('\x1b[33mW (1) x: careful\x1b[39m\n');
  });

  it('shows a prompt without a newline once the device is quiet', async () => {
    const pair = createMemoryTransportPair();
    const { text } = monitor(pair);
    await pair.device.write(enc('esp32> '));
    await expect.poll(text).toBe('esp32> ');
    await pair.device.write(enc('ok\n'));
    await expect.poll(text).toBe('esp32> ok\n');
  });

  it('switches the host side to the monitor baud rate', async () => {
    const pair = createMemoryTransportPair({ baudRate: 460800 });
    const { session } = monitor(pair, { baud: 74880 });
    await expect.poll(() => session.transport.baudRate).toBe(74880);
  });

  it('resets with DTR false + RTS true, 100 ms, then both false', async () => {
    const pair = createMemoryTransportPair();
    const clock = recordingClock();
    const { session } = monitor(pair, { clock });
    await session.reset();
    expect(pair.device.signalsLog.map(({ dtr, rts }) => ({ dtr, rts }))).toEqual([
      { dtr: false, rts: true },
      { dtr: false, rts: false },
    ]);
    expect(clock.sleeps).toEqual([100]);
  });

  it('forwards bytes to the device with send()', async () => {
    const pair = createMemoryTransportPair();
    const { session } = monitor(pair);
    await session.send(enc('help\r\n'));
    expect(new TextDecoder().decode(await pair.device.read({ timeoutMs: 1000 }))).toBe('help\r\n');
  });

  it('hands the port over on pause and takes it back on resume (no reopen)', async () => {
    const pair = createMemoryTransportPair();
    const { session, text } = monitor(pair);
    await pair.device.write(enc('before\n'));
    await expect.poll(text).toBe('before\n');
    await session.pause();
    await pair.device.write(enc('for the flasher\n'));
    // The flasher reads the same transport while the monitor is paused.
    const got = new TextDecoder().decode(await session.transport.read({ timeoutMs: 1000 }));
    expect(got).toBe('for the flasher\n');
    await session.resume();
    await pair.device.write(enc('after\n'));
    await expect.poll(text).toBe('before\nafter\n');
  });

  it('closes the port on pause and reopens it on resume when reopen is given', async () => {
    const first = createMemoryTransportPair();
    const second = createMemoryTransportPair();
    let reopened = 0;
    const { session, text } = monitor(first, {
      reopen: async () => {
        reopened++;
        return second.host;
      },
    });
    await session.pause();
    await expect(first.host.write(enc('x'))).rejects.toMatchObject({ code: 'transport/closed' });
    await session.resume();
    expect(reopened).toBe(1);
    expect(session.transport).toBe(second.host);
    await second.device.write(enc('new firmware\n'));
    await expect.poll(text).toBe('new firmware\n');
  });

  it('reconnects with backoff after the port disappears, printing notices', async () => {
    const first = createMemoryTransportPair({ description: '/dev/ttyACM0' });
    const second = createMemoryTransportPair({ description: '/dev/ttyACM0' });
    const clock = recordingClock();
    let attempts = 0;
    const reopen = async (): Promise<Transport> => {
      attempts++;
      if (attempts < 3) throw new Error('ENOENT');
      return second.host;
    };
    const { text, session } = monitor(first, { reopen, clock, backoff: { initialMs: 10, maxMs: 15 } });
    await first.device.write(enc('last words\n'));
    await first.device.close();
    await expect.poll(text).toContain('Reconnected to /dev/ttyACM0');
    expect(text()).toMatch(
      /^last words\n--- .*Waiting for \/dev\/ttyACM0 to come back \(Ctrl\+\] to quit\) ---\n/,
    );
    expect(clock.sleeps).toEqual([10, 15]);
    await second.device.write(enc('booted again\n'));
    await expect.poll(text).toContain('--- Reconnected to /dev/ttyACM0 ---\nbooted again\n');
    await session.close();
    await expect(session.done).resolves.toBeUndefined();
  });

  it('rejects done when the port goes away and cannot be reopened', async () => {
    const pair = createMemoryTransportPair();
    const { session } = monitor(pair);
    await pair.device.close();
    await expect(session.done).rejects.toMatchObject({ code: 'transport/closed' });
  });

  it('ends when the signal aborts, closing the transport', async () => {
    const pair = createMemoryTransportPair();
    const controller = new AbortController();
    const { session } = monitor(pair, { signal: controller.signal });
    controller.abort();
    await expect(session.done).resolves.toBeUndefined();
    await expect(pair.device.write(enc('x'))).rejects.toMatchObject({ code: 'transport/closed' });
  });

  it('writes plain timestamped lines to the log file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-mon-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const logFile = join(dir, 'serial.log');
    const pair = createMemoryTransportPair();
    const { session, text } = monitor(pair, {
      logFile,
      timestamps: true,
      color: true,
      utc: true,
      now: () => Date.UTC(2026, 0, 1, 12, 0, 0, 250),
    });
    await pair.device.write(enc('\x1b[0;31mE (5) a: b\x1b[0m\n'));
    await expect.poll(text).toBe('\x1b[2m[12:00:00.250] \x1b[22m\x1b[0;31mE (5) a: b\x1b[0m\n');
    await session.close();
    expect(await readFile(logFile, 'utf8')).toBe('[12:00:00.250] E (5) a: b\n');
  });

  it('fails with monitor/log-file-failed for an unwritable log file', async () => {
    const pair = createMemoryTransportPair();
    const { session } = monitor(pair, { logFile: '/nonexistent/dir/serial.log' });
    await expect(session.done).rejects.toMatchObject({ code: 'monitor/log-file-failed', exitCode: 2 });
  });

  describe('backtraces', () => {
    let tc: FakeToolchain | null = null;
    afterEach(async () => {
      await tc?.cleanup();
      tc = null;
    });

    it('prints decoded addresses after an Xtensa backtrace line', async () => {
      tc = await fakeToolchain({ prefix: 'xtensa-esp32-elf-', target: 'esp32' });
      const pair = createMemoryTransportPair();
      const { text } = monitor(pair, { buildDir: tc.buildDir, env: tc.env });
      await pair.device.write(
        enc('Backtrace: 0x400d1234:0x3ffb1230 0x400d5678:0x3ffb1250\r\nRebooting...\r\n'),
      );
      await expect
        .poll(text)
        .toBe(
          'Backtrace: 0x400d1234:0x3ffb1230 0x400d5678:0x3ffb1250\n' +
            '0x400d1234: app_main at /proj/main/main.c:12\n' +
            '0x400d5678: crash_here at /proj/main/main.c:7\n  (inlined by) app_main at /proj/main/main.c:14\n' +
            'Rebooting...\n',
        );
    });

    it('decodes a RISC-V register dump', async () => {
      tc = await fakeToolchain({ prefix: 'riscv32-esp-elf-', target: 'esp32c3' });
      const pair = createMemoryTransportPair();
      const { text } = monitor(pair, { buildDir: tc.buildDir, env: tc.env });
      await pair.device.write(
        enc(
          "Guru Meditation Error: Core  0 panic'ed (Load access fault). Exception was unhandled.\n" +
            'MEPC    : 0x42000abc  RA      : 0x42000def  SP      : 0x3fc8f0a0\n',
        ),
      );
      await expect
        .poll(text)
        .toContain(
          'MEPC    : 0x42000abc  RA      : 0x42000def  SP      : 0x3fc8f0a0\n' +
            '0x42000abc: app_main at /proj/main/main.c:21\n' +
            '0x42000def: main_task at /idf/components/freertos/app_startup.c:208\n',
        );
    });

    it('shows lines as they came with a single note when addr2line is missing', async () => {
      tc = await fakeToolchain({ prefix: 'xtensa-esp32-elf-', target: 'esp32', noTool: true });
      const pair = createMemoryTransportPair();
      const { text } = monitor(pair, { buildDir: tc.buildDir, env: tc.env });
      await pair.device.write(
        enc('Backtrace: 0x400d1234:0x3ffb1230\nBacktrace: 0x400d5678:0x3ffb1250\ndone\n'),
      );
      await expect.poll(text).toContain('done\n');
      expect(text()).toBe(
        'Backtrace: 0x400d1234:0x3ffb1230\n' +
          '--- xtensa-esp32-elf-addr2line is not on PATH (activate ESP-IDF: `. $IDF_PATH/export.sh`); backtraces are shown undecoded. ---\n' +
          'Backtrace: 0x400d5678:0x3ffb1250\ndone\n',
      );
    });
  });
});
