// The CLI side of "several boards": the question is asked only in a terminal (stdin and stderr TTYs,
// CI unset, no --json); it lists the boards on stderr, reads a number from stdin (retrying a wrong
// one), and gives up (null) at end of input or after three wrong answers; Ctrl+C aborts it.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/context.js';
import { canPrompt, createStdinPortPrompt, renderPortChoices } from '../../src/cli/flows/port-prompt.js';
import type { CliIo } from '../../src/cli/io.js';
import type { PortInfo } from '../../src/node/port-list.js';

const boards: PortInfo[] = [
  { path: '/dev/ttyUSB0', kind: 'usb-uart', likelyEspressif: true, description: 'CP210x USB-UART bridge' },
  {
    path: '/dev/ttyACM1',
    kind: 'usb-jtag-serial',
    likelyEspressif: true,
    description: 'Espressif USB-Serial/JTAG',
  },
];

function tty(): PassThrough & { isTTY: boolean } {
  return Object.assign(new PassThrough(), { isTTY: true });
}

function io(overrides: Partial<CliIo> = {}): { io: CliIo; stderr: () => string } {
  let stderr = '';
  return {
    io: {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      env: {},
      cwd: '/work/p',
      isTTY: true,
      stderrTTY: true,
      stdin: tty(),
      ...overrides,
    },
    stderr: () => stderr,
  };
}

describe('canPrompt', () => {
  const ctx = (o: Partial<CliIo>, json = false) =>
    createContext(io(o).io, { json, verbose: false, color: false });

  it('asks only with stdin and stderr on a terminal, outside CI, without --json', () => {
    expect(canPrompt(ctx({}))).toBe(true);
    expect(canPrompt(ctx({ env: { CI: 'true' } }))).toBe(false);
    expect(canPrompt(ctx({ env: { CI: '1' } }))).toBe(false);
    expect(canPrompt(ctx({ env: { CI: '' } }))).toBe(true);
    expect(canPrompt(ctx({ stderrTTY: false }))).toBe(false);
    expect(canPrompt(ctx({ stdin: new PassThrough() }))).toBe(false);
    expect(canPrompt(ctx({}, true))).toBe(false);
  });
});

describe('the port question', () => {
  it('lists the boards numbered on stderr and returns the one whose number is typed', async () => {
    const { io: cli, stderr } = io();
    const answer = createStdinPortPrompt(cli)(boards, {});
    (cli.stdin as PassThrough).write('2\n');
    expect(await answer).toBe(boards[1]);
    expect(stderr()).toBe(`${renderPortChoices(boards)}Which one? [1-2] `);
    expect(stderr()).toContain('  1) /dev/ttyUSB0  CP210x USB-UART bridge');
    expect(stderr()).toContain('  2) /dev/ttyACM1  Espressif USB-Serial/JTAG');
  });

  it('asks again after a wrong answer and gives up after three', async () => {
    const { io: cli, stderr } = io();
    const stdin = cli.stdin as PassThrough;
    const retried = createStdinPortPrompt(cli)(boards, {});
    stdin.write('7\nx\n1\n');
    expect(await retried).toBe(boards[0]);
    expect(stderr().match(/Type a number from 1 to 2/g)).toHaveLength(2);

    const gaveUp = createStdinPortPrompt(cli)(boards, {});
    stdin.write('0\n9\n\n');
    expect(await gaveUp).toBeNull();
  });

  it('end of input is no answer; an abort rejects with its reason', async () => {
    const { io: cli } = io();
    const ended = createStdinPortPrompt(cli)(boards, {});
    (cli.stdin as PassThrough).end();
    expect(await ended).toBeNull();

    const { io: other } = io();
    const controller = new AbortController();
    const aborted = createStdinPortPrompt(other)(boards, { signal: controller.signal });
    controller.abort(new Error('interrupted'));
    await expect(aborted).rejects.toThrow('interrupted');
  });
});
