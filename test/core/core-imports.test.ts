// src/core and src/chips stay clean (AGENTS.md): every import resolves inside src/core or src/chips,
// to errors/events/logger, or is pako. Checked two ways: a scan of the sources, and biome's
// noRestrictedImports rule (biome.json) run on probe files that break it.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
const SHARED = new Set(['errors.ts', 'events.ts', 'logger.ts']);
const PACKAGES = new Set(['pako']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const re =
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** Why `specifier` imported from `file` is not allowed, or null. */
function violation(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.'))
    return PACKAGES.has(specifier.split('/')[0]!) ? null : `package ${specifier}`;
  const target = relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts');
  const [top, ...rest] = target.split(/[\\/]/);
  if (top === 'core' || top === 'chips') return null;
  if (rest.length === 0 && SHARED.has(top!)) return null;
  return `src/${target}`;
}

describe('src/core and src/chips imports', () => {
  it('finds specifiers in every import form', () => {
    expect(
      importSpecifiers(
        "import { a,\n  b } from './a.js';\nimport type { C } from '../c.js';\nexport { d } from './d.js';\n" +
          "import 'side';\nconst e = await import('./e.js');\nexport * from \"./f.js\";",
      ),
    ).toEqual(['./a.js', '../c.js', './d.js', 'side', './e.js', './f.js']);
  });

  it('reach only src/core, src/chips, errors, events, logger and pako', () => {
    const bad: string[] = [];
    const files = [...tsFiles(join(SRC, 'core')), ...tsFiles(join(SRC, 'chips'))];
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        const why = violation(file, spec);
        if (why) bad.push(`${relative(ROOT, file)} imports ${spec} (${why})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the scan would catch plan/, node:* and other packages', () => {
    const file = join(SRC, 'core/ops/x.ts');
    expect(violation(file, '../../plan/types.js')).toBe('src/plan/types.ts');
    expect(violation(join(SRC, 'core/x.ts'), '../provenance.js')).toBe('src/provenance.ts');
    expect(violation(file, 'node:fs')).toBe('package node:fs');
    expect(violation(file, '../../errors.js')).toBeNull();
    expect(violation(file, '../bytes.js')).toBeNull();
    expect(violation(file, '../../chips/chips.js')).toBeNull();
  });
});

describe('biome noRestrictedImports for src/core', () => {
  it('fails probe files that import plan/, sim/, node:* or a package, passes allowed imports', () => {
    // A copy of biome.json in a temp tree: the probes never land in the real src/.
    const dir = mkdtempSync(join(tmpdir(), 'espflash-lint-'));
    try {
      const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8'));
      delete config.$schema;
      writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
      const probes: Record<string, string> = {
        'src/core/uses-plan.ts':
          "import type { FlashPlan } from '../plan/types.js';\nexport type P = FlashPlan;\n",
        'src/core/ops/uses-sim.ts': "import { x } from '../../sim/device.js';\nexport const y = x;\n",
        'src/core/uses-node.ts': "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
        'src/chips/uses-package.ts': "import yargs from 'yargs';\nexport const y = yargs;\n",
        'src/core/fine.ts':
          "import { inflate } from 'pako';\nimport { EspflashError } from '../errors.js';\n" +
          "import { OP } from './opcodes.js';\nimport { x } from './ops/plan/x.js';\n" +
          'export const all = [inflate, EspflashError, OP, x];\n',
        'src/api/outside.ts':
          "import type { FlashPlan } from '../plan/types.js';\nexport type P = FlashPlan;\n",
      };
      for (const [path, text] of Object.entries(probes)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
      let output = '';
      try {
        output = execFileSync(
          process.execPath,
          [biome, 'lint', '--max-diagnostics=none', '--colors=off', ...Object.keys(probes)],
          { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 30_000 },
        );
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
      const flagged = new Set(
        [...output.matchAll(/^(\S+\.ts):\d+:\d+ lint\/style\/noRestrictedImports/gm)].map((m) => m[1]),
      );
      expect([...flagged].sort()).toEqual([
        'src/chips/uses-package.ts',
        'src/core/ops/uses-sim.ts',
        'src/core/uses-node.ts',
        'src/core/uses-plan.ts',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
