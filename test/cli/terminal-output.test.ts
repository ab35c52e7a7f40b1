// Terminal conventions of the CLI: colour decided per stream from --color/--no-color, FORCE_COLOR,
// NO_COLOR (non-empty only), TERM=dumb and the stream; progress bars and the watch status line fit
// the terminal width and are drawn only when stderr (where they go) is a terminal.

import { describe, expect, it } from 'vitest';
import { decideColor, painter } from '../../src/cli/color.js';
import { createContext } from '../../src/cli/context.js';
import type { CliIo } from '../../src/cli/io.js';
import { renderError } from '../../src/cli/render-error.js';
import { createReporter } from '../../src/cli/reporter/reporter.js';
import { renderBar } from '../../src/cli/reporter/tty-reporter.js';
import { createWatchRenderer } from '../../src/cli/watch/watch-render.js';
import { UsageError } from '../../src/errors.js';
import type { FlashEvent } from '../../src/events.js';
import { captureIo } from '../support/capture-io.js';
import { runCli } from '../support/cli.js';

const ESC = '\x1b[';
/** A terminal stream that shows colours unless Node's own rules say otherwise. */
const colourTty = { isTTY: true, hasColors: (_n?: number, env?: object) => !('NO_COLOR' in (env ?? {})) };

describe('decideColor', () => {
  const cases: Array<[string, boolean | undefined, Record<string, string>, { isTTY?: boolean }, boolean]> = [
    ['a colour terminal', undefined, {}, colourTty, true],
    ['not a terminal', undefined, {}, { isTTY: false }, false],
    ['NO_COLOR=1', undefined, { NO_COLOR: '1' }, colourTty, false],
    ['NO_COLOR= (empty) is not set', undefined, { NO_COLOR: '' }, colourTty, true],
    ['TERM=dumb', undefined, { TERM: 'dumb' }, colourTty, false],
    ['FORCE_COLOR=1 on a pipe', undefined, { FORCE_COLOR: '1' }, { isTTY: false }, true],
    ['FORCE_COLOR=true', undefined, { FORCE_COLOR: 'true' }, { isTTY: false }, true],
    ['FORCE_COLOR=3', undefined, { FORCE_COLOR: '3' }, { isTTY: false }, true],
    ['FORCE_COLOR=0 on a terminal', undefined, { FORCE_COLOR: '0' }, colourTty, false],
    ['FORCE_COLOR=false', undefined, { FORCE_COLOR: 'false' }, colourTty, false],
    ['FORCE_COLOR=1 beats NO_COLOR', undefined, { FORCE_COLOR: '1', NO_COLOR: '1' }, { isTTY: false }, true],
    ['--color on a pipe', true, {}, { isTTY: false }, true],
    ['--color beats NO_COLOR', true, { NO_COLOR: '1' }, { isTTY: false }, true],
    ['--no-color beats FORCE_COLOR', false, { FORCE_COLOR: '1' }, colourTty, false],
    ['a terminal without colours', undefined, {}, { isTTY: true, hasColors: () => false } as never, false],
  ];
  it.each(cases)('%s', (_name, flag, env, stream, expected) => {
    expect(decideColor({ flag, env, stream })).toBe(expected);
  });

  it('hands Node the environment without an empty NO_COLOR', () => {
    let seen: object | undefined;
    decideColor({
      flag: undefined,
      env: { NO_COLOR: '', TERM: 'xterm' },
      stream: {
        isTTY: true,
        hasColors: (_n, env) => {
          seen = env;
          return true;
        },
      },
    });
    expect(seen).toEqual({ TERM: 'xterm' });
  });

  it('painter styles only when enabled', () => {
    expect(painter(true)('red', 'x')).toBe('\x1b[31mx\x1b[39m');
    expect(painter(true)('dim', 'x')).toBe('\x1b[2mx\x1b[22m');
    expect(painter(false)('red', 'x')).toBe('x');
  });
});

describe('colour reaches every output', () => {
  it('--color colours error output on a pipe; --no-color and NO_COLOR=1 do not', async () => {
    const args = ['erase-region', '0x1001', '4k', '--port', 'sim://esp32'];
    const coloured = await runCli([...args, '--color']);
    expect(coloured.code).toBe(2);
    expect(coloured.stderr).toContain(ESC);
    expect((await runCli([...args, '--no-color'])).stderr).not.toContain(ESC);
    expect((await runCli(args, { env: { NO_COLOR: '1' } })).stderr).not.toContain(ESC);
    expect((await runCli(args, { env: { FORCE_COLOR: '1' } })).stderr).toContain(ESC);
  });

  it('errors are coloured by stderr, not stdout', () => {
    let err = '';
    const io: CliIo = {
      stdout: () => {},
      stderr: (t) => {
        err += t;
      },
      env: {},
      cwd: '/',
      isTTY: false,
    };
    renderError(new UsageError('usage/invalid-value', 'bad'), {
      io,
      json: false,
      verbose: false,
      color: false,
      stderrColor: true,
    });
    expect(err).toContain('\x1b[31merror\x1b[39m');
  });

  it('help shows no [default: false] for --color', async () => {
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/--color/);
    expect(top.stdout).not.toMatch(/--color[^\n]*\n?[^\n]*default: false/);
    const sub = await runCli(['plan', '--help']);
    const colorLine = sub.stdout.split('\n').findIndex((l) => l.includes('--color'));
    expect(colorLine).toBeGreaterThanOrEqual(0);
    expect(
      sub.stdout
        .split('\n')
        .slice(colorLine, colorLine + 2)
        .join('\n'),
    ).not.toContain('default: false');
  });
});

