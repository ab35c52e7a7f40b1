// idf.py habits in the CLI (issue 11): `-C`/`--project-dir` and `-B` locate the build like --project
// and --build-dir, esptool's ESPTOOL_PORT/ESPTOOL_BAUD lose to ESPPORT/ESPBAUD, and MONITORBAUD
// sets the monitor's baud; `plan --show-config` says where each came from.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { runCli } from '../support/cli.js';

let root = '';
let project = '';
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'espflash-idf-habits-'));
  mkdirSync(join(root, '.git'));
  project = join(root, 'blink');
  await generateExampleBuild({ dir: project, chip: 'esp32c3' });
  writeFileSync(join(project, 'espflash.config.json'), JSON.stringify({ monitor: { baud: 74880 } }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('idf.py spellings in espflash plan', () => {
  it('-C and --project-dir find <project>/build like --project', async () => {
    for (const flag of ['-C', '--project-dir', '--project']) {
      const r = await runCli(['plan', flag, 'blink', '--no-config', '--json'], { cwd: root });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).chip).toBe('esp32c3');
    }
  });

  it('-B names the build directory', async () => {
    const r = await runCli(['plan', '-B', join(project, 'build'), '--no-config', '--json'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    const files: string[] = JSON.parse(r.stdout).regions.map((region: { file: string }) => region.file);
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) expect(file.startsWith(join(project, 'build'))).toBe(true);
  });

  it('--show-config: MONITORBAUD beats monitor.baud, ESPBAUD beats ESPTOOL_BAUD, ESPTOOL_PORT counts', async () => {
    const env = {
      MONITORBAUD: '9600',
      ESPTOOL_BAUD: '230400',
      ESPBAUD: '921600',
      ESPTOOL_PORT: '/dev/ttyUSB5',
    };
    const r = await runCli(['plan', '--show-config'], { cwd: project, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/monitor\.baud\s+9600\s+env \(MONITORBAUD\)/);
    expect(r.stdout).toMatch(/baud\s+921600\s+env \(ESPBAUD\)/);
    expect(r.stdout).toMatch(/port\s+\/dev\/ttyUSB5\s+env \(ESPTOOL_PORT\)/);
    const fromConfig = await runCli(['plan', '--show-config'], { cwd: project });
    expect(fromConfig.stdout).toMatch(
      /monitor\.baud\s+74880\s+config \(.*espflash\.config\.json: monitor\.baud\)/,
    );
  });
});
