// Test helper: a foreground ser2net serving one device over Telnet/RFC 2217 on 127.0.0.1, with a
// YAML config in a temp folder, a bounded wait until it listens, and a cleanup that always kills it.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChild } from './socat.js';

/** Whether the `ser2net` binary is available. */
export const HAVE_SER2NET = spawnSync('ser2net', ['-v'], { stdio: 'ignore' }).status === 0;

/** Title suffix for suites that need ser2net. */
export const SER2NET_SKIP_NOTE = HAVE_SER2NET
  ? ''
  : ' [SKIPPED: ser2net not installed (apt-get install -y ser2net)]';

/** A running ser2net. */
export interface Ser2net {
  port: number;
  /** ser2net's stdout/stderr so far (debug output), for failure messages. */
  log(): string;
  /** Kill ser2net (TERM, then KILL) and remove its temp folder. Safe to call twice. */
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** True when /proc/net/tcp shows a socket listening on 127.0.0.1:`port` (no connection needed). */
function isListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const table = readFileSync('/proc/net/tcp', 'utf8');
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1] === `0100007F:${hexPort}` && cols[3] === '0A';
  });
}

/** Start ser2net with `accepter: telnet(rfc2217),tcp,127.0.0.1,<port>` in front of `device`. */
export async function startSer2net(options: { device: string; timeoutMs?: number }): Promise<Ser2net> {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-ser2net-'));
  const port = await freePort();
  const config = join(dir, 'ser2net.yaml');
  writeFileSync(
    config,
    [
      'connection: &espflash',
      `  accepter: telnet(rfc2217),tcp,127.0.0.1,${port}`,
      `  connector: serialdev,${options.device},115200n81,local`,
      '  options:',
      '    kickolduser: true',
      '',
    ].join('\n'),
  );
  const child = spawn('ser2net', ['-n', '-d', '-u', '-P', join(dir, 'ser2net.pid'), '-c', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await killChild(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!isListening(port)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await cleanup();
      throw new Error(`ser2net did not start listening on ${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { port, log: () => output, cleanup };
}
