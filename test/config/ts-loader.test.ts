// .ts configs without the TypeScript compiler: the built-in stripper (forced here, the only path on
// Node < 22.6) and, where the running Node has it, Node's own type stripping.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  typeStripping,
  usesNativeTypeStripping,
  withoutLoaderNoise,
} from '../../src/config/config-loaders.js';
import { loadConfig } from '../../src/config/load-config.js';
import { EspflashError } from '../../src/errors.js';
import { listDir, tempProject } from './temp-project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NATIVE = Boolean((process.features as { typescript?: unknown }).typescript);

async function loadError(cwd: string): Promise<EspflashError> {
  const err = await loadConfig({ cwd }).catch((e: unknown) => e);
  if (err instanceof EspflashError) return err;
  throw new Error(`expected a coded error, got ${String(err)}`);
}

const TYPED = `import type { EspflashConfig } from 'espflash';
import { BOARD, type Board } from './board.mjs';

interface Extra { note?: string }
type Mode = 'dio' | 'qio';

const mode: Mode = 'dio';
const pick = <T,>(items: T[], index?: number): T => items[index ?? 0]!;
function baudFor(board: Board | undefined): number {
  return board === undefined ? 115200 : 921600;
}

export default {
  port: BOARD.port as string,
  baud: baudFor(BOARD),
  chip: pick<string>(['esp32s3']),
  flash: { mode } satisfies EspflashConfig['flash'],
  monitor: { logFile: import.meta.dirname + '/monitor.log' },
} satisfies EspflashConfig & Extra;
`;

function typedProject(): string {
  return tempProject({
    'board.mjs': "export const BOARD = { port: '/dev/ttyACM0' };\n",
    'espflash.config.ts': TYPED,
  });
}

const modes = [
  { name: "espflash's stripper (forced)", mode: 'loader' as const, run: true },
  {
    // Node's own type stripping where the running Node has it (process.features.typescript), else the
    // stripper again: the detection is what this case checks on a Node without it.
    name: 'auto-detection (native stripping where present)',
    mode: 'auto' as const,
    run: true,
  },
];

afterEach(() => {
  typeStripping.mode = 'auto';
});

describe.each(modes)('.ts configs via $name', ({ mode, run }) => {
  it.runIf(run)('loads a typed config with a relative import, without writing a file', async () => {
    typeStripping.mode = mode;
    expect(usesNativeTypeStripping()).toBe(mode === 'auto' && NATIVE);
    const root = typedProject();
    const before = listDir(root);
    const loaded = await loadConfig({ cwd: root });
    expect(loaded?.config).toEqual({
      port: '/dev/ttyACM0',
      baud: 921600,
      chip: 'esp32s3',
      flash: { mode: 'dio' },
      monitor: { logFile: `${root}/monitor.log` },
    });
    expect(listDir(root)).toEqual(before);
  });

  it.runIf(run)('loads the template `espflash init` writes', async () => {
    typeStripping.mode = mode;
    const template = readFileSync(join(REPO, 'templates', 'espflash.config.ts'), 'utf8');
    const root = tempProject({ 'espflash.config.ts': template });
    expect((await loadConfig({ cwd: root }))?.config).toEqual({ buildDir: 'build' });
    expect(listDir(root)).toEqual(['.git', 'espflash.config.ts']);
  });

  it.runIf(run)('refuses an enum with config/unsupported-syntax naming the line', async () => {
    typeStripping.mode = mode;
    const root = tempProject({
      'espflash.config.ts':
        "const baud = 1;\n\nenum Mode { Dio = 'dio' }\nexport default { flash: { mode: Mode.Dio } };\n",
    });
    const err = await loadError(root);
    expect(err.code).toBe('config/unsupported-syntax');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(join(root, 'espflash.config.ts'));
    expect(err.message).toContain('line 3');
    expect(err.details.line).toBe(3);
    expect(err.hint).toContain('espflash.config.mjs');
    expect(err.hint).toContain('espflash.config.json');
    expect(err.stack ?? '').not.toContain('typescript');
  });

  it.runIf(run)('reports a syntax error with its line and column', async () => {
    typeStripping.mode = mode;
    const root = tempProject({
      'espflash.config.ts':
        "const port: string = 'COM1';\nexport default {\n  port,\n  baud: 115200 921600,\n};\n",
    });
    const err = await loadError(root);
    expect(err.code).toBe('config/load-failed');
    expect(err.details).toMatchObject({ line: 4, column: 16 });
    expect(err.message).toContain('line 4, column 16');
    expect(listDir(root)).toEqual(['.git', 'espflash.config.ts']);
  });
});

