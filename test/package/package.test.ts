// The package as npm users get it: the built entry points through package.json `exports` (import and
// require, root and `espflash/core`), and what `npm pack` puts in the tarball. Child processes, so
// Node's own resolver (package self-reference) decides, not vitest's. Needs `npm run build` first
// (`npm test` does it).

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  scripts: Record<string, string>;
  repository?: { url: string };
  bugs?: { url: string };
  homepage?: string;
  dependencies: Record<string, string>;
};

/** Exported names of a specifier, loaded by a child `node` the given way from the package folder. */
async function exportsOf(specifier: string, how: 'import' | 'require'): Promise<string[]> {
  const script =
    how === 'import'
      ? `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`
      : `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`;
  const args = how === 'import' ? ['--input-type=module', '-e', script] : ['-e', script];
  const { stdout, stderr } = await run(process.execPath, args, { cwd: ROOT });
  expect(stderr).not.toMatch(/Error|ERR_/);
  return (JSON.parse(stdout) as string[]).sort();
}

/** Internals that must stay off the root and be on `espflash/core`. */
const INTERNALS = [
  'BAUD_LADDER',
  'FLASH_FAILURE_HINT',
  'writeRegion',
  'connect',
  'OP',
  'OPCODES',
  'createReconnector',
  'readFlash',
  'classicReset',
  'createStubProvider',
  'VirtualClock',
];
/** Product API the root must keep. */
const PRODUCT = [
  'openDevice',
  'Device',
  'flashProject',
  'flashMany',
  'derivePlan',
  'parsePartitionCsv',
  'parseImage',
  'EspflashError',
  'UsageError',
  'errorKind',
  'ERROR_CODES',
  'startSimServer',
  'defineConfig',
];

describe('package entry points', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/index.js')) || !existsSync(join(ROOT, 'dist/core-api.js')))
      throw new Error('dist/ is not built: run `npm run build` (npm test builds first)');
  });

  it('root: the product API without the protocol internals; espflash/core: the internals', async () => {
    const root = await exportsOf('espflash', 'import');
    const core = await exportsOf('espflash/core', 'import');
    for (const name of PRODUCT) expect(root, name).toContain(name);
    for (const name of INTERNALS) {
      expect(root, name).not.toContain(name);
      expect(core, name).toContain(name);
    }
    // One home per name.
    expect(root.filter((n) => core.includes(n))).toEqual([]);
  });

  it('require() loads both entries with the same names as import', async () => {
    expect(await exportsOf('espflash', 'require')).toEqual(await exportsOf('espflash', 'import'));
    expect(await exportsOf('espflash/core', 'require')).toEqual(await exportsOf('espflash/core', 'import'));
  });

  it('package.json: default conditions, repository/bugs/homepage, prepack instead of prepare', () => {
    for (const entry of ['.', './core']) {
      const conditions = pkg.exports[entry] as Record<string, string>;
      expect(conditions.default, entry).toMatch(/^\.\/dist\/.+\.js$/);
      expect(conditions.types, entry).toMatch(/^\.\/dist\/.+\.d\.ts$/);
    }
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(pkg.bugs?.url).toMatch(/^https:\/\/github\.com\/.+\/issues$/);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toContain('build');
    expect(pkg.scripts.build).toMatch(/clean/);
    // npm test builds dist before the suites that need it (after the typechecks).
    expect(pkg.scripts.test).toMatch(/npm run build.*&& vitest run$/);
  });
});

describe('npm pack', () => {
  let files: string[] = [];

  beforeAll(async () => {
    // --ignore-scripts: prepack would rebuild; the test reads the dist/ that is there.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
    const [report] = JSON.parse(stdout) as { files: { path: string }[] }[];
    files = report!.files.map((f) => f.path);
  }, 60_000);

  it('ships LICENSE, the built entries, the CLI and the templates, and no tests or sources', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('package.json');
    expect(files).toContain('bin/espflash.js');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/core-api.js');
    expect(files.some((f) => f.startsWith('templates/'))).toBe(true);
    expect(
      files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('bench/')),
    ).toEqual([]);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 espflash contributors/,
    );
  });

  it('has no source map pointing at a file the tarball lacks', () => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    const shipped = new Set(files);
    const dangling: string[] = [];
    for (const map of maps) {
      const m = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      m.sources.forEach((source, i) => {
        const inline = typeof m.sourcesContent?.[i] === 'string';
        const target = join(map, '..', source).replace(/\\/g, '/');
        if (!inline && !shipped.has(target)) dangling.push(`${map} -> ${source}`);
      });
    }
    expect(dangling).toEqual([]);
  });

  it('keeps esptool-js a run-time dependency (the stubs are read from it)', () => {
    const stubAssets = readFileSync(join(ROOT, 'src/node/stub-assets.ts'), 'utf8');
    expect(stubAssets).toContain("resolve('esptool-js/package.json')");
    expect(pkg.dependencies['esptool-js']).toBeDefined();
  });
});
