// Chip revision end to end: the virtual chip's eFuse words for `sim://<chip>?rev=X.Y` (and `--rev`),
// read back by board-info through READ_REG, and the stub choices that depend on the revision.

import { describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import { CHIP_NAMES, type ChipName } from '../../src/chips/chips.js';
import { PRODUCTION_REVISION } from '../../src/chips/efuse-revision.js';
import { connect } from '../../src/core/connect/connect.js';
import type { StubProvider } from '../../src/core/session/stub-loader.js';
import { UsageError } from '../../src/errors.js';
import type { FlashEvent } from '../../src/events.js';
import { esptoolJsStubProvider, stubFileFor } from '../../src/node/stub-assets.js';
import { createSimTransport, parseSimUrl } from '../../src/sim/sim-transport.js';
import { runCli } from '../support/cli.js';

/** A revision other than the default for each chip, within its eFuse fields. */
const REQUESTED: Record<Exclude<ChipName, 'esp8266'>, string> = {
  esp32: '1.0',
  esp32s2: '0.0',
  esp32s3: '1.1',
  esp32c2: '1.1',
  esp32c3: '1.1',
  esp32c5: '1.2',
  esp32c6: '0.2',
  esp32c61: '0.2',
  esp32h2: '1.2',
  esp32p4: '1.3',
};

async function boardRevision(port: string, events?: FlashEvent[]) {
  const device = await openDevice({
    port,
    ...(events ? { onEvent: (e: FlashEvent) => events.push(e) } : {}),
  });
  try {
    return await device.boardInfo();
  } finally {
    await device.close();
  }
}

describe('board-info reports the simulated revision for every chip', () => {
  it.each(Object.entries(REQUESTED))('sim://%s?rev=%s', async (chip, rev) => {
    const info = await boardRevision(`sim://${chip}?rev=${rev}`);
    expect(info.chip).toBe(chip);
    expect(info.revision).toBe(`v${rev}`);
  });

  it.each(CHIP_NAMES.filter((c) => c !== 'esp8266'))(
    'sim://%s defaults to its production revision',
    async (chip) => {
      const info = await boardRevision(`sim://${chip}`);
      const r = PRODUCTION_REVISION[chip]!;
      expect(info.revision).toBe(`v${r.major}.${r.minor}`);
    },
  );

  it('reports no revision for the ESP8266, and refuses rev= for it', async () => {
    const info = await boardRevision('sim://esp8266');
    expect(info.revision).toBeNull();
    expect(() => parseSimUrl('sim://esp8266?rev=1.0')).toThrow(
      expect.objectContaining({ code: 'sim/no-revision', exitCode: 2 }),
    );
  });

  it('keeps the MAC intact on the C2, whose revision shares a word with MAC bytes', async () => {
    const info = await boardRevision('sim://esp32c2?rev=1.1&mac=24:0a:c4:ab:cd:ef');
    expect(info.revision).toBe('v1.1');
    expect(info.mac).toBe('24:0a:c4:ab:cd:ef');
  });

  it('still reads the ESP32 crystal and MAC with a non-default revision', async () => {
    const info = await boardRevision('sim://esp32?rev=2.0');
    expect(info.revision).toBe('v2.0');
    expect(info.crystalMhz).toBe(40);
    expect(info.mac).not.toBeNull();
  });

  it('has no revision in Secure Download Mode (READ_REG refused)', async () => {
    const info = await boardRevision('sim://esp32c3?rev=0.3&secureDownload=1');
    expect(info.secureDownloadMode).toBe(true);
    expect(info.revision).toBeNull();
  });
});

describe('rev= and --rev validation', () => {
  it.each([
    ['sim://esp32c3?rev=4.0', /major 0-3, minor 0-15/],
    ['sim://esp32?rev=3.4', /major 0-3, minor 0-3/],
    ['sim://esp32h2?rev=0.8', /minor 0-7/],
    ['sim://esp32p4?rev=8.0', /major 0-7/],
    ['sim://esp32c6?rev=one', /not a revision/],
    ['sim://esp32c6?rev=1', /not a revision/],
  ])('%s → sim/bad-rev', (url, message) => {
    let err: unknown;
    try {
      parseSimUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'sim/bad-rev' });
    expect((err as Error).message).toMatch(message);
    expect((err as UsageError).hint).toMatch(/rev in sim:\/\//);
  });

  it('accepts vX.Y and stores the revision', () => {
    expect(parseSimUrl('sim://esp32s3?rev=v0.1').revision).toEqual({ major: 0, minor: 1 });
    expect(parseSimUrl('sim://esp32s3').revision).toBeUndefined();
  });

  it.each([
    [['sim', '--chip', 'esp8266', '--rev', '1.0'], 'sim/no-revision'],
    [['sim', '--chip', 'esp32c3', '--rev', '9.9'], 'sim/bad-rev'],
    [['sim', '--chip', 'esp32c3', '--rev', 'x'], 'sim/bad-rev'],
  ])('espflash %j exits 2 with %s naming --rev', async (argv, code) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
    expect(r.stderr).toMatch(/hint: .*--rev/);
  });

  it('lists --rev in espflash sim --help', async () => {
    const r = await runCli(['sim', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--rev');
  });

  it('board-info on the command line prints the revision', async () => {
    const r = await runCli(['board-info', '--port', 'sim://esp32c3?rev=0.3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Chip\s+ESP32-C3 \(revision v0\.3\)/);
  });
});

describe('stub choices that depend on the revision', () => {
  function recordingProvider(): {
    provider: StubProvider;
    calls: Array<{ chip: string; revision?: number }>;
  } {
    const calls: Array<{ chip: string; revision?: number }> = [];
    const provider: StubProvider = async (chip, opts) => {
      calls.push({ chip, ...(opts.revision === undefined ? {} : { revision: opts.revision }) });
      return esptoolJsStubProvider(chip, opts);
    };
    return { provider, calls };
  }

  it.each([
    ['1.0', 100, 'esp32p4-rev1.json'],
    ['2.9', 209, 'esp32p4-rev1.json'],
    ['3.0', 300, 'esp32p4.json'],
  ])('P4 v%s asks for revision %i (%s) and runs the stub', async (rev, number, file) => {
    const transport = createSimTransport(parseSimUrl(`sim://esp32p4?rev=${rev}`));
    const { provider, calls } = recordingProvider();
    const loader = await connect({ transport, stubProvider: provider });
    try {
      expect(calls).toEqual([{ chip: 'esp32p4', revision: number }]);
      expect(stubFileFor('esp32p4', calls[0]!.revision)).toBe(file);
      expect(loader.isStub).toBe(true);
    } finally {
      await loader.close();
    }
  });

  it('C2 v0.0 (ECO0) stays on the ROM loader with a warning; v1.0 runs the stub', async () => {
    const events: FlashEvent[] = [];
    const { provider, calls } = recordingProvider();
    const eco0 = await connect({
      transport: createSimTransport(parseSimUrl('sim://esp32c2?rev=0.0')),
      stubProvider: provider,
      onEvent: (e) => events.push(e),
    });
    try {
      expect(eco0.isStub).toBe(false);
      expect(calls).toEqual([]);
      expect(events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'stub/c2-eco0' }));
      expect(events.find((e) => e.type === 'warning' && e.code === 'stub/c2-eco0')).toMatchObject({
        message: expect.stringContaining('v0.0'),
      });
    } finally {
      await eco0.close();
    }
    const eco1 = await connect({
      transport: createSimTransport(parseSimUrl('sim://esp32c2?rev=1.0')),
      stubProvider: provider,
    });
    try {
      expect(eco1.isStub).toBe(true);
      expect(calls).toEqual([{ chip: 'esp32c2', revision: 100 }]);
    } finally {
      await eco1.close();
    }
  });

  it('board-info through openDevice on a C2 v0.0 works from the ROM', async () => {
    const events: FlashEvent[] = [];
    const info = await boardRevision('sim://esp32c2?rev=0.0', events);
    expect(info.stub).toBe(false);
    expect(info.revision).toBe('v0.0');
    expect(events.some((e) => e.type === 'warning' && e.code === 'stub/c2-eco0')).toBe(true);
  });

  it('does not read the revision for chips whose stub does not depend on it', async () => {
    const { provider, calls } = recordingProvider();
    const loader = await connect({
      transport: createSimTransport({ chip: 'esp32c3' }),
      stubProvider: provider,
    });
    try {
      expect(calls).toEqual([{ chip: 'esp32c3' }]);
    } finally {
      await loader.close();
    }
  });
});
