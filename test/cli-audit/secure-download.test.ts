// Issue 9 #10: in Secure Download Mode the flash summary says why regions are not verified (not
// "drop --no-stub" when --no-stub was never given), and read-flash does not retry the permanent
// `flash/read-blocked`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chipInfo } from '../../src/chips/chips.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { unverifiedReason } from '../../src/flash/flash-summary.js';
import { runCli } from '../support/cli.js';

let dir = '';
let buildDir = '';
const SDM = 'sim://esp32s3?secureDownload=1';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-sdm-'));
  buildDir = (await generateExampleBuild({ dir: join(dir, 'proj'), chip: 'esp32s3' })).buildDir;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Secure Download Mode', () => {
  it('the flash summary names Secure Download Mode, not --no-stub', async () => {
    const r = await runCli(['flash', '--build-dir', buildDir, '--port', SDM, '--no-config'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/NOT verified: the chip is in Secure Download Mode/);
    expect(r.stdout).not.toContain('--no-stub');
  });

  it('read-flash fails once with flash/read-blocked, without retries', async () => {
    const r = await runCli(['read-flash', '0', '0x1000', join(dir, 'out.bin'), '--port', SDM, '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'retry' || e.event === 'retry')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ event: 'error', code: 'flash/read-blocked' });
  });
});

describe('unverifiedReason', () => {
  const esp8266 = chipInfo('esp8266');
  it('names where the stub was turned off', () => {
    const why = unverifiedReason(
      { isStub: false, secureDownloadMode: false, chip: esp8266 },
      { value: false, where: '--no-stub' },
    );
    expect(why).toContain('--no-stub');
  });
  it('does not blame --no-stub when the stub was wanted but did not start', () => {
    const why = unverifiedReason(
      { isStub: false, secureDownloadMode: false, chip: esp8266 },
      { value: true, where: 'default' },
    );
    expect(why).toMatch(/stub did not start/);
    expect(why).not.toContain('--no-stub');
  });
});
