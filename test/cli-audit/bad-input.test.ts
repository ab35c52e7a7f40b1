// CLI audit: every registered command, run in process against a table of bad input. Usage errors
// exit 2 with `error <area>/<reason>:` and a `hint:` line, failures exit 1 with a code line, nothing
// prints a stack trace or exits 70, and --json prints exactly one JSON error object. Each run uses a
// temp cwd (with a .git marker) so no repository config is picked up; device commands get
// `--port sim://esp32` only where argument validation must fail before any connection.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { buildImage } from '../../src/image/image-builder.js';
import { hasStackTrace, runCli } from '../support/cli.js';

const CODE_LINE = /^error ([a-z0-9-]+\/[a-z0-9-]+): \S/m;
const HINT_LINE = /^\s+hint: \S/m;
const SIM = ['--port', 'sim://esp32'];

let cwd = '';
let badConfigCwd = '';

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'espflash-cli-audit-'));
  mkdirSync(join(cwd, '.git'));
  mkdirSync(join(cwd, 'adir'));
  writeFileSync(join(cwd, 'empty.bin'), '');
  writeFileSync(
    join(cwd, 'garbage.bin'),
    Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff),
  );
  writeFileSync(join(cwd, 'bad.csv'), 'nvs,data,nvs,0x9000,0xZZ,\nfactory,app,factory,,1M,\n');
  writeFileSync(join(cwd, 'overlap.csv'), 'a,data,nvs,0x9000,0x6000,\nb,data,nvs,0xa000,0x6000,\n');
  writeFileSync(join(cwd, 'good.csv'), 'nvs,data,nvs,,0x6000,\nfactory,app,factory,,1M,\n');
  mkdirSync(join(cwd, 'empty-build'));
  mkdirSync(join(cwd, 'garbage-build'));
  writeFileSync(join(cwd, 'garbage-build', 'flasher_args.json'), '{"flash_files": {"0x1000": "nope.bin"');
  mkdirSync(join(cwd, 'missing-file-build'));
  writeFileSync(
    join(cwd, 'missing-file-build', 'flasher_args.json'),
    JSON.stringify({ flash_files: { '0x10000': 'app.bin' }, extra_esptool_args: { chip: 'esp32' } }),
  );
  // A build whose flasher_args.json puts the app beyond the 32-bit address space (used to wrap to 0x0).
  mkdirSync(join(cwd, 'huge-offset-build'));
  writeFileSync(
    join(cwd, 'huge-offset-build', 'flasher_args.json'),
    JSON.stringify({ flash_files: { '0x100000000': 'app.bin' }, extra_esptool_args: { chip: 'esp32' } }),
  );
  writeFileSync(
    join(cwd, 'huge-offset-build', 'app.bin'),
    buildImage({
      chip: 'esp32',
      entry: 0x40080000,
      segments: [{ loadAddress: 0x3f400020, data: new Uint8Array(64) }],
    }),
  );
  // A directory where the partition table binary should be (used to escape as a raw EISDIR, exit 70).
  mkdirSync(join(cwd, 'dir-table-build', 'partition_table', 'partition-table.bin'), { recursive: true });
  writeFileSync(join(cwd, 'dir-table-build', 'flash_args'), '0x8000 partition_table/partition-table.bin\n');
  writeFileSync(join(cwd, 'unknown-keys.config.json'), '{"prot": "/dev/ttyUSB0", "flash": {"mod": "dio"}}');
  writeFileSync(join(cwd, 'proto-keys.config.json'), '{"constructor": 1, "__proto__": {"port": "x"}}');
  writeFileSync(join(cwd, 'bad-value.config.json'), '{"baud": "fast", "reset": {"sequence": "X9"}}');
  writeFileSync(join(cwd, 'broken.config.json'), '{"port": ');
  writeFileSync(join(cwd, 'espflash.config.yaml'), 'port: x\n');
  badConfigCwd = mkdtempSync(join(tmpdir(), 'espflash-cli-audit-config-'));
  mkdirSync(join(badConfigCwd, '.git'));
  writeFileSync(
    join(badConfigCwd, 'espflash.config.json'),
    '{"prot": "/dev/ttyUSB0", "flash": {"mod": "dio"}}',
  );
});

