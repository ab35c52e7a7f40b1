// The error-code table against the source: every code thrown is in it, every row is thrown somewhere,
// UsageError codes exit 2, and errorKind / exitStatus / renderError follow the table.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/cli/render-error.js';
import { OP, OPCODES } from '../../src/core/protocol/opcodes.js';
import { statusError } from '../../src/core/protocol/rom-errors.js';
import { commandTimeout, resyncTimeout, timeoutCode } from '../../src/core/session/session-errors.js';
import {
  ERROR_CODES,
  type ErrorCode,
  EspflashError,
  errorKind,
  exitStatus,
  isErrorCode,
  isPortGone,
  UsageError,
} from '../../src/errors.js';

const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [{ file: relative(SRC, path), text: readFileSync(path, 'utf8') }] : [];
  });
}

const files = sources(SRC).filter((f) => f.file !== 'error-codes.ts');

/** `new EspflashError('a/b'` and `new UsageError('a/b'` (also across a line break), by class. */
function constructed(): Map<string, Set<'EspflashError' | 'UsageError'>> {
  const found = new Map<string, Set<'EspflashError' | 'UsageError'>>();
  for (const { text } of files) {
    for (const m of text.matchAll(/new (EspflashError|UsageError)\(\s*'([^']+)'/g)) {
      const set = found.get(m[2]!) ?? new Set();
      set.add(m[1] as 'EspflashError' | 'UsageError');
      found.set(m[2]!, set);
    }
  }
  return found;
}

