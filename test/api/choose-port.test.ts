// The port choice inside openDevice: an injected port lister (never the machine's USB ports) for no
// board (port/none), one likely board (chosen), several (the remembered one, else the injected
// prompt's answer, remembered, else port/ambiguous); a choice made earlier or a URL port is not looked
// up again; a file given as --port is port/not-a-port.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { choosePort, usbFlags } from '../../src/api/choose-port.js';
import { openDevice } from '../../src/api/open-device.js';
import type { Logger } from '../../src/logger.js';
import type { PortInfo } from '../../src/node/port-list.js';
import { createPortMemory } from '../../src/node/port-memory.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const bridge = (path: string, likely = true): PortInfo => ({
  path,
  kind: 'usb-uart',
  likelyEspressif: likely,
  description: 'CP210x USB-UART bridge',
});

function recordingLogger() {
  const lines: Array<[string, string]> = [];
  const logger: Logger = {
    debug: (m) => lines.push(['debug', m]),
    info: (m) => lines.push(['info', m]),
    warn: (m) => lines.push(['warn', m]),
  };
  return { logger, lines };
}

describe('choosePort', () => {
  it('fails with port/none listing the ports and suggesting sim://esp32 when no board is likely', async () => {
    const listPorts = vi.fn(async () => [bridge('/dev/ttyS0', false)]);
    const err = await choosePort({ listPorts }).catch((e) => e);
    expect(err).toMatchObject({ code: 'port/none', exitCode: 2, details: { ports: ['/dev/ttyS0'] } });
    expect(err.message).toContain('/dev/ttyS0');
    expect(err.hint).toContain('sim://esp32');
    expect(listPorts).toHaveBeenCalledTimes(1);
  });

  it('picks the one likely board and says so', async () => {
    const { logger, lines } = recordingLogger();
    const listPorts = async () => [bridge('/dev/ttyS0', false), bridge('/dev/ttyUSB3')];
    const chosen = await choosePort({ listPorts, logger });
    expect(chosen).toEqual({ port: '/dev/ttyUSB3', info: bridge('/dev/ttyUSB3') });
    expect(lines).toEqual([['info', 'Using /dev/ttyUSB3 (CP210x USB-UART bridge)']]);
  });

  it('several boards and no prompt: port/ambiguous listing them with descriptions, hint naming --port', async () => {
    const listPorts = async () => [
      bridge('/dev/ttyUSB0'),
      bridge('/dev/ttyS0', false),
      bridge('/dev/ttyACM0'),
    ];
    const err = await choosePort({ listPorts }).catch((e) => e);
    expect(err).toMatchObject({
      code: 'port/ambiguous',
      exitCode: 2,
      details: {
        ports: [
          { path: '/dev/ttyUSB0', description: 'CP210x USB-UART bridge' },
          { path: '/dev/ttyACM0', description: 'CP210x USB-UART bridge' },
        ],
      },
    });
    expect(err.message).toContain('/dev/ttyUSB0 (CP210x USB-UART bridge), /dev/ttyACM0');
    expect(err.message).not.toContain('/dev/ttyS0');
    expect(err.hint).toMatch(/--port \/dev\/ttyUSB0.*ESPFLASH_PORT/);
  });

  it('several boards: asks the prompt, remembers the answer, and next time uses it without asking', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-port-memory-'));
    try {
      const listPorts = async () => [bridge('/dev/ttyUSB0'), bridge('/dev/ttyUSB1')];
      const prompt = vi.fn(async (candidates: readonly PortInfo[]) => candidates[1]!);
      const memory = createPortMemory({ projectDir: '/work/blink', dir });
      const first = recordingLogger();
      const chosen = await choosePort({ listPorts, prompt, memory, logger: first.logger });
      expect(chosen.port).toBe('/dev/ttyUSB1');
      expect(prompt).toHaveBeenCalledTimes(1);
      expect(prompt.mock.calls[0]![0].map((p) => p.path)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1']);

      const again = recordingLogger();
      const fresh = createPortMemory({ projectDir: '/work/blink', dir });
      const second = await choosePort({ listPorts, prompt, memory: fresh, logger: again.logger });
      expect(second).toEqual({ port: '/dev/ttyUSB1', info: bridge('/dev/ttyUSB1') });
      expect(prompt).toHaveBeenCalledTimes(1);
      expect(again.lines).toEqual([
        ['info', 'Using /dev/ttyUSB1 (remembered for this project; --port to change)'],
      ]);

      // Another project has no answer yet; without a prompt it is refused.
      const other = createPortMemory({ projectDir: '/work/other', dir });
      await expect(choosePort({ listPorts, memory: other })).rejects.toMatchObject({
        code: 'port/ambiguous',
      });
      // The remembered board unplugged: asked again.
      const replugged = async () => [bridge('/dev/ttyUSB0'), bridge('/dev/ttyUSB2')];
      const ask = vi.fn(async (c: readonly PortInfo[]) => c[0]!);
      expect((await choosePort({ listPorts: replugged, prompt: ask, memory: fresh })).port).toBe(
        '/dev/ttyUSB0',
      );
      expect(ask).toHaveBeenCalledTimes(1);
      expect(await fresh.recall()).toBe('/dev/ttyUSB0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a prompt that gives no answer ends in port/ambiguous; one board is never asked about', async () => {
    const prompt = vi.fn(async () => null);
    const two = async () => [bridge('/dev/ttyUSB0'), bridge('/dev/ttyUSB1')];
    await expect(choosePort({ listPorts: two, prompt })).rejects.toMatchObject({ code: 'port/ambiguous' });
    const one = async () => [bridge('/dev/ttyUSB0')];
    expect((await choosePort({ listPorts: one, prompt })).port).toBe('/dev/ttyUSB0');
    expect(prompt).toHaveBeenCalledTimes(1);
  });

  it('looks a given path up once for its USB kind; URL ports are not looked up', async () => {
    const otg: PortInfo = { path: '/dev/ttyACM7', kind: 'usb-otg', likelyEspressif: true };
    const listPorts = vi.fn(async () => [otg]);
    const chosen = await choosePort({ port: '/dev/ttyACM7', listPorts });
    expect(chosen.info).toBe(otg);
    expect(usbFlags(chosen.info?.kind)).toEqual({ usbOtg: true, usbJtagSerial: false });
    expect(await choosePort({ port: 'sim://esp32', listPorts })).toEqual({ port: 'sim://esp32', info: null });
    expect(listPorts).toHaveBeenCalledTimes(1);
  });

  it('refuses a regular file as --port with port/not-a-port before listing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-port-file-'));
    try {
      const file = join(dir, 'firmware.bin');
      await writeFile(file, 'x');
      const listPorts = vi.fn(async () => []);
      await expect(choosePort({ port: file, listPorts })).rejects.toMatchObject({ code: 'port/not-a-port' });
      expect(listPorts).not.toHaveBeenCalled();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('openDevice port choice', () => {
  it('without a port: port/none from the injected lister, nothing opened', async () => {
    const listPorts = vi.fn(async () => [] as PortInfo[]);
    await expect(openDevice({ listPorts })).rejects.toMatchObject({ code: 'port/none' });
    expect(listPorts).toHaveBeenCalledTimes(1);
  });

  it('without a port: opens the likely board the lister names', async () => {
    const missing = join(tmpdir(), `espflash-no-such-port-${process.pid}`);
    const listPorts = vi.fn(async () => [bridge(missing)]);
    // The chosen path does not exist: the open fails naming it, which shows it was the one chosen.
    const err = await openDevice({ listPorts, connectAttempts: 1 }).catch((e) => e);
    expect(String(err.message)).toContain(missing);
    expect(listPorts).toHaveBeenCalledTimes(1);
  });

  it('several boards: openDevice asks the injected prompt and opens the board it picked', async () => {
    const missing = join(tmpdir(), `espflash-no-such-port-b-${process.pid}`);
    const listPorts = async () => [bridge(`${missing}-a`), bridge(missing)];
    const prompt = vi.fn(async (c: readonly PortInfo[]) => c[1]!);
    const err = await openDevice({ listPorts, prompt, connectAttempts: 1 }).catch((e) => e);
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(String(err.message)).toContain(missing);
    expect(String(err.message)).not.toContain(`${missing}-a`);
    await expect(openDevice({ listPorts })).rejects.toMatchObject({ code: 'port/ambiguous' });
  });

  it('a choice made earlier is used as is (no second lookup) and exposed on the Device', async () => {
    const clock = new VirtualClock();
    const transport = createSimTransport({ chip: 'esp32', clock });
    const listPorts = vi.fn(async () => [] as PortInfo[]);
    const choice = { port: 'sim://esp32?id=x', info: null };
    const device = await openDevice({ port: choice, transport, clock, listPorts });
    try {
      expect(device.port).toEqual(choice);
      expect(listPorts).not.toHaveBeenCalled();
    } finally {
      await device.close();
    }
  });
});
