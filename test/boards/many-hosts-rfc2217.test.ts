// Boards on other hosts: two virtual ESP32s behind pseudo-terminals (the sim server's socat pty),
// each served by its own real ser2net over RFC 2217, flashed at once through `rfc2217://` ports,
// plus a host that refuses the connection: both real boards land verified, the dead one fails alone.
// Once through the API (flashMany), once through the CLI (`flash --port … --port …`).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { flashMany } from '../../src/api/flash-many.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { sourced } from '../../src/provenance.js';
import { type SimServer, startSimServer } from '../../src/sim/tcp-server.js';
import { HAVE_SER2NET, SER2NET_SKIP_NOTE, type Ser2net, startSer2net } from '../node/support/ser2net.js';
import { HAVE_SOCAT, SOCAT_SKIP_NOTE } from '../node/support/socat.js';
import { runCli } from '../support/cli.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-many-hosts-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A port nobody listens on (a rack host that is down). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return address.port;
}

/** One "host": a virtual ESP32 on a pty, served by ser2net as rfc2217://127.0.0.1:<port>. */
async function host(dir: string, n: number): Promise<{ url: string; sim: SimServer; mac: string }> {
  const mac = `24:0a:c4:00:02:0${n}`;
  const sim = await startSimServer({
    chip: 'esp32',
    port: 0,
    timing: false,
    mac,
    ptyLink: join(dir, `tty${n}`),
  });
  cleanups.push(() => sim.close());
  const ser2net: Ser2net = await startSer2net({ device: sim.pty! });
  cleanups.push(() => ser2net.cleanup());
  return { url: `rfc2217://127.0.0.1:${ser2net.port}`, sim, mac };
}

describe.skipIf(!HAVE_SER2NET || !HAVE_SOCAT)(
  `many boards over RFC 2217 (ser2net)${SER2NET_SKIP_NOTE}${SOCAT_SKIP_NOTE}`,
  () => {
    it('flashMany lands both ser2net boards verified while a dead host fails alone', async () => {
      const dir = await tempDir();
      const { buildDir } = await generateExampleBuild({ dir, chip: 'esp32', appSize: 24 * 1024, seed: 5 });
      const hosts = [await host(dir, 1), await host(dir, 2)];
      const dead = `rfc2217://127.0.0.1:${await deadPort()}`;
      const ports = [hosts[0]!.url, dead, hosts[1]!.url];
      const result = await flashMany({
        ports,
        buildDir,
        overrides: {
          before: sourced('no_reset', 'cli', '--before'),
          after: sourced('no_reset', 'cli', '--after'),
        },
        fastReflash: false,
        connectAttempts: 2,
      });
      expect(result.boards.map((b) => [b.port, b.ok])).toEqual([
        [hosts[0]!.url, true],
        [dead, false],
        [hosts[1]!.url, true],
      ]);
      const app = result.plan.regions.find((r) => r.role === 'app')!;
      for (const h of hosts) {
        const b = result.boards.find((x) => x.port === h.url)!;
        expect(b.mac).toBe(h.mac);
        expect(b.summary!.regions.every((r) => r.verified)).toBe(true);
        expect(h.sim.device.flash.read(app.offset, 1)[0]).toBe(0xe9);
      }
      expect((result.boards[1]!.error as { code?: string }).code).toMatch(/^port\//);
    }, 120_000);

    it('espflash flash --port rfc2217://… --port rfc2217://… flashes both and prints the table', async () => {
      const dir = await tempDir();
      await generateExampleBuild({ dir, chip: 'esp32', appSize: 24 * 1024, seed: 6 });
      const hosts = [await host(dir, 3), await host(dir, 4)];
      const r = await runCli(
        [
          'flash',
          '--no-config',
          '--build-dir',
          'build',
          '--before',
          'no_reset',
          '--after',
          'no_reset',
          '--full',
          ...hosts.flatMap((h) => ['--port', h.url]),
        ],
        { cwd: dir, env: { ESPFLASH_CACHE_DIR: join(dir, 'cache') } },
      );
      expect(r.stderr).not.toContain('FAILED');
      expect(r.code).toBe(0);
      for (const h of hosts) {
        expect(r.stdout).toMatch(
          new RegExp(`${h.url.replace(/[.]/g, '\\.')}\\s+esp32\\s+${h.mac}\\s.*verified`),
        );
      }
      expect(r.stdout).toContain('2 of 2 boards flashed');
    }, 120_000);
  },
);
