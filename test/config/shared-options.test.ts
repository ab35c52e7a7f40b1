import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { createContext } from '../../src/cli/context.js';
import type { CliIo } from '../../src/cli/io.js';
import {
  addDeviceOptions,
  addProjectOptions,
  cliOptionValues,
  planOverrides,
  regionSelection,
  resolveCliOptions,
} from '../../src/cli/shared-options.js';
import { EspflashError } from '../../src/errors.js';
import { tempProject } from './temp-project.js';

async function parse(argv: string[]): Promise<Record<string, unknown>> {
  const parser = addDeviceOptions(addProjectOptions(yargs()))
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    });
  return (await parser.parseAsync(argv)) as Record<string, unknown>;
}

function ctxFor(cwd: string, env: Record<string, string> = {}) {
  let stderr = '';
  const io: CliIo = {
    stdout: () => {},
    stderr: (t) => {
      stderr += t;
    },
    env,
    cwd,
    isTTY: false,
  };
  return { ctx: createContext(io, { json: false, verbose: true, color: false }), stderr: () => stderr };
}

describe('shared CLI options', () => {
  it('leaves absent flags undefined (no stub default) and maps given ones', async () => {
    expect(cliOptionValues(await parse([]))).toEqual({});
    expect(cliOptionValues(await parse(['--no-stub']))).toEqual({ stub: false });
    expect(cliOptionValues(await parse(['--stub']))).toEqual({ stub: true });
    const all = await parse([
      ...['-p', 'COM3', '-b', '921600', '-c', 'esp32c3', '--build-dir', 'b', '--project', 'p'],
      ...['--flash-mode', 'dio', '--flash-freq', '80m', '--flash-size', '4MB', '--before', 'no_reset'],
      ...['--after', 'no_reset', '--reset-sequence', 'D0|R1', '--to', 'ota_0', '--config', 'x.ts'],
    ]);
    expect(cliOptionValues(all)).toEqual({
      port: 'COM3',
      baud: 921600,
      chip: 'esp32c3',
      buildDir: 'b',
      project: 'p',
      flashMode: 'dio',
      flashFreq: '80m',
      flashSize: '4MB',
      before: 'no_reset',
      after: 'no_reset',
      resetSequence: 'D0|R1',
    });
    expect(regionSelection(all)).toEqual({ to: 'ota_0' });
    expect(regionSelection(await parse(['--only', 'app, storage,']))).toEqual({ only: ['app', 'storage'] });
  });

  it("takes idf.py's -C/--project-dir and -B as --project and --build-dir", async () => {
    expect(cliOptionValues(await parse(['-C', 'fw', '-B', 'out']))).toEqual({
      project: 'fw',
      buildDir: 'out',
    });
    expect(cliOptionValues(await parse(['--project-dir', 'fw2']))).toEqual({ project: 'fw2' });
    // -B is not -b: both in one command line keep their meanings.
    expect(cliOptionValues(await parse(['-B', 'out', '-b', '921600']))).toEqual({
      buildDir: 'out',
      baud: 921600,
    });
  });

  it('rejects a non-numeric --baud as usage/invalid-value', async () => {
    const args = await parse(['--baud', 'fast']);
    const err = (() => {
      try {
        return cliOptionValues(args);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('usage/invalid-value');
    expect((err as EspflashError).message).toContain("--baud 'fast'");
  });
});

describe('resolveCliOptions', () => {
  it('searches for the config from cwd and applies CLI > env > config', async () => {
    const root = tempProject({
      'espflash.config.json': '{ "port": "cfg", "baud": 115200, "chip": "esp32", "buildDir": "out" }',
    });
    const { ctx, stderr } = ctxFor(join(root), { ESPBAUD: '460800' });
    const r = await resolveCliOptions(await parse(['--chip', 'esp32s2']), ctx);
    expect(r.configFile).toBe(join(root, 'espflash.config.json'));
    expect(r.port?.source.kind).toBe('config');
    expect(r.baud).toEqual({ value: 460800, source: { kind: 'env', detail: 'ESPBAUD' } });
    expect(r.chip).toEqual({ value: 'esp32s2', source: { kind: 'cli', detail: '--chip' } });
    expect(r.buildDir?.value).toBe(join(root, 'out'));
    expect(stderr()).toContain(`config: ${join(root, 'espflash.config.json')}`);
  });

  it('--config beats ESPFLASH_CONFIG, which beats the search', async () => {
    const root = tempProject({
      'espflash.config.json': '{ "port": "searched" }',
      'a.json': '{ "port": "from-env-file" }',
      'b.json': '{ "port": "from-flag-file" }',
    });
    const { ctx } = ctxFor(root, { ESPFLASH_CONFIG: 'a.json' });
    expect((await resolveCliOptions(await parse([]), ctx)).port?.value).toBe('from-env-file');
    expect((await resolveCliOptions(await parse(['--config', 'b.json']), ctx)).port?.value).toBe(
      'from-flag-file',
    );
    const plain = ctxFor(root).ctx;
    expect((await resolveCliOptions(await parse([]), plain)).port?.value).toBe('searched');
  });

  it('--no-config ignores config files, even a broken one', async () => {
    const root = tempProject({ 'espflash.config.json': '{ "port": ' });
    const { ctx, stderr } = ctxFor(root, { ESPFLASH_CONFIG: 'missing.json' });
    const r = await resolveCliOptions(await parse(['--no-config', '-c', 'esp32']), ctx);
    expect(r.configFile).toBeNull();
    expect(r.chip?.value).toBe('esp32');
    expect(stderr()).toContain('--no-config');
    await expect(resolveCliOptions(await parse([]), ctxFor(root).ctx)).rejects.toMatchObject({
      code: 'config/load-failed',
    });
  });

  it('turns resolved options into plan overrides with --to/--only', async () => {
    const root = tempProject({ 'espflash.config.json': '{ "flash": { "mode": "dio" }, "port": "COM1" }' });
    const args = await parse(['--no-stub', '--only', 'app']);
    const overrides = planOverrides(await resolveCliOptions(args, ctxFor(root).ctx), args);
    expect(overrides).toEqual({
      only: ['app'],
      flashMode: {
        value: 'dio',
        source: { kind: 'config', detail: `${join(root, 'espflash.config.json')}: flash.mode` },
      },
      stub: { value: false, source: { kind: 'cli', detail: '--no-stub' } },
    });
  });

  it('works with no config file at all', async () => {
    const root = tempProject();
    const r = await resolveCliOptions(await parse(['-p', 'COM1']), ctxFor(root).ctx);
    expect(r.configFile).toBeNull();
    expect(r.port?.value).toBe('COM1');
  });
});
