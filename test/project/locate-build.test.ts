import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { locateBuildDir } from '../../src/project/locate-build.js';
import { sourced } from '../../src/provenance.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'espflash-locate-'));
});

const dir = (...parts: string[]) => {
  const d = join(root, ...parts);
  mkdirSync(d, { recursive: true });
  return d;
};

describe('locateBuildDir', () => {
  it('--build-dir wins and is resolved against cwd', async () => {
    dir('proj', 'build');
    dir('other');
    const found = await locateBuildDir({
      cwd: join(root, 'proj'),
      buildDir: sourced('../other', 'cli', '--build-dir'),
      project: sourced('.', 'config', '/x/espflash.config.ts'),
    });
    expect(found.buildDir).toBe(join(root, 'other'));
    expect(found.source).toEqual({ kind: 'cli', detail: '--build-dir' });
  });

  it('--project on the command line beats buildDir from a config file', async () => {
    const build = dir('p', 'build');
    dir('cfgbuild');
    const found = await locateBuildDir({
      cwd: root,
      buildDir: sourced('cfgbuild', 'config', '/x/espflash.config.ts'),
      project: sourced('p', 'cli', '--project'),
    });
    expect(found.buildDir).toBe(build);
  });

  it('cwd is the build dir when it holds flasher_args.json or project_description.json', async () => {
    const b = dir('b1');
    writeFileSync(join(b, 'project_description.json'), '{}');
    dir('b1', 'build'); // a nested build/ must not win over the marker
    expect((await locateBuildDir({ cwd: b })).buildDir).toBe(b);
  });

  it('otherwise cwd/build', async () => {
    const build = dir('p2', 'build');
    const found = await locateBuildDir({ cwd: join(root, 'p2') });
    expect(found.buildDir).toBe(build);
    expect(found.looked).toEqual([join(root, 'p2'), build]);
  });

  const cases: Array<[string, (r: string) => Parameters<typeof locateBuildDir>[0], (r: string) => string[]]> =
    [
      ['nothing found', (r) => ({ cwd: r }), (r) => [r, join(r, 'build')]],
      [
        '--build-dir missing',
        (r) => ({ cwd: r, buildDir: sourced('nope', 'cli', '--build-dir') }),
        (r) => [join(r, 'nope')],
      ],
      [
        '--project without build/',
        (r) => ({ cwd: r, project: sourced('.', 'cli', '--project') }),
        (r) => [join(r, 'build')],
      ],
    ];
  it.each(cases)(
    '%s -> project/no-build-dir listing what was looked at',
    async (_what, options, lookedAt) => {
      const looked = lookedAt(root);
      const err = await locateBuildDir(options(root)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'project/no-build-dir', exitCode: 2, details: { looked } });
      const e = err as { message: string; hint: string };
      for (const l of looked) expect(e.message).toContain(l);
      expect(e.hint).toContain('idf.py build');
      expect(e.hint).toContain('--build-dir');
    },
  );
});
