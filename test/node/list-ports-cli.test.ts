// `espflash list-ports` in process with a mocked SerialPort.list(): table order and markers,
// --json shape, the empty case.

import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';

// The sysfs fallback only runs when SerialPort.list() fails; make it fail too for the error case.
vi.mock('../../src/node/linux-ports.js', () => ({
  listLinuxSysfsPorts: async () => {
    throw new Error('no sysfs');
  },
}));

type Listed = Awaited<ReturnType<typeof SerialPort.list>>;

function mockList(ports: Array<Partial<Listed[number]> & { path: string }>) {
  return vi.spyOn(SerialPort, 'list').mockResolvedValue(ports as Listed);
}

describe('espflash list-ports', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const ports = [
    { path: '/dev/ttyS0' },
    { path: '/dev/ttyUSB0', vendorId: '10C4', productId: 'EA60', manufacturer: 'Silicon Labs' },
    { path: '/dev/ttyACM0', vendorId: '303a', productId: '1001', manufacturer: 'Espressif' },
  ];

  it('prints a table with the most likely ESP port first and a usage line', async () => {
    mockList(ports);
    const r = await runCli(['list-ports']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/PORT\s+USB ID\s+KIND\s+DESCRIPTION/);
    expect(lines[1]).toMatch(
      /^\*\s+\/dev\/ttyACM0\s+303a:1001\s+usb-jtag-serial\s+Espressif USB-Serial\/JTAG/,
    );
    expect(lines[2]).toMatch(/^\*\s+\/dev\/ttyUSB0\s+10c4:ea60\s+usb-uart\s+CP210x.*\(Silicon Labs\)/);
    expect(lines[3]).toMatch(/^\s+\/dev\/ttyS0\s+-\s+other$/);
    expect(r.stdout).toContain('espflash flash --port /dev/ttyACM0');
  });

  it('--json prints one object with the ranked, classified ports', async () => {
    mockList(ports);
    const r = await runCli(['list-ports', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { ports: Array<Record<string, unknown>> };
    expect(parsed.ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyS0']);
    expect(parsed.ports[0]).toMatchObject({
      kind: 'usb-jtag-serial',
      likelyEspressif: true,
      vendorId: '303a',
    });
    expect(parsed.ports[2]).toMatchObject({ kind: 'other', likelyEspressif: false });
  });

  it('says so (exit 0, hint on stderr) when there are no ports', async () => {
    mockList([]);
    const r = await runCli(['list-ports']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No serial ports found.');
    expect(r.stderr).toContain('hint:');
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
  });

  it('fails with port/list-failed, exit 1 and no stack trace when listing is impossible', async () => {
    vi.spyOn(SerialPort, 'list').mockRejectedValue(new Error('spawn udevadm ENOENT'));
    const r = await runCli(['list-ports']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('port/list-failed');
    expect(r.stderr).toContain('udevadm');
    expect(r.stderr).toContain('hint:');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
