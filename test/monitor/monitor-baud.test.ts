import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveMonitorBaud } from '../../src/monitor/monitor-baud.js';
import { sourced } from '../../src/provenance.js';

describe('resolveMonitorBaud', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'espflash-baud-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('uses the configured rate first', async () => {
    await writeFile(join(dir, 'sdkconfig'), 'CONFIG_ESP_CONSOLE_UART_BAUDRATE=74880\n');
    const configured = sourced(921600, 'cli', '--baud');
    expect(await resolveMonitorBaud({ projectDir: dir, configured })).toBe(configured);
    expect(await resolveMonitorBaud({ configured: 230400 })).toEqual(sourced(230400, 'config'));
  });

  it("reads the build's config/sdkconfig.json", async () => {
    await mkdir(join(dir, 'build', 'config'), { recursive: true });
    await writeFile(
      join(dir, 'build', 'config', 'sdkconfig.json'),
      JSON.stringify({ ESP_CONSOLE_UART_BAUDRATE: 460800 }),
    );
    const baud = await resolveMonitorBaud({ buildDir: join(dir, 'build'), projectDir: dir });
    expect(baud.value).toBe(460800);
    expect(baud.source.kind).toBe('build');
    expect(baud.source.detail).toContain('sdkconfig.json CONFIG_ESP_CONSOLE_UART_BAUDRATE');
  });

  it("falls back to the project's sdkconfig text file", async () => {
    await writeFile(join(dir, 'sdkconfig'), '# comment\nCONFIG_ESP_CONSOLE_UART_BAUDRATE=74880\n');
    const baud = await resolveMonitorBaud({ buildDir: join(dir, 'build'), projectDir: dir });
    expect(baud.value).toBe(74880);
  });

  it('defaults to 115200', async () => {
    expect(await resolveMonitorBaud({ buildDir: join(dir, 'build'), projectDir: dir })).toEqual(
      sourced(115200, 'default'),
    );
    expect(await resolveMonitorBaud()).toEqual(sourced(115200, 'default'));
  });
});
