// `espflash monitor` in process, against a TCP "device" (socket://), stopped by SIGINT or Ctrl+].

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';

/** A TCP server standing in for the board; remembers the connected socket and what it received. */
async function fakeBoard(): Promise<{
  server: Server;
  url: string;
  socket: () => Socket | null;
  received: () => string;
}> {
  let socket: Socket | null = null;
  let received = '';
  const server = createServer((s) => {
    socket = s;
    s.on('data', (d) => {
      received += d.toString('latin1');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `socket://127.0.0.1:${port}`, socket: () => socket, received: () => received };
}

/** Run the CLI in process, with output readable while it runs. */
function startCli(
  argv: string[],
  options: { cwd: string; stdin?: PassThrough; env?: Record<string, string> },
) {
  let stdout = '';
  let stderr = '';
  const code = main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: options.env ?? {},
    cwd: options.cwd,
    isTTY: false,
    ...(options.stdin ? { stdin: options.stdin } : {}),
  });
  return { code, stdout: () => stdout, stderr: () => stderr };
}

describe('espflash monitor (in process)', () => {
  let board: Awaited<ReturnType<typeof fakeBoard>>;
  let dir: string;
  beforeEach(async () => {
    board = await fakeBoard();
    dir = await mkdtemp(join(tmpdir(), 'espflash-moncli-'));
  });
  afterEach(async () => {
    board.socket()?.destroy();
    await new Promise((r) => board.server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("streams the board's lines and exits 130 on SIGINT", async () => {
    const before = process.listenerCount('SIGINT');
    const cli = startCli(['monitor', '--port', board.url, '--no-reset', '--no-config'], { cwd: dir });
    // The first run in this file also imports the (lazily loaded) command modules.
    await expect
      .poll(() => board.socket() !== null && process.listenerCount('SIGINT') > before, { timeout: 10_000 })
      .toBe(true);
    board.socket()!.write('I (10) main: hello\r\nW (11) main: careful\r\n');
    await expect.poll(cli.stdout).toBe('I (10) main: hello\nW (11) main: careful\n');
    process.emit('SIGINT', 'SIGINT');
    expect(await cli.code).toBe(130);
    expect(cli.stderr()).toContain(`espflash monitor on ${board.url} at 115200 baud (default)`);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it("takes the baud rate from the project's sdkconfig and says so", async () => {
    await writeFile(join(dir, 'sdkconfig'), 'CONFIG_ESP_CONSOLE_UART_BAUDRATE=74880\n');
    const cli = startCli(['monitor', '--port', board.url, '--no-reset', '--no-config'], { cwd: dir });
    // The banner is printed once the session (and its SIGINT handler) is running.
    await expect.poll(cli.stderr).toContain('espflash monitor on');
    process.emit('SIGINT', 'SIGINT');
    expect(await cli.code).toBe(130);
    expect(cli.stderr()).toMatch(/at 74880 baud \(build \(.*sdkconfig CONFIG_ESP_CONSOLE_UART_BAUDRATE\)\)/);
  });

  it('MONITORBAUD beats the sdkconfig, and -C names the project whose sdkconfig is read', async () => {
    const project = join(dir, 'fw');
    await mkdir(project);
    await writeFile(join(project, 'sdkconfig'), 'CONFIG_ESP_CONSOLE_UART_BAUDRATE=74880\n');
    const fromProject = startCli(['monitor', '-p', board.url, '--no-reset', '--no-config', '-C', 'fw'], {
      cwd: dir,
    });
    await expect.poll(fromProject.stderr).toContain('espflash monitor on');
    process.emit('SIGINT', 'SIGINT');
    expect(await fromProject.code).toBe(130);
    expect(fromProject.stderr()).toContain('at 74880 baud');
    board.socket()?.destroy();

    const fromEnv = startCli(['monitor', '-p', board.url, '--no-reset', '--no-config', '-C', 'fw'], {
      cwd: dir,
      env: { MONITORBAUD: '9600' },
    });
    await expect.poll(fromEnv.stderr).toContain('espflash monitor on');
    process.emit('SIGINT', 'SIGINT');
    expect(await fromEnv.code).toBe(130);
    expect(fromEnv.stderr()).toContain('at 9600 baud (env (MONITORBAUD))');
  });

  it('prints one JSON object per line with --json', async () => {
    const cli = startCli(['monitor', '--port', board.url, '--no-reset', '--no-config', '--json'], {
      cwd: dir,
    });
    await expect.poll(() => board.socket() !== null).toBe(true);
    board.socket()!.write('E (1) x: y\r\n');
    await expect.poll(cli.stdout).toContain('\n');
    process.emit('SIGINT', 'SIGINT');
    expect(await cli.code).toBe(130);
    expect(
      cli
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ type: 'serial', event: 'serial', text: 'E (1) x: y' }]);
  });

  it('forwards typed keys, notes that a TCP port cannot reset, and exits 0 on Ctrl+]', async () => {
    const stdin = new PassThrough();
    const cli = startCli(['monitor', '--port', board.url, '--no-config'], { cwd: dir, stdin });
    await expect.poll(() => board.socket() !== null).toBe(true);
    await expect.poll(cli.stdout).toContain('has no DTR/RTS lines');
    stdin.write('reboot\r');
    await expect.poll(board.received).toBe('reboot\r\n');
    stdin.write('\x1d');
    expect(await cli.code).toBe(0);
    expect(cli.stderr()).toContain('Ctrl+] exit');
  });

  it('rejects a bad --baud with exit code 2', async () => {
    const r = await runCli(['monitor', '--port', board.url, '--baud', 'fast', '--no-config'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-value');
  });

  it('rejects an unknown port scheme with exit code 2', async () => {
    const r = await runCli(['monitor', '--port', 'ftp://x:1', '--no-config'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('port/bad-spec');
  });
});
