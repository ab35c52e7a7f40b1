// CLI habits: --version/-V, "Did you mean …?" for a mistyped command, an ELF where the build is
// expected, `espflash completion`, the fast top-level help, the lazy registry matching its
// modules, and --json lines carrying `type` with `event` as its alias.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandNames, commands } from '../../src/cli/commands.js';
import { editDistance, positionalWords, suggestCommand } from '../../src/cli/unknown-words.js';
import { runCli } from '../support/cli.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const dir = mkdtempSync(join(tmpdir(), 'espflash-feel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('--version', () => {
  it.each([['--version'], ['-V'], ['--verbose', '--version']])(
    '%s prints the package version',
    async (...argv) => {
      const r = await runCli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(VERSION);
    },
  );
});

describe('mistyped commands', () => {
  it.each([
    ['pla', 'plan'],
    ['flsh', 'flash'],
    ['erase-flsh', 'erase-flash'],
    ['list-port', 'list-ports'],
    ['monitr', 'monitor'],
  ])('espflash %s → Did you mean %s?', async (typo, meant) => {
    const r = await runCli([typo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`usage/unknown-command: Unknown command '${typo}'. Did you mean ${meant}?`);
    expect(r.stderr).toContain(`hint: Run \`espflash ${meant}\``);
  });

  it('--json: the error line has the code, and type and event alike', async () => {
    const r = await runCli(['pla', '--json']);
    expect(r.code).toBe(2);
    const [error] = jsonLines(r.stdout);
    expect(error).toMatchObject({ type: 'error', event: 'error', code: 'usage/unknown-command' });
  });

  it('a word close to no command keeps the generic usage error', async () => {
    const r = await runCli(['xyzzy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/invalid-args');
    expect(r.stderr).not.toContain('Did you mean');
  });

  it('suggests by edit distance, a unique prefix, or nothing', () => {
    const names = commandNames();
    expect(names).toContain('plan');
    expect(names).not.toContain('$0');
    expect(editDistance('pla', 'plan')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggestCommand('PLAN', names)).toBe('plan');
    expect(suggestCommand('partition', names)).toBe('partition-table');
    expect(suggestCommand('zz', names)).toBeUndefined();
  });

  it('positional words skip flag values', () => {
    expect(positionalWords(['--port', '/dev/x', 'pla', '--json'])).toEqual(['pla']);
    expect(positionalWords(['--no-stub', 'plan', '-p', 'sim://esp32', '--', 'x'])).toEqual(['plan']);
  });
});

describe('an ELF where the build is expected', () => {
  const hint =
    'espflash flashes the ESP-IDF build; pass --build-dir <dir> (the folder with flasher_args.json)';

  it.each([[['app.elf']], [['flash', 'build/app.elf']], [['--port', 'sim://esp32', 'hello_world.ELF']]])(
    'espflash %j → usage/elf-not-build with the --build-dir hint',
    async (argv) => {
      const r = await runCli(argv, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('usage/elf-not-build');
      expect(r.stderr).toContain(hint);
      expect(r.stderr).not.toContain('Unknown argument');
    },
  );

  it('a file with the ELF magic and another name', async () => {
    writeFileSync(join(dir, 'firmware'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]));
    const r = await runCli(['flash', 'firmware'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage/elf-not-build');
  });
});

describe('help and completion', () => {
  it('espflash --help lists every command, completion and the global options', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of [...commandNames(), 'completion'])
      expect(r.stdout).toMatch(new RegExp(`espflash ${name}\\b|aliases: ${name}\\b`));
    for (const flag of ['--json', '--verbose', '--color', '--help', '--version'])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('espflash flash --help');
  });

  it('the default command keeps its options under espflash flash --help', async () => {
    const r = await runCli(['flash', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--port');
    expect(r.stdout).toContain('--build-dir');
  });

  it('espflash completion prints a shell completion script', async () => {
    const r = await runCli(['completion']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('###-begin-espflash-completions-###');
    expect(r.stdout).toContain('--get-yargs-completions');
  });

  it('completions list the commands', async () => {
    const r = await runCli(['--get-yargs-completions', 'espflash', 'pl']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toContain('plan');
  });
});

describe('the lazy registry', () => {
  it('each entry repeats its module command and description', async () => {
    for (const entry of commands) {
      const def = await entry.load();
      expect(def.command, String(entry.command)).toEqual(entry.command);
      expect(def.describe, String(entry.command)).toBe(entry.describe);
    }
  });
});
