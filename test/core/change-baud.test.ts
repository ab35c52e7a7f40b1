// A baud the loader refuses (the virtual ESP32 accepts up to 5 Mbaud): a coded connect error whose
// hint names what to change (--baud, a lower rate, the config key `baud`), from the ROM and the stub,
// and the CLI gives up at once instead of reconnecting.

import { describe, expect, it } from 'vitest';
import { connect } from '../../src/core/connect/connect.js';
import { changeBaud } from '../../src/core/session/change-baud.js';
import type { LoaderSession } from '../../src/core/session/loader-session.js';
import { EspflashError } from '../../src/errors.js';
import { esptoolJsStubProvider } from '../../src/node/stub-assets.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { runCli } from '../support/cli.js';
import { FakeClock } from './support/fake-clock.js';

async function refused(stub: boolean): Promise<EspflashError> {
  const clock = new FakeClock();
  const transport = createSimTransport({ chip: 'esp32', timing: false, clock });
  const err = await connect({
    transport,
    clock,
    stub,
    stubProvider: esptoolJsStubProvider,
    baud: 15_000_000,
  }).then(
    () => null,
    (e: unknown) => e,
  );
  await transport.close();
  if (!(err instanceof EspflashError)) throw new Error(`expected a coded error, got ${String(err)}`);
  return err;
}

describe('a baud the chip refuses', () => {
  it.each([
    ['the stub', true],
    ['the ROM loader', false],
  ])('is connect/baud-refused from %s, with a hint naming --baud and the config key', async (_, stub) => {
    const err = await refused(stub);
    expect(err.code).toBe('connect/baud-refused');
    expect(err.message).toContain('15000000');
    // With the stub, the ROM is asked first (the stub is uploaded at the target rate).
    expect(err.message).toMatch(/ROM loader refused/);
    expect(err.details).toMatchObject({ baud: 15_000_000 });
    expect(err.hint).toMatch(/--baud \d+/);
    expect(err.hint).toMatch(/lower rate/);
    expect(err.hint).toContain('`baud`');
    expect(err.hint).not.toMatch(/no-stub/);
  });

  it('is connect/baud-refused when the running flasher stub refuses the rate', async () => {
    const clock = new FakeClock();
    const transport = createSimTransport({ chip: 'esp32', timing: false, clock });
    const loader = await connect({ transport, clock, stubProvider: esptoolJsStubProvider, baud: 921600 });
    expect(loader.isStub).toBe(true);
    const err = await changeBaud(loader as unknown as LoaderSession, { baud: 15_000_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(EspflashError);
    expect(err.code).toBe('connect/baud-refused');
    expect(err.message).toMatch(/flasher stub refused to switch to 15000000 baud/);
    expect(err.hint).toMatch(/--baud \d+/);
    expect(err.hint).not.toMatch(/no-stub/);
    // Still talking at the old rate.
    expect(transport.baudRate).toBe(921600);
    await loader.readReg(0x40001000);
    await loader.close();
  });

  it('the CLI ends with that error at once (no reconnect loop)', async () => {
    const r = await runCli(['board-info', '--port', 'sim://esp32', '--baud', '15000000', '--no-stub']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('connect/baud-refused');
    expect(r.stderr).toContain('--baud');
    expect(r.stderr).not.toMatch(/remove --no-stub/);
    expect(r.stderr).not.toMatch(/Retrying connect/);
  });
});