afterAll(() => {
  for (const dir of [cwd, badConfigCwd]) if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Case {
  argv: string[];
  /** 2 for usage errors, 1 for failures. */
  exit: 1 | 2;
  /** The error code, when the case pins it. */
  code?: string;
  /** Run in the directory whose espflash.config.json has unknown keys instead of the plain temp cwd. */
  cwd?: 'bad-config';
  /** Environment variables for the run (default: none). */
  env?: Record<string, string>;
}

/** The command word of a registry entry (`erase-region <offset> <size>` → `erase-region`). */
function commandName(command: string | string[]): string {
  return (Array.isArray(command) ? command[0]! : command).split(' ')[0]!;
}

/** Required positionals of a registry entry. */
function requiredPositionals(command: string | string[]): number {
  return ((Array.isArray(command) ? command[0]! : command).match(/<[^>]+>/g) ?? []).length;
}

// Every registered command: an unknown flag, and (where it has some) missing positionals.
const registryCases: Case[] = commands.flatMap((def) => {
  const name = commandName(def.command);
  const cases: Case[] = [{ argv: [name, '--no-such-flag'], exit: 2, code: 'usage/invalid-args' }];
  if (requiredPositionals(def.command) > 0) cases.push({ argv: [name], exit: 2, code: 'usage/invalid-args' });
  return cases;
});

const numberCases: Case[] = ['0xZZ', '-5', '1.5', '0x100000000', '99999999999999999999', 'abc', ''].flatMap(
  (bad): Case[] => [
    { argv: ['checksum-md5', bad, '4k', ...SIM], exit: 2, code: 'usage/bad-number' },
    { argv: ['checksum-md5', '0', bad, ...SIM], exit: 2, code: 'usage/bad-number' },
    { argv: ['erase-region', bad, '4k', ...SIM], exit: 2, code: 'usage/bad-number' },
    { argv: ['erase-region', '0', bad, ...SIM], exit: 2, code: 'usage/bad-number' },
    { argv: ['read-flash', bad, '4k', 'out.bin', ...SIM], exit: 2, code: 'usage/bad-number' },
    { argv: ['read-flash', '0', bad, 'out.bin', ...SIM], exit: 2, code: 'usage/bad-number' },
    // A non-numeric <target> is a partition label (looked up on the device), so only numeric-looking ones here.
    ...(/^[-+.\d]/.test(bad) ? [{ argv: ['write-bin', bad, 'garbage.bin', ...SIM], exit: 2 as const }] : []),
    {
      argv: ['erase-parts', 'nvs', '--partition-table-offset', bad, ...SIM],
      exit: 2,
      code: 'usage/bad-number',
    },
  ],
);

const fullDeviceFlagCases = (cmd: string): Case[] => [
  { argv: [cmd, '--port', 'foo://x'], exit: 2, code: 'port/bad-spec' },
  { argv: [cmd, '--port', 'socket://nohostport'], exit: 2, code: 'port/bad-spec' },
  { argv: [cmd, '--port', 'rfc2217://:0'], exit: 2, code: 'port/bad-spec' },
  { argv: [cmd, '--port', 'adir'], exit: 2, code: 'port/bad-spec' },
  { argv: [cmd, '--port', '/dev/espflash-audit-no-such-tty'], exit: 2, code: 'port/not-found' },
  // Well-formed specs that fail on open are failures (exit 1), not usage errors.
  // A directory is bad input (issue 9): exit 2 before any open.
  { argv: [cmd, '--port', '/tmp'], exit: 2, code: 'port/not-a-port' },
  { argv: [cmd, '--port', 'socket://127.0.0.1:1'], exit: 1, code: 'port/connection-refused' },
  { argv: [cmd, '--port', 'sim://esp99'], exit: 2 },
  { argv: [cmd, '--port', 'sim://esp32?flashSize=huge'], exit: 2 },
  { argv: [cmd, '--port', ''], exit: 2 },
  { argv: [cmd, ...SIM, '--chip', 'esp99'], exit: 2 },
  { argv: [cmd, ...SIM, '--before', 'bogus'], exit: 2, code: 'usage/invalid-value' },
  { argv: [cmd, ...SIM, '--after', 'bogus'], exit: 2, code: 'usage/invalid-value' },
  { argv: [cmd, ...SIM, '--reset-sequence', 'X9'], exit: 2, code: 'usage/invalid-value' },
  { argv: [cmd, ...SIM, '--reset-sequence', 'D0|W|R1'], exit: 2, code: 'usage/invalid-value' },
  { argv: [cmd, ...SIM, '--baud', '0xZZ'], exit: 2, code: 'usage/invalid-value' },
  { argv: [cmd, ...SIM, '--baud', '-5'], exit: 2, code: 'usage/invalid-value' },
  { argv: [cmd, ...SIM, '--baud', '1.5'], exit: 2, code: 'usage/invalid-value' },
  { argv: [cmd, ...SIM, '--baud', '99999999999999999999'], exit: 2, code: 'usage/invalid-value' },
  // Device commands have no --config flag: the config comes from the working directory.
  { argv: [cmd, ...SIM], exit: 2, code: 'config/unknown-key', cwd: 'bad-config' },
  { argv: [cmd, ...SIM, '--config', 'unknown-keys.config.json'], exit: 2, code: 'usage/invalid-args' },
];

// board-info gets the whole table; erase-flash and reset share its option handling (withDevice), so
// they get one case per check to keep CPU down.
const SHARED_CHECKS = new Set(['foo://x', '--before', '--after', '--baud', '--reset-sequence', '--config']);
const deviceFlagCases: Case[] = [
  ...fullDeviceFlagCases('board-info'),
  ...['erase-flash', 'reset'].flatMap((cmd) => {
    const seen = new Set<string>();
    return fullDeviceFlagCases(cmd).filter((c) => {
      const check = c.cwd ?? c.argv.find((a) => SHARED_CHECKS.has(a)) ?? '';
      if (check === '' || seen.has(check)) return false;
      seen.add(check);
      return true;
    });
  }),
];

const fileCases: Case[] = [
  { argv: ['image-info', 'nonexistent.bin'], exit: 2 },
  { argv: ['image-info', 'adir'], exit: 2 },
  { argv: ['image-info', 'empty.bin'], exit: 1, code: 'image/too-short' },
  { argv: ['image-info', 'garbage.bin'], exit: 1, code: 'image/bad-magic' },
  { argv: ['image-info', 'garbage.bin', '--chip', 'esp99'], exit: 2 },
  { argv: ['partition-table', 'nonexistent.csv'], exit: 2 },
  { argv: ['partition-table', 'adir'], exit: 2 },
  { argv: ['partition-table', 'empty.bin'], exit: 2 },
  { argv: ['partition-table', 'garbage.bin'], exit: 2 },
  { argv: ['partition-table', 'bad.csv'], exit: 2 },
  { argv: ['partition-table', 'overlap.csv'], exit: 2, code: 'partition/overlap' },
  { argv: ['partition-table', 'good.csv', '--offset', '0xZZ'], exit: 2 },
  { argv: ['partition-table', 'good.csv', '--offset', '-5'], exit: 2 },
  { argv: ['partition-table', 'good.csv', '--to', 'xml'], exit: 2, code: 'usage/invalid-args' },
  { argv: ['partition-table', 'good.csv', '--flash-size', 'huge'], exit: 2 },
  { argv: ['partition-table', 'good.csv', '--bootloader-offset', '1.5'], exit: 2 },
  { argv: ['partition-table', 'good.csv', '--extra-subtype', 'nonsense'], exit: 2 },
  { argv: ['partition-table', 'good.csv', '--secure', 'v9'], exit: 2, code: 'usage/invalid-args' },
  { argv: ['partition-table', 'good.csv', '--to', 'bin', '--output', 'empty.bin/x.bin'], exit: 2 },
  { argv: ['partition-table', 'good.csv', '--to', 'csv', '--output', 'adir'], exit: 2 },
  { argv: ['write-bin', '0x10000', 'nonexistent.bin', ...SIM], exit: 2 },
  { argv: ['write-bin', '0x10000', 'adir', ...SIM], exit: 2 },
  { argv: ['monitor', '--port', 'foo://x'], exit: 2, code: 'port/bad-spec' },
  { argv: ['monitor', '--port', 'foo://x', '--baud', '0xZZ'], exit: 2 },
  { argv: ['sim', '--listen', 'bogus'], exit: 2 },
  { argv: ['sim', '--chip', 'esp99'], exit: 2 },
  { argv: ['sim', '--flash-size', 'huge'], exit: 2 },
  { argv: ['sim', '--mac', 'zz'], exit: 2 },
  { argv: ['init', '--format', 'xml'], exit: 2, code: 'usage/invalid-args' },
  { argv: ['build', '--project', 'no-such-project'], exit: 2 },
];

const buildDirCases: Case[] = ['plan', 'flash'].flatMap((cmd): Case[] => {
  const port = cmd === 'flash' ? SIM : [];
  return [
    { argv: [cmd, ...port, '--build-dir', 'no-such-dir'], exit: 2, code: 'project/no-build-dir' },
    { argv: [cmd, ...port, '--build-dir', 'empty.bin'], exit: 2, code: 'project/no-build-dir' },
    { argv: [cmd, ...port, '--build-dir', 'empty-build'], exit: 2 },
    { argv: [cmd, ...port, '--build-dir', 'garbage-build'], exit: 2, code: 'project/bad-flasher-args' },
    { argv: [cmd, ...port, '--build-dir', 'missing-file-build'], exit: 2 },
    {
      argv: [cmd, ...port, '--build-dir', 'huge-offset-build', '--allow-stale'],
      exit: 2,
      code: 'plan/exceeds-flash',
    },
    {
      argv: [cmd, ...port, '--build-dir', 'dir-table-build', '--allow-stale'],
      exit: 2,
      code: 'partition/read-failed',
    },
    { argv: [cmd, ...port, '--project', 'no-such-dir'], exit: 2 },
    { argv: [cmd, ...port, '--build-dir', 'garbage-build', '--flash-mode', 'bogus'], exit: 2 },
    { argv: [cmd, ...port, '--build-dir', 'garbage-build', '--flash-size', 'huge'], exit: 2 },
    { argv: [cmd, ...port, '--build-dir', 'garbage-build', '--chip', 'esp99'], exit: 2 },
    { argv: [cmd, ...port, '--config', 'unknown-keys.config.json'], exit: 2, code: 'config/unknown-key' },
    { argv: [cmd, ...port, '--config', 'proto-keys.config.json'], exit: 2, code: 'config/unknown-key' },
    { argv: [cmd, ...port, '--config', 'bad-value.config.json'], exit: 2, code: 'config/invalid-value' },
    { argv: [cmd, ...port, '--config', 'broken.config.json'], exit: 2 },
    { argv: [cmd, ...port, '--config', 'espflash.config.yaml'], exit: 2 },
    { argv: [cmd, ...port, '--config', 'no-such.config.json'], exit: 2, code: 'config/not-found' },
    { argv: [cmd, ...port, '--config', 'adir'], exit: 2, code: 'config/not-found' },
  ];
});

const envCases: Case[] = [
  { argv: ['plan'], env: { ESPFLASH_BAUD: 'fast' }, exit: 2, code: 'config/invalid-env' },
  { argv: ['plan'], env: { ESPFLASH_CONFIG: 'no-such.config.json' }, exit: 2, code: 'config/not-found' },
  { argv: ['plan'], env: { ESPFLASH_CONFIG: 'proto-keys.config.json' }, exit: 2, code: 'config/unknown-key' },
  { argv: ['plan', '--build-dir', 'garbage-build'], env: { ESPFLASH_FLASH_MODE: 'bogus' }, exit: 2 },
  { argv: ['board-info'], env: { ESPPORT: 'foo://x' }, exit: 2, code: 'port/bad-spec' },
  { argv: ['board-info'], env: { ESPFLASH_PORT: 'sim://esp32', ESPFLASH_BEFORE: 'bogus' }, exit: 2 },
  {
    argv: ['erase-flash'],
    env: { ESPFLASH_PORT: 'sim://esp32', ESPBAUD: '-5' },
    exit: 2,
    code: 'config/invalid-env',
  },
];

const CASES: Case[] = [
  { argv: ['--no-such-flag'], exit: 2, code: 'usage/invalid-args' },
  { argv: ['no-such-command'], exit: 2 },
  ...registryCases,
  ...numberCases,
  ...deviceFlagCases,
  ...fileCases,
  ...buildDirCases,
  ...envCases,
];

async function checkPlain(c: Case): Promise<void> {
  const r = await runCli(c.argv, { cwd: c.cwd ? badConfigCwd : cwd, env: c.env ?? {} });
  const where = `espflash ${JSON.stringify(c.argv)}\nexit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout}`;
  expect(r.code, `${where}\n(exit 70 = internal error)`).toBe(c.exit);
  expect(hasStackTrace(r.stderr) || hasStackTrace(r.stdout), `stack trace printed\n${where}`).toBe(false);
  const m = CODE_LINE.exec(r.stderr);
  expect(m, `no "error <code>:" line on stderr\n${where}`).not.toBeNull();
  if (c.code) expect(m![1], where).toBe(c.code);
  if (c.exit === 2) expect(r.stderr, `usage error without a hint line\n${where}`).toMatch(HINT_LINE);
}

async function checkJson(c: Case): Promise<void> {
  const argv = [...c.argv, '--json'];
  const r = await runCli(argv, { cwd: c.cwd ? badConfigCwd : cwd, env: c.env ?? {} });
  const where = `espflash ${JSON.stringify(argv)}\nexit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout}`;
  expect(r.code, where).toBe(c.exit);
  expect(hasStackTrace(r.stderr) || hasStackTrace(r.stdout), `stack trace printed\n${where}`).toBe(false);
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  const objects = lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`stdout line is not JSON: ${l}\n${where}`);
    }
  });
  const errors = objects.filter((o) => o.event === 'error');
  expect(errors.length, `expected exactly one JSON error object\n${where}`).toBe(1);
  const [e] = errors as [Record<string, unknown>];
  expect(String(e.code), where).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
  expect(typeof e.message === 'string' && e.message.trim() !== '', where).toBe(true);
  if (c.code) expect(e.code, where).toBe(c.code);
  if (c.exit === 2)
    expect(typeof e.hint === 'string' && e.hint.trim() !== '', `no hint\n${where}`).toBe(true);
}

