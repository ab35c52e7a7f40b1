import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_URL } from '../../src/config/json-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { leafPaths } from '../../src/config/schema.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { tempProject, writeProjectFile } from './temp-project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TEMPLATE = readFileSync(join(REPO, 'templates', 'espflash.config.ts'), 'utf8');

function get(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], config);
}

describe('espflash init', () => {
  it('writes espflash.config.ts that then loads and validates', async () => {
    const root = tempProject();
    const r = await runCli(['init'], { cwd: root });
    expect(r.code).toBe(0);
    const file = join(root, 'espflash.config.ts');
    expect(r.stdout).toContain(`Wrote ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(TEMPLATE);
    expect(TEMPLATE).toContain("import type { EspflashConfig } from 'espflash';");
    expect(TEMPLATE).toContain('satisfies EspflashConfig');
    const loaded = await loadConfig({ cwd: root });
    expect(loaded).toEqual({ filepath: file, config: { buildDir: 'build' } });
  });

  it('documents every config key; uncommenting all of them still validates', async () => {
    const uncommented = TEMPLATE.replace(/^(\s*)\/\/ ([a-zA-Z]+: .*,)$/gm, '$1$2');
    const root = tempProject({ 'espflash.config.ts': uncommented });
    const loaded = await loadConfig({ cwd: root });
    expect(loaded).not.toBeNull();
    // stub.file and stub.version exclude each other: the template shows stub.file on a line of its own.
    const alternatives = { 'stub.file': "stub: { file: 'stubs/esp32.json' }" } as Record<string, string>;
    for (const path of leafPaths()) {
      if (alternatives[path]) expect(TEMPLATE).toContain(alternatives[path]);
      else expect(get(loaded!.config, path), path).not.toBeUndefined();
    }
  });

  it('refuses to overwrite without --force (config/exists, exit 2, no stack)', async () => {
    const root = tempProject({ 'espflash.config.ts': '// mine\nexport default {};\n' });
    const r = await runCli(['init'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config/exists');
    expect(r.stderr).toContain(join(root, 'espflash.config.ts'));
    expect(r.stderr).toContain('--force');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readFileSync(join(root, 'espflash.config.ts'), 'utf8')).toBe('// mine\nexport default {};\n');
  });

  it('overwrites with --force', async () => {
    const root = tempProject({ 'espflash.config.ts': '// mine\n' });
    const r = await runCli(['init', '--force'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Overwrote');
    expect(readFileSync(join(root, 'espflash.config.ts'), 'utf8')).toBe(TEMPLATE);
  });

  it('writes JSON with --format json, and reports in --json mode', async () => {
    const root = tempProject();
    const r = await runCli(['init', '--format', 'json', '--json'], { cwd: root });
    expect(r.code).toBe(0);
    const file = join(root, 'espflash.config.json');
    expect(JSON.parse(r.stdout.trim())).toEqual({
      type: 'init',
      event: 'init',
      file,
      format: 'json',
      overwritten: false,
    });
    expect(existsSync(join(root, 'espflash.config.ts'))).toBe(false);
    const loaded = await loadConfig({ cwd: root });
    expect(loaded?.filepath).toBe(file);
    expect(loaded?.config.buildDir).toBe('build');
    expect(JSON.parse(readFileSync(file, 'utf8')).$schema).toBe(JSON_SCHEMA_URL);
  });

  it('rejects an unknown --format with exit 2', async () => {
    const root = tempProject();
    const r = await runCli(['init', '--format', 'yaml'], { cwd: root });
    expect(r.code).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(join(root, 'espflash.config.ts'))).toBe(false);
  });

  it('warns when another config file in the directory shadows or is shadowed by the new one', async () => {
    const root = tempProject({ 'espflash.config.json': '{}' });
    const r = await runCli(['init'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('espflash.config.json is also in');
    writeProjectFile(root, 'other/espflash.config.ts', 'export default {};');
    const j = await runCli(['init', '--format', 'json', '--force'], { cwd: join(root, 'other') });
    expect(j.stderr).toContain('espflash.config.ts in');
    expect(j.stderr).toContain('takes precedence over the new espflash.config.json');
  });
});

describe("the repository's own espflash.config.ts", () => {
  it('loads, validates and points the demo at the simulator', async () => {
    const loaded = await loadConfig({ cwd: REPO, configPath: 'espflash.config.ts' });
    expect(loaded?.config.port).toBe('sim://esp32');
    expect(loaded?.config.buildDir).toBe('examples/demo/build');
  });
});