/** Every single-quoted string literal in src (outside the table). */
const literals = new Set(
  files.flatMap(({ text }) => [...text.matchAll(/'([a-z0-9/-]+)'/g)].map((m) => m[1]!)),
);

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('the error-code table', () => {
  it('holds every code a constructor in src/ is given', () => {
    const found = constructed();
    expect(found.size).toBeGreaterThan(100);
    const missing = [...found.keys()].filter((c) => !isErrorCode(c));
    expect(missing).toEqual([]);
  });

  it('holds every ROM reason and stub status of the status tables', () => {
    const rom = files.find((f) => f.file === join('core', 'protocol', 'rom-errors.ts'))!.text;
    const tableCodes = [...rom.matchAll(/code: '([^']+)'/g)].map((m) => m[1]!);
    expect(tableCodes.length).toBeGreaterThan(30);
    expect(tableCodes.filter((c) => !isErrorCode(c))).toEqual([]);
    // Each status byte maps to its row: ROM 0x01 0x07 is rom/bad-crc, stub 0xC1 is stub/bad-data-checksum.
    expect(statusError({ op: OP.FLASH_DATA, byte0: 1, byte1: 7 }).code).toBe('rom/bad-crc');
    expect(statusError({ op: OP.FLASH_DATA, byte0: 0xc1, byte1: 0 }).code).toBe('stub/bad-data-checksum');
    expect(statusError({ op: OP.FLASH_DATA, byte0: 0xcc, byte1: 0 }).code).toBe('rom/unknown-status');
  });

  it('has one timeout/<command> row per opcode, and timeoutCode maps unknown bytes to one row', () => {
    const fromOpcodes = Object.values(OPCODES).map((s) => timeoutCode(s.byte));
    expect(fromOpcodes.every((c) => c !== 'timeout/unknown-command')).toBe(true);
    expect(timeoutCode(0x42)).toBe('timeout/unknown-command');
    const rows = codes.filter((c) => c.startsWith('timeout/'));
    expect(new Set(rows)).toEqual(new Set([...fromOpcodes, 'timeout/unknown-command', 'timeout/read-frame']));
    expect(commandTimeout(OP.SPI_FLASH_MD5, 8000).code).toBe('timeout/spi-flash-md5');
  });

  it('has no row that nothing throws', () => {
    // A row is used when src/ names it, when it is a partition reason the partition modules name
    // (`partition/${reason}`), or when it is a timeout/<command> code (timeoutCode builds those).
    const used = (c: ErrorCode) =>
      literals.has(c) ||
      (c.startsWith('partition/') && literals.has(c.slice('partition/'.length))) ||
      c.startsWith('timeout/');
    expect(codes.filter((c) => !used(c))).toEqual([]);
  });

  it('gives UsageError codes exit 2 and kind final, and other codes exit 1 or 130', () => {
    for (const [code, classes] of constructed()) {
      if (!isErrorCode(code)) continue;
      const row = ERROR_CODES[code];
      if (classes.has('UsageError')) expect(row.kind, code).toBe('final');
      if (classes.size === 1 && classes.has('UsageError')) expect(row.exit, code).toBe(2);
      if (classes.size === 1 && classes.has('EspflashError')) expect(row.exit, code).not.toBe(2);
    }
  });

  it('keeps codes lower-case and namespaced', () => {
    for (const c of codes) expect(c).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe('errorKind', () => {
  const err = (code: ErrorCode, cause?: unknown) =>
    new EspflashError(code, code, cause === undefined ? {} : { cause });

  it('calls a gone port, transport or sim chip link-lost', () => {
    for (const c of ['transport/closed', 'port/disconnected', 'port/write-failed', 'sim/closed'] as const) {
      expect(errorKind(err(c)), c).toBe('link-lost');
      expect(isPortGone(err(c)), c).toBe(true);
    }
  });

  it('calls a timeout transient, and link-lost when the resync SYNC after it timed out too', () => {
    expect(errorKind(err('timeout/flash-defl-data'))).toBe('transient');
    const silent = resyncTimeout({ op: OP.FLASH_DEFL_DATA, timeoutMs: 100, cause: err('timeout/sync') });
    expect(errorKind(silent)).toBe('link-lost');
    // The loader is silent but the port is there: reset and sync over it, no reopen.
    expect(isPortGone(silent)).toBe(false);
    expect(errorKind(err('timeout/flash-defl-data', new Error('other')))).toBe('transient');
  });

  it('calls link damage and flash failures transient', () => {
    for (const c of [
      'rom/bad-crc',
      'rom/invalid-message',
      'stub/bad-data-checksum',
      'stub/inflate',
      'protocol/short-response',
      'flash/read-md5-mismatch',
      'connect/unknown-chip',
      'rom/flash-write',
      'stub/spi-failed',
    ] as const) {
      expect(errorKind(err(c)), c).toBe('transient');
    }
    expect(errorKind(statusError({ op: OP.FLASH_DEFL_DATA, byte0: 1, byte1: 0x0b }))).toBe('transient');
  });

  it('calls diagnoses, verdicts, unsupported commands, usage errors and bugs final', () => {
    for (const c of [
      'connect/no-sync',
      'connect/wrong-boot-mode',
      'stub/no-ohai',
      'rom/unsupported-command',
      'stub/not-implemented',
      'flash/read-blocked',
      'flash/write-failed',
      'flash/connection-lost',
      'port/not-found',
      'cli/interrupted',
    ] as const) {
      expect(errorKind(err(c)), c).toBe('final');
      expect(isPortGone(err(c)), c).toBe(false);
    }
    expect(errorKind(new UsageError('plan/overlap', 'x'))).toBe('final');
    expect(errorKind(new Error('bug'))).toBe('final');
    expect(errorKind('transport/closed')).toBe('final');
    expect(errorKind({ code: 'transport/closed' })).toBe('final');
  });
});

describe('exit status', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      ctx: {
        io: {
          stdout: (t: string) => {
            out.stdout += t;
          },
          stderr: (t: string) => {
            out.stderr += t;
          },
        },
        json: false,
        verbose: false,
        color: false,
      } as unknown as Parameters<typeof renderError>[1],
    };
  };

  it('comes from the table: Ctrl+C 130, usage 2, failures 1, bugs 70', () => {
    expect(exitStatus(new EspflashError('cli/interrupted', 'Interrupted'))).toBe(130);
    expect(exitStatus(new EspflashError('build/cancelled', 'cancelled'))).toBe(130);
    expect(exitStatus(new UsageError('plan/overlap', 'x'))).toBe(2);
    expect(exitStatus(new EspflashError('flash/write-failed', 'x'))).toBe(1);
    // A UsageError exits 2 even with a code whose EspflashError form exits 1.
    expect(exitStatus(new UsageError('flash/md5-unsupported', 'x'))).toBe(2);
    expect(exitStatus(new Error('bug'))).toBe(70);
  });

  it('is what the CLI renderer returns, and a bug names where to report it', () => {
    const a = io();
    expect(renderError(new EspflashError('cli/interrupted', 'Interrupted (Ctrl-C)'), a.ctx)).toBe(130);
    expect(a.out.stderr).toContain('cli/interrupted');
    // The table's default hint fills in when the thrower gives none.
    expect(a.out.stderr).toContain(`hint: ${ERROR_CODES['cli/interrupted'].hint}`);
    const b = io();
    expect(renderError(new UsageError('usage/invalid-args', 'bad'), b.ctx)).toBe(2);
    const c = io();
    expect(renderError(new TypeError('oops'), c.ctx)).toBe(70);
    const pkg = JSON.parse(readFileSync(join(SRC, '../package.json'), 'utf8')) as { bugs: { url: string } };
    expect(c.out.stderr).toContain(`Please report it at ${pkg.bugs.url}`);
  });

  it('keeps a hint the thrower gives over the default', () => {
    const e = new EspflashError('cli/interrupted', 'x', { hint: 'mine' });
    expect(e.hint).toBe('mine');
    expect(new EspflashError('flash/write-failed', 'x').hint).toBeUndefined();
  });
});
