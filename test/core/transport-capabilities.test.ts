// Capabilities of the in-process transports (the memory pair and the sim); the Node transports assert
// theirs in their own suites (tcp, rfc2217, serial). Callers decide from these, never from `description`.

import { describe, expect, it } from 'vitest';
import { createMemoryTransportPair } from '../../src/core/session/memory-transport.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

describe('transport capabilities', () => {
  it('memory pair: modem lines and baud on both ends, not a raw stream', async () => {
    const { host, device } = createMemoryTransportPair();
    expect(host.capabilities).toEqual({ modemLines: true, baudRate: true, rawStream: false });
    expect(device.capabilities).toEqual({ modemLines: true, baudRate: true, rawStream: false });
    await host.close();
  });

  it('in-process sim: DTR/RTS drive its reset circuit, the host baud is its own', async () => {
    const t = createSimTransport({ chip: 'esp32', clock: new VirtualClock() });
    expect(t.capabilities).toEqual({ modemLines: true, baudRate: true, rawStream: false });
    await t.close();
  });
});
