// `espflash list-ports`: the serial ports on this machine, most likely ESP device first, with USB
// ids and what they mean; `--json` prints one object with the ports array.

import type { Argv } from 'yargs';
import { listPorts, type PortInfo } from '../../node/port-list.js';
import { defineCommand } from '../command.js';

export const listPortsCommand = defineCommand({
  command: 'list-ports',
  describe: 'List serial ports, most likely ESP boards first',
  examples: [
    ['$0 list-ports', 'Ports with USB ids; * marks likely ESP boards'],
    ['$0 list-ports --json', 'The same as one JSON object ({"ports": [...]})'],
  ],
  builder: (y: Argv) => y,
  handler: async (_args, ctx) => {
    const ports = await listPorts();
    if (ctx.json) {
      ctx.emitJson({ ports });
      return 0;
    }
    if (ports.length === 0) {
      ctx.print('No serial ports found.');
      ctx.io.stderr(
        '  hint: plug in the board (use a data cable, not a charge-only one); for network bridges pass --port socket://host:port or rfc2217://host:port.\n',
      );
      return 0;
    }
    ctx.print(renderPorts(ports));
    return 0;
  },
});

function usbId(port: PortInfo): string {
  return port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : '-';
}

function describePort(port: PortInfo): string {
  const parts = [port.description, port.manufacturer ? `(${port.manufacturer})` : undefined];
  return parts.filter(Boolean).join(' ');
}

/** A fixed-column table, `*` before likely ESP boards, and a usage line for the best candidate. */
export function renderPorts(ports: PortInfo[]): string {
  const rows = ports.map((p) => [p.likelyEspressif ? '*' : ' ', p.path, usbId(p), p.kind, describePort(p)]);
  const header = [' ', 'PORT', 'USB ID', 'KIND', 'DESCRIPTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  const best = ports.find((p) => p.likelyEspressif);
  if (best) out.push('', `* likely an ESP board. Use it with: espflash flash --port ${best.path}`);
  return out.join('\n');
}
