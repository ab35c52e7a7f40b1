import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, searchDirs } from '../../src/config/load-config.js';
import { EspflashError } from '../../src/errors.js';
import { listDir, tempProject, writeProjectFile } from './temp-project.js';

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<EspflashError> {
  try {
    await loadConfig(options);
  } catch (err) {
    if (err instanceof EspflashError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to fail');
}

const TYPE_ONLY_TS = `import type { EspflashConfig } from 'espflash';
const baud: number = 921600;
export default {
  port: '/dev/ttyUSB1',
  baud,
  flash: { mode: 'dio' },
} satisfies EspflashConfig;
`;

describe('loadConfig: formats', () => {
  it('loads a .ts config with a type-only espflash import in a project without espflash installed', async () => {
    const root = tempProject({ 'espflash.config.ts': TYPE_ONLY_TS });
    expect(existsSync(join(root, 'node_modules'))).toBe(false);
    const loaded = await loadConfig({ cwd: root });
    expect(loaded).toEqual({
      filepath: join(root, 'espflash.config.ts'),
      config: { port: '/dev/ttyUSB1', baud: 921600, flash: { mode: 'dio' } },
    });
    expect(listDir(root)).toEqual(['.git', 'espflash.config.ts']);
  });

  it('loads .ts configs that import a relative helper module', async () => {
    const root = tempProject({
      'ports.mjs': "export const PORT = 'COM7';\n",
      'espflash.config.ts': "import { PORT } from './ports.mjs';\nexport default { port: PORT as string };\n",
    });
    expect((await loadConfig({ cwd: root }))?.config).toEqual({ port: 'COM7' });
  });

  it.each([
    ['espflash.config.mjs', "export default { chip: 'esp32s3' };\n"],
    ['espflash.config.js', "export default { chip: 'esp32s3' };\n"],
    ['espflash.config.js', "module.exports = { chip: 'esp32s3' };\n"],
    ['espflash.config.cjs', "module.exports = { chip: 'esp32s3' };\n"],
    ['espflash.config.json', '{ "chip": "esp32s3" }\n'],
    ['.espflashrc.json', '{ "chip": "esp32s3" }\n'],
    ['package.json', '{ "name": "x", "espflash": { "chip": "esp32s3" } }\n'],
    [
      'espflash.config.cjs',
      'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = { chip: "esp32s3" };\n',
    ],
  ])('loads %s (%#)', async (name, text) => {
    const root = tempProject({ [name]: text });
    const loaded = await loadConfig({ cwd: root });
    expect(loaded).toEqual({ filepath: join(root, name), config: { chip: 'esp32s3' } });
  });

  it('loads ESM .js in a "type": "module" package', async () => {
    const root = tempProject({
      'package.json': '{ "type": "module" }\n',
      'espflash.config.js': 'export default { baud: 115200 };\n',
    });
    expect((await loadConfig({ cwd: root }))?.config).toEqual({ baud: 115200 });
  });

  it('accepts comments and trailing commas in JSON config files', async () => {
    const root = tempProject({ 'espflash.config.json': '{\n  // the board\n  "port": "COM3",\n}\n' });
    expect((await loadConfig({ cwd: root }))?.config).toEqual({ port: 'COM3' });
  });

  it('calls a default-exported (async) function', async () => {
    const root = tempProject({
      'espflash.config.mjs': "export default async () => ({ port: 'sim://esp32' });\n",
    });
    expect((await loadConfig({ cwd: root }))?.config).toEqual({ port: 'sim://esp32' });
  });

  it('sees edits on the next load (no stale module cache)', async () => {
    for (const name of ['espflash.config.mjs', 'espflash.config.cjs', 'espflash.config.ts']) {
      const root = tempProject();
      const body = (b: number) =>
        name.endsWith('.cjs') ? `module.exports = { baud: ${b} };` : `export default { baud: ${b} };`;
      writeProjectFile(root, name, body(115200));
      expect((await loadConfig({ cwd: root }))?.config.baud).toBe(115200);
      writeProjectFile(root, name, body(460800));
      expect((await loadConfig({ cwd: root }))?.config.baud).toBe(460800);
    }
  });

  it('ignores package.json without an espflash key and keeps searching', async () => {
    const root = tempProject({
      'espflash.config.json': '{ "port": "COM1" }',
      'app/package.json': '{ "name": "app" }',
    });
    expect(await loadConfig({ cwd: join(root, 'app') })).toEqual({
      filepath: join(root, 'espflash.config.json'),
      config: { port: 'COM1' },
    });
  });
});

describe('loadConfig: search', () => {
  it('searches upward from a subdirectory', async () => {
    const root = tempProject({ 'espflash.config.json': '{ "port": "COM9" }' });
    mkdirSync(join(root, 'main', 'deep'), { recursive: true });
    const loaded = await loadConfig({ cwd: join(root, 'main', 'deep') });
    expect(loaded?.filepath).toBe(join(root, 'espflash.config.json'));
  });

  it('prefers the nearest directory, and espflash.config.ts over other files in one directory', async () => {
    const root = tempProject({
      'espflash.config.json': '{ "port": "outer" }',
      'fw/espflash.config.ts': "export default { port: 'inner-ts' };",
      'fw/espflash.config.json': '{ "port": "inner-json" }',
    });
    expect((await loadConfig({ cwd: join(root, 'fw') }))?.config.port).toBe('inner-ts');
  });

  it('stops at the directory holding .git and at stopDir', async () => {
    const root = tempProject({ 'espflash.config.json': '{ "port": "above" }' });
    mkdirSync(join(root, 'sub', '.git'), { recursive: true });
    mkdirSync(join(root, 'other', 'inner'), { recursive: true });
    expect(await loadConfig({ cwd: join(root, 'sub') })).toBeNull();
    expect(await loadConfig({ cwd: join(root, 'other', 'inner'), stopDir: join(root, 'other') })).toBeNull();
    expect(await loadConfig({ cwd: join(root, 'other', 'inner') })).not.toBeNull();
    expect(searchDirs(join(root, 'other', 'inner'))).toEqual([
      join(root, 'other', 'inner'),
      join(root, 'other'),
      root,
    ]);
  });

  it('returns null when there is no config', async () => {
    expect(await loadConfig({ cwd: tempProject({ 'README.md': 'hi' }) })).toBeNull();
  });

  it('loads an explicit --config path relative to cwd, even with a non-standard name', async () => {
    const root = tempProject({
      'espflash.config.json': '{ "port": "searched" }',
      'boards/lab.json': '{ "port": "lab" }',
    });
    expect(await loadConfig({ cwd: root, configPath: 'boards/lab.json' })).toEqual({
      filepath: join(root, 'boards', 'lab.json'),
      config: { port: 'lab' },
    });
  });
});

describe('loadConfig: errors', () => {
  it('reports a value import of espflash as config/unresolvable-import with the type-only hint', async () => {
    const root = tempProject({
      'espflash.config.ts':
        "import { defineConfig } from 'espflash';\nexport default defineConfig({ port: 'COM1' });\n",
    });
    const err = await loadError({ cwd: root });
    expect(err.code).toBe('config/unresolvable-import');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(join(root, 'espflash.config.ts'));
    expect(err.message).toContain("'espflash'");
    expect(err.hint).toContain('import type { EspflashConfig }');
    expect(err.hint).toContain('espflash init');
    expect(listDir(root)).toEqual(['.git', 'espflash.config.ts']);
  });

  it('names other unresolvable packages', async () => {
    const root = tempProject({
      'espflash.config.mjs': "import x from 'no-such-pkg-xyz';\nexport default x;\n",
    });
    const err = await loadError({ cwd: root });
    expect(err.code).toBe('config/unresolvable-import');
    expect(err.message).toContain("'no-such-pkg-xyz'");
    expect(err.hint).toContain('no-such-pkg-xyz');
  });

  it.each([
    ['espflash.config.ts', "export default {\n  port: 'COM1',\n  baud: ,\n};\n", 3],
    ['espflash.config.mjs', "export default {\n  port: 'COM1'\n  baud: 9600,\n};\n", 3],
    ['espflash.config.cjs', "module.exports = {\n\n  port: 'COM1' 'x',\n};\n", 3],
    ['espflash.config.json', '{\n  "port": "COM1",\n  "baud": \n}\n', 4],
  ])('reports a syntax error in %s as config/load-failed with the line', async (name, text, line) => {
    const root = tempProject({ [name]: text });
    const err = await loadError({ cwd: root });
    expect(err.code).toBe('config/load-failed');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(join(root, name));
    expect(err.message).toContain(`line ${line}`);
    expect(err.details.line).toBe(line);
    expect(listDir(root)).toEqual(['.git', name]);
  });

  it('reports a config that throws as config/load-failed with its message', async () => {
    const root = tempProject({ 'espflash.config.mjs': "throw new Error('boom from config');\n" });
    const err = await loadError({ cwd: root });
    expect(err.code).toBe('config/load-failed');
    expect(err.message).toContain('boom from config');
    expect(err.message).toContain(join(root, 'espflash.config.mjs'));
  });

  it('reports a module without a default export', async () => {
    const root = tempProject({ 'espflash.config.ts': "export const config = { port: 'COM1' };\n" });
    const err = await loadError({ cwd: root });
    expect(err.code).toBe('config/no-default-export');
    expect(err.message).toContain('config');
    expect(err.hint).toContain('export default');
  });

  it('rejects a missing or unsupported --config file, and a package.json without the key', async () => {
    const root = tempProject({ 'esp.yaml': 'port: x', 'package.json': '{ "name": "p" }' });
    expect((await loadError({ cwd: root, configPath: 'nope.ts' })).code).toBe('config/not-found');
    expect((await loadError({ cwd: root, configPath: 'esp.yaml' })).code).toBe('config/unsupported-format');
    const empty = await loadError({ cwd: root, configPath: 'package.json' });
    expect(empty.code).toBe('config/empty');
    expect(empty.message).toContain('"espflash"');
  });

  it('validates what it loads (unknown key with a suggestion)', async () => {
    const root = tempProject({ 'espflash.config.ts': "export default { flashMode: 'dio' };\n" });
    const err = await loadError({ cwd: root });
    expect(err.code).toBe('config/unknown-key');
    expect(err.message).toBe(
      `Unknown key 'flashMode' in ${join(root, 'espflash.config.ts')}. Did you mean 'flash.mode'?`,
    );
  });
});
