// End to end through a real pseudo-terminal pair made by socat: the CLI process monitors one end,
// the test plays the device on the other. Needs socat (`apt-get install -y socat`; CI installs it).

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../src/core/session/transport.js';
import { openSerialTransport } from '../../src/node/serial-transport.js';
import { HAVE_SOCAT, SOCAT_SKIP_NOTE as SOCAT_NOTE } from '../node/support/socat.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RUN_CLI = fileURLToPath(new URL('./support/run-cli.ts', import.meta.url));
const enc = (s: string) => new TextEncoder().encode(s);

/** A child process with its output collected. */
interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(command: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

describe.skipIf(!HAVE_SOCAT)(`espflash monitor over a pty pair${SOCAT_NOTE}`, () => {
  const procs: Proc[] = [];
  let device: Transport | null = null;
  afterEach(async () => {
    await device?.close();
    device = null;
    for (const p of procs.splice(0)) {
      if (p.child.exitCode === null && p.child.pid !== undefined) p.child.kill('SIGKILL');
      await p.exit;
    }
  });

  /** socat with two linked raw ptys; resolves with their paths. */
  async function ptyPair(): Promise<{ socat: Proc; cli: string; dev: string }> {
    const socat = start('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0']);
    procs.push(socat);
    await expect.poll(() => socat.stderr().match(/PTY is \S+/g)?.length ?? 0, { timeout: 10_000 }).toBe(2);
    const [cli, dev] = socat
      .stderr()
      .match(/PTY is (\S+)/g)!
      .map((m) => m.slice('PTY is '.length));
    return { socat, cli: cli!, dev: dev! };
  }

  it('shows decoded device output, forwards keys, and exits 0 on Ctrl+]', async () => {
    const { cli, dev } = await ptyPair();
    device = await openSerialTransport({ path: dev });
    const mon = start(
      process.execPath,
      ['--import', 'tsx', RUN_CLI, 'monitor', '--port', cli, '--no-reset', '--no-config'],
      { NO_COLOR: '1' },
    );
    procs.push(mon);
    await expect.poll(mon.stderr, { timeout: 30_000 }).toContain(`espflash monitor on ${cli} at 115200 baud`);

    const bytes = enc('I (31) boot: temp 21 °C\r\nE (42) app: failed\r\n');
    const cut = bytes.indexOf(0xb0); // split the ° between two writes
    await device.write(bytes.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 50));
    await device.write(bytes.subarray(cut));
    await expect.poll(mon.stdout, { timeout: 10_000 }).toBe('I (31) boot: temp 21 °C\nE (42) app: failed\n');

    mon.child.stdin!.write('ls\r');
    let typed = '';
    await expect
      .poll(
        async () => {
          typed += new TextDecoder().decode(await device!.read({ timeoutMs: 200 }));
          return typed;
        },
        { timeout: 10_000 },
      )
      .toBe('ls\r\n');

    mon.child.stdin!.write(Uint8Array.of(0x1d));
    expect(await mon.exit).toBe(0);
  });

  it('keeps running when the port disappears, and still quits on Ctrl+]', async () => {
    const { socat, cli } = await ptyPair();
    const mon = start(
      process.execPath,
      ['--import', 'tsx', RUN_CLI, 'monitor', '--port', cli, '--no-reset', '--no-config'],
      { NO_COLOR: '1' },
    );
    procs.push(mon);
    await expect.poll(mon.stderr, { timeout: 30_000 }).toContain('espflash monitor on');
    socat.child.kill('SIGTERM');
    await expect.poll(mon.stdout, { timeout: 10_000 }).toContain(`Waiting for ${cli} to come back`);
    expect(mon.child.exitCode).toBeNull();
    mon.child.stdin!.write(Uint8Array.of(0x1d));
    expect(await mon.exit).toBe(0);
  });
});
