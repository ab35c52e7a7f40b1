// Serves one virtual ESP32 over TCP as raw bytes (like QEMU or ser2net raw mode): every client
// reaches the same device, so reconnecting keeps the flash and the running stub. Optionally links a
// pseudo-terminal to the port with socat (`--pty`). A disconnect fault drops every client and
// refuses new ones while the virtual USB port is gone. Node-only.

import { type ChildProcess, spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { EspflashError, UsageError } from '../errors.js';
import type { SimOptions } from './sim-options.js';
import { createVirtualChip } from './sim-transport.js';
import type { VirtualChip } from './virtual-chip.js';

/** Options for {@link startSimServer}. */
export interface SimServerOptions extends SimOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 5555; 0 picks a free one). */
  port?: number;
  /** Also expose a pseudo-terminal through socat; the value is the symlink path to create. */
  ptyLink?: string;
  /** socat executable (default `socat`). */
  socatPath?: string;
  /** Told when a client connects or disconnects (the library never prints). */
  onClient?: (event: { type: 'connected' | 'disconnected'; remote: string; clients: number }) => void;
}

/** A running server. */
export interface SimServer {
  readonly host: string;
  readonly port: number;
  /** Path of the pseudo-terminal symlink when `ptyLink` was given. */
  readonly pty: string | null;
  readonly device: VirtualChip;
  /** Number of connected clients. */
  readonly clients: number;
  /** Disconnect everyone, stop socat, save the flash file. */
  close(): Promise<void>;
}

/** Start serving a new virtual chip. Raw TCP has no modem lines, so it starts in download mode. */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const { device, flashFile } = createVirtualChip({
    ...options,
    startInDownloadMode: options.startInDownloadMode ?? true,
  });
  const sockets = new Set<Socket>();
  device.attachHost((bytes) => {
    for (const s of sockets) s.write(bytes);
  });
  device.usb.onUnplug(() => {
    for (const s of sockets) s.destroy();
  });
  const server = createServer((socket) => {
    if (device.usb.unplugged) {
      socket.destroy();
      return;
    }
    device.replug();
    socket.setNoDelay(true);
    sockets.add(socket);
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    options.onClient?.({ type: 'connected', remote, clients: sockets.size });
    socket.on('data', (chunk: Buffer) => device.hostWrite(new Uint8Array(chunk), device.baud));
    socket.on('close', () => {
      sockets.delete(socket);
      options.onClient?.({ type: 'disconnected', remote, clients: sockets.size });
    });
    socket.on('error', () => socket.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, host, options.port ?? 5555);
  let socat: SocatHandle | null = null;
  if (options.ptyLink) {
    try {
      socat = await startSocat({
        host,
        port,
        link: options.ptyLink,
        socatPath: options.socatPath ?? 'socat',
      });
    } catch (err) {
      server.close();
      device.close();
      throw err;
    }
  }
  return {
    host,
    port,
    pty: options.ptyLink ?? null,
    device,
    get clients() {
      return sockets.size;
    },
    close: async () => {
      socat?.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      device.close();
      flashFile?.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const inUse = err.code === 'EADDRINUSE';
      reject(
        new UsageError(
          inUse ? 'sim/address-in-use' : 'sim/listen-failed',
          `cannot listen on ${host}:${port}: ${inUse ? 'the port is already in use' : err.message}`,
          { hint: 'Pick another address with --listen host:port (port 0 chooses a free one).', cause: err },
        ),
      );
    });
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

interface SocatHandle {
  stop(): void;
}

/**
 * Run `socat pty,link=<link> tcp:<host>:<port>` and restart it when it exits (socat ends when the
 * program using the pty closes it). Resolves once the pty exists.
 */
async function startSocat(options: {
  host: string;
  port: number;
  link: string;
  socatPath: string;
}): Promise<SocatHandle> {
  let stopped = false;
  let child: ChildProcess | null = null;
  let quickFailures = 0;
  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const proc = spawn(
        options.socatPath,
        ['-d', '-d', `pty,raw,echo=0,link=${options.link}`, `tcp:${options.host}:${options.port}`],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child = proc;
      let stderr = '';
      let ready = false;
      proc.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!ready && /PTY is /.test(stderr)) {
          ready = true;
          // socat names the pty before it creates the symlink: ready once the link exists.
          void linkAppears(options.link).then(resolve, reject);
        }
      });
      proc.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          reject(
            new EspflashError(
              'sim/socat-missing',
              `--pty needs socat, which is not installed (${options.socatPath})`,
              {
                hint: 'Install it (apt-get install socat, brew install socat) or drop --pty and use --port socket://host:port.',
                cause: err,
              },
            ),
          );
        } else reject(err);
      });
      proc.on('exit', (code) => {
        if (!ready) {
          reject(
            new EspflashError(
              'sim/socat-failed',
              `socat exited (code ${code}) before creating the pty: ${stderr.trim()}`,
              {
                hint: `Check that the --pty link path ${options.link} is writable.`,
              },
            ),
          );
          return;
        }
        if (stopped) return;
        quickFailures = Date.now() - started < 1000 ? quickFailures + 1 : 0;
        if (quickFailures < 5) setTimeout(() => void launch().catch(() => {}), 100).unref();
      });
    });
  await launch();
  return {
    stop: () => {
      stopped = true;
      (child as ChildProcess | null)?.kill();
    },
  };
}

/** Resolve when `link` exists (socat creates it just after announcing the pty); bounded wait. */
async function linkAppears(link: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await lstat(link).then(
        () => true,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) {
      throw new EspflashError('sim/socat-failed', `socat announced a pty but ${link} did not appear`, {
        hint: `Check that the --pty link path ${link} is writable.`,
      });
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
