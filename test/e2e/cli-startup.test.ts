// The built CLI as a child process, with a module hook: `--help`, `--version`, `flash --help` and
// `plan` load none of the heavy dependencies of other commands (chokidar, execa, serialport,
// cosmiconfig for help), and with serialport's native binding failing to load, `--help`, `plan`
// and sim:// keep working while a serial port gives `port/serialport-unavailable` (no stack trace).
// Needs `npm run build`.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { BIN, hasStackTrace } from '../support/cli.js';

const HAVE_BUILD = existsSync(new URL('../../dist/cli-bundle/main.js', import.meta.url));
const NOTE = HAVE_BUILD ? '' : ' [SKIPPED: run `npm run build` first]';

let dir: string;
let buildDir: string;
let recordHook: string;
let brokenSerialHook: string;

/** A `--import` module registering `hooks` (module source) as loader hooks. */
function hookModule(name: string, hooks: string): string {
  const hooksFile = join(dir, `${name}-hooks.mjs`);
  writeFileSync(hooksFile, hooks);
  const entry = join(dir, `${name}.mjs`);
  writeFileSync(
    entry,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooksFile).href)});\n`,
  );
  return entry;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-startup-'));
  mkdirSync(join(dir, '.git'));
  ({ buildDir } = await generateExampleBuild({ dir: join(dir, 'project'), chip: 'esp32', seed: 2 }));
  // Every module URL the loader loads (ESM and the CommonJS entry points imported from ESM).
  recordHook = hookModule(
    'record',
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.ESPFLASH_TEST_RECORD, url + '\\n');
  return next(url, context);
}`,
  );
  // serialport as it fails without a native binding for the platform.
  brokenSerialHook = hookModule(
    'broken-serialport',
    `export async function resolve(specifier, context, next) {
  if (specifier === 'serialport')
    return { url: 'data:text/javascript,throw new Error("No native build was found for platform=test")', shortCircuit: true };
  return next(specifier, context);
}`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(argv: string[], hook: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [`--import=${pathToFileURL(hook).href}`, BIN, ...argv], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The npm packages a run of the CLI loaded. */
function packagesLoaded(argv: string[]): Set<string> {
  const record = join(dir, `record-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(record, '');
  const r = run(argv, recordHook, { ESPFLASH_TEST_RECORD: record });
  expect(r.code, r.stderr).toBe(0);
  const urls = readFileSync(record, 'utf8').split('\n');
  // The bundled CLI ran (bin/espflash.js loads dist/cli-bundle).
  expect(urls.some((u) => u.includes('/dist/cli-bundle/main.js'))).toBe(true);
  return new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
}

const HEAVY = ['chokidar', 'execa', 'serialport', '@serialport/bindings-cpp'];

describe.skipIf(!HAVE_BUILD)(`built CLI start-up${NOTE}`, () => {
  it.each([[['--help']], [['--version']], [['-V']]])(
    '%j loads no command dependencies, nor yargs',
    (argv) => {
      const loaded = packagesLoaded(argv);
      for (const name of [...HEAVY, 'cosmiconfig', 'yargs']) expect(loaded.has(name), name).toBe(false);
    },
  );

  it('flash --help loads the flash command, not chokidar, execa or serialport', () => {
    const loaded = packagesLoaded(['flash', '--help']);
    expect(loaded.has('yargs')).toBe(true);
    for (const name of HEAVY) expect(loaded.has(name), name).toBe(false);
  });

  it.each([[['--no-config']], [[]]])('plan %j loads no chokidar, execa or serialport', (extra) => {
    const loaded = packagesLoaded(['plan', '--build-dir', buildDir, ...extra]);
    for (const name of HEAVY) expect(loaded.has(name), name).toBe(false);
  });

  describe('serialport without its native binding', () => {
    it('--help, --version and plan work', () => {
      for (const argv of [['--help'], ['--version'], ['plan', '--build-dir', buildDir, '--json']]) {
        const r = run(argv, brokenSerialHook);
        expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      }
    });

    it('a sim:// port works', () => {
      const r = run(['board-info', '--port', 'sim://esp32', '--json'], brokenSerialHook);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('"board-info"');
    });

    it('a serial port fails with port/serialport-unavailable naming the other kinds of port', () => {
      const r = run(['board-info', '--port', '/dev/null'], brokenSerialHook);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error port/serialport-unavailable:');
      expect(r.stderr).toContain('No native build was found');
      for (const word of ['socket://', 'rfc2217://', 'sim://', 'npm rebuild serialport'])
        expect(r.stderr).toContain(word);
      expect(r.stderr).not.toContain('internal error');
      expect(hasStackTrace(r.stderr)).toBe(false);
    });

    it('--json: the coded error as one JSON line', () => {
      const r = run(['board-info', '--port', '/dev/null', '--json'], brokenSerialHook);
      expect(r.code).toBe(1);
      const error = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      expect(error).toMatchObject({ type: 'error', event: 'error', code: 'port/serialport-unavailable' });
    });
  });
});