describe(".ts configs via espflash's stripper", () => {
  it.each([
    ['a namespace', 'namespace Boards {\n  export const a = 1;\n}\nexport default {};\n', 1],
    ['a decorator', 'const x = 1;\nconst y = 2;\n@frozen\nclass C {}\nexport default {};\n', 3],
    ['a parameter property', 'class B {\n  constructor(public port: string) {}\n}\nexport default {};\n', 2],
  ])('refuses %s with config/unsupported-syntax and the line', async (_name, text, line) => {
    typeStripping.mode = 'loader';
    const root = tempProject({ 'espflash.config.ts': text });
    const err = await loadError(root);
    expect(err.code).toBe('config/unsupported-syntax');
    expect(err.details.line).toBe(line);
    expect(err.message).toContain(`line ${line},`);
  });

  it('reports an unterminated string with its position', async () => {
    typeStripping.mode = 'loader';
    const root = tempProject({ 'espflash.config.ts': "export default {\n  port: 'COM1,\n};\n" });
    const err = await loadError(root);
    expect(err.code).toBe('config/load-failed');
    expect(err.details).toMatchObject({ line: 2, column: 9 });
  });

  it('imports .ts helpers and packages from the project node_modules (import-only exports)', async () => {
    typeStripping.mode = 'loader';
    const root = tempProject({
      'boards/lab.ts': "export const LAB: { port: string } = { port: 'rfc2217://lab:4000' };\n",
      'node_modules/board-db/package.json':
        '{ "name": "board-db", "type": "module", "exports": { ".": { "import": "./esm/index.js" }, "./chips/*": "./chips/*.js" } }',
      'node_modules/board-db/esm/index.js': 'export const BAUD = 460800;\n',
      'node_modules/board-db/chips/s3.js': "export default 'esp32s3';\n",
      'espflash.config.ts':
        "import { LAB } from './boards/lab.ts';\nimport { BAUD } from 'board-db';\nimport chip from 'board-db/chips/s3';\nimport { join } from 'node:path';\nexport default { port: LAB.port, baud: BAUD as number, chip, buildDir: join('out', 'build') };\n",
    });
    const before = readdirSync(join(root, 'boards'));
    expect((await loadConfig({ cwd: root }))?.config).toEqual({
      port: 'rfc2217://lab:4000',
      baud: 460800,
      chip: 'esp32s3',
      buildDir: join('out', 'build'),
    });
    expect(readdirSync(join(root, 'boards'))).toEqual(before);
  });

  it('names a package that is not installed (config/unresolvable-import)', async () => {
    typeStripping.mode = 'loader';
    const root = tempProject({
      'espflash.config.ts': "import { x } from 'nope-pkg';\nexport default { port: x };\n",
    });
    const err = await loadError(root);
    expect(err.code).toBe('config/unresolvable-import');
    expect(err.message).toContain("'nope-pkg'");
  });

  it('loads ESM .js outside a "type": "module" package from memory (no warning, no file)', async () => {
    const root = tempProject({
      'package.json': '{ "name": "fw" }',
      'ports.mjs': "export const PORT = 'COM4';\n",
      'espflash.config.js':
        "import { PORT } from './ports.mjs';\nimport { unused } from './side.mjs';\nexport default { port: PORT, buildDir: import.meta.dirname, baud: globalThis.sideBaud };\n",
      'side.mjs': 'globalThis.sideBaud = 230400;\nexport const unused = 1;\n',
    });
    // An unused import in JavaScript still runs (only TypeScript drops type-only imports).
    expect((await loadConfig({ cwd: root }))?.config).toEqual({ port: 'COM4', buildDir: root, baud: 230400 });
    expect(listDir(root)).toEqual(['.git', 'espflash.config.js', 'package.json', 'ports.mjs', 'side.mjs']);
  });
});

describe('withoutLoaderNoise', () => {
  it("silences only Node's type-stripping and typeless-package notices while loading", async () => {
    const seen: string[] = [];
    const listener = (w: Error) => seen.push(w.message);
    process.on('warning', listener);
    const original = process.emitWarning;
    try {
      await withoutLoaderNoise(async () => {
        process.emitWarning(
          'Type Stripping is an experimental feature and might change at any time',
          'ExperimentalWarning',
        );
        process.emitWarning('Module type of file:///x/espflash.config.ts is not specified', {
          code: 'MODULE_TYPELESS_PACKAGE_JSON',
        });
        process.emitWarning('something else entirely', 'DeprecationWarning');
      });
      expect(process.emitWarning).toBe(original);
      await new Promise((r) => setImmediate(r));
      expect(seen).toEqual(['something else entirely']);
    } finally {
      process.off('warning', listener);
    }
  });
});

describe('the compiler is gone', () => {
  it('no module under src/ imports typescript, and it is not a runtime dependency', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).not.toContain('typescript');
    expect(Object.keys(pkg.devDependencies)).toContain('typescript');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (
          /\.ts$/.test(entry.name) &&
          /(?:from\s+|import\()\s*['"]typescript['"]/.test(readFileSync(path, 'utf8'))
        ) {
          offenders.push(path);
        }
      }
    };
    walk(join(REPO, 'src'));
    expect(offenders).toEqual([]);
  });
});