const events: FlashEvent[] = [
  { type: 'connected', chip: 'esp32', baud: 115200, stub: true },
  {
    type: 'region-start',
    index: 0,
    offset: 0x10000,
    size: 1 << 20,
    label: 'a-rather-long-partition-label',
    role: 'app',
  },
  { type: 'region-progress', index: 0, offset: 0x10000, written: 1 << 19, total: 1 << 20 },
  { type: 'region-verified', index: 0, offset: 0x10000, md5: 'ab'.repeat(16), bytesWritten: 1 << 20 },
  { type: 'region-start', index: 1, offset: 0x8000, size: 3072, label: null, role: 'partition-table' },
  { type: 'region-skipped', index: 1, offset: 0x8000, reason: 'md5-match' },
  { type: 'read-progress', offset: 0, read: 1024, total: 4096 },
];

const fakeIo = captureIo;

/** The visible lines of redrawn output: escape sequences removed, split at newlines and carriage returns. */
function visibleLines(text: string): string[] {
  return text.replace(new RegExp(`${ESC.replace('[', '\\[')}[0-9;]*[A-Za-z]`, 'g'), '').split(/[\r\n]/);
}

describe('progress bars', () => {
  it.each([40, 60, 80, 100, 160])('fit a %i-column terminal', (columns) => {
    for (const state of ['writing', 'verified', 'skipped'] as const) {
      for (const total of [100, 3072, 1 << 20, 16 << 20]) {
        const line = renderBar(
          { name: 'a-rather-long-partition-label @ 0x10000', done: total / 2, total, state },
          columns - 1,
        );
        expect(line.length, line).toBeLessThanOrEqual(columns - 1);
      }
    }
  });

  it.each([50, 80, 132])('the TTY reporter never draws a line wider than a %i-column stderr', (columns) => {
    const { io, out } = fakeIo({ stdoutTTY: false, stderrTTY: true, columns });
    const r = createReporter(createContext(io, { json: false, verbose: false }));
    for (const e of events) r.onEvent(e);
    expect(out.stderr).toContain(ESC);
    for (const line of visibleLines(out.stderr)) expect(line.length, line).toBeLessThan(columns);
  });

  it('80 columns when the width is unknown', () => {
    const { io, out } = fakeIo({ stdoutTTY: false, stderrTTY: true });
    const r = createReporter(createContext(io, { json: false, verbose: false }));
    for (const e of events) r.onEvent(e);
    for (const line of visibleLines(out.stderr)) expect(line.length).toBeLessThan(80);
  });

  it('stderr redirected to a file (stdout a terminal): plain lines, no cursor escapes', () => {
    const { io, out } = fakeIo({ stdoutTTY: true, stderrTTY: false, columns: 80 });
    const r = createReporter(createContext(io, { json: false, verbose: false }));
    for (const e of events) r.onEvent(e);
    expect(out.stderr).not.toContain('\x1b');
    expect(out.stderr).toContain('Writing a-rather-long-partition-label @ 0x10000 (1.0 MiB)');
  });

  it('stdout redirected (stderr a terminal): bars are drawn', () => {
    const { io, out } = fakeIo({ stdoutTTY: false, stderrTTY: true, columns: 80 });
    const r = createReporter(createContext(io, { json: false, verbose: false }));
    for (const e of events) r.onEvent(e);
    expect(out.stderr).toContain('\x1b[1A');
  });
});

describe('watch status line', () => {
  it.each([30, 50, 80])('is cut to a %i-column terminal', (columns) => {
    const { io, out } = captureIo({ stdoutTTY: false, stderrTTY: true });
    const r = createWatchRenderer({
      stdout: io.stdout,
      stderr: io.stderr,
      tty: true,
      width: () => columns - 1,
      color: false,
      json: false,
      cwd: '/p',
    });
    r.onEvent({
      type: 'status',
      building: false,
      flashing: true,
      monitor: true,
      last: { buildMs: 12_300, flashMs: 2100, verifyMs: 300, bytesWritten: 1 << 20 },
    });
    const lines = visibleLines(out.stderr).filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length, line).toBeLessThan(columns);
    expect(lines.at(-1)).toMatch(/^\[watch\] flashing/);
  });
});