describe('CLI audit: bad input never hurts', () => {
  it('covers every registered command', () => {
    const audited = new Set(CASES.map((c) => c.argv[0]));
    for (const def of commands)
      expect(audited.has(commandName(def.command)), commandName(def.command)).toBe(true);
  });

  // --json is checked on the first case of every (command, expected code) pair, to keep CPU down.
  const jsonChecked = new Set<string>();
  for (const c of CASES) {
    const key = `${c.argv[0]} ${c.code ?? `exit ${c.exit}`} ${c.cwd ?? ''} ${c.env ? 'env' : ''}`;
    const withJson = !jsonChecked.has(key);
    jsonChecked.add(key);
    it(`${withJson ? '[+json] ' : ''}espflash ${c.argv.map((a) => (a === '' ? "''" : a)).join(' ')} → exit ${c.exit}${c.code ? ` ${c.code}` : ''}`, {
      timeout: 15_000,
    }, async () => {
      await checkPlain(c);
      if (withJson) await checkJson(c);
    });
  }
});

describe('CLI audit: inputs that once crashed (exit 70 with a stack trace)', () => {
  it('espflash demo --dir <existing file> --port sim://esp32 → exit 2 usage/bad-dir', {
    timeout: 15_000,
  }, async () => {
    await checkPlain({ argv: ['demo', '--dir', 'empty.bin', ...SIM], exit: 2, code: 'usage/bad-dir' });
  });

  for (const cmd of ['board-info', 'erase-flash', 'reset']) {
    it(`espflash ${cmd} --port 'sim://esp%zz' → exit 2 sim/bad-url`, { timeout: 15_000 }, async () => {
      await checkPlain({ argv: [cmd, '--port', 'sim://esp%zz'], exit: 2, code: 'sim/bad-url' });
    });
  }
});

describe('CLI audit: checks that run before the device is touched', () => {
  it('read-flash into a missing folder fails with usage/cannot-write before connecting', {
    timeout: 15_000,
  }, async () => {
    // `silent` would make any connect attempt fail with connect/*: the usage error proves nothing was opened.
    await checkPlain({
      argv: ['read-flash', '0', '4k', 'no-such-dir/out.bin', '--port', 'sim://esp32?fault=silent'],
      exit: 2,
      code: 'usage/cannot-write',
    });
  });

  it('erase-parts with a --build-dir that does not exist names it', { timeout: 15_000 }, async () => {
    await checkPlain({
      argv: ['erase-parts', 'nvs', '--port', 'sim://esp32', '--build-dir', 'no-such-dir'],
      exit: 2,
      code: 'project/no-build-dir',
    });
  });
});
