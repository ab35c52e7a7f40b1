// Option builders shared by commands (project/build flags, device/connection flags) and the glue
// that turns parsed flags + env + config file into ResolvedOptions for a handler.

import type { Argv } from 'yargs';
import { readEnvOptions } from '../config/env.js';
import { loadConfig } from '../config/load-config.js';
import { type CliOptionValues, type ResolvedOptions, resolveOptions } from '../config/resolve-options.js';
import { resetModeLabels } from '../core/settings.js';
import { UsageError } from '../errors.js';
import type { PlanOverrides } from '../plan/derive-plan.js';
import type { CliContext } from './context.js';

/** Parsed flags of {@link addProjectOptions} (camelCase, as handlers get them). */
export interface ProjectArgs {
  chip?: string;
  buildDir?: string;
  project?: string;
  /** A path, or false for --no-config. */
  config?: string | false;
  flashMode?: string;
  flashFreq?: string;
  flashSize?: string;
  to?: string;
  only?: string;
}

/** Parsed flags of {@link addDeviceOptions}. */
export interface DeviceArgs {
  port?: string;
  chip?: string;
  baud?: string;
  before?: string;
  after?: string;
  stub?: boolean;
  stubVersion?: string;
  stubFile?: string;
  resetSequence?: string;
}

/** Parsed flags of {@link addCompressOptions}. */
export interface CompressArgs {
  compress?: boolean;
  /** esptool's -u: same as --no-compress. */
  u?: boolean;
}

/** --to / --only, as the plan deriver's region selection reads them. */
export type RegionArgs = { [K in 'to' | 'only']?: unknown };

/**
 * What the option resolver reads from parsed args. Values stay `unknown`: yargs turns a repeated
 * flag into an array, and the resolver checks each value once, here at the edge.
 */
export type CliArgs = { [K in keyof (ProjectArgs & DeviceArgs)]?: unknown };

/** idf.py's spellings of --project: `-C` and `--project-dir`. */
export const PROJECT_ALIASES: readonly string[] = ['C', 'project-dir'];

/** Flags that locate the build and override flash parameters: --build-dir/-B, --project/-C/--project-dir, --config, --chip, --flash-*, --to, --only. */
export function addProjectOptions<T>(y: Argv<T>): Argv<T & ProjectArgs> {
  return addChipOption(y as Argv)
    .option('build-dir', {
      alias: 'B',
      type: 'string',
      describe: 'ESP-IDF build directory (default: ./build or .) [env ESPFLASH_BUILD_DIR, config buildDir]',
    })
    .option('project', {
      alias: [...PROJECT_ALIASES],
      type: 'string',
      describe: 'ESP-IDF project directory; uses its build/ [env ESPFLASH_PROJECT, config project]',
    })
    .option('config', {
      type: 'string',
      describe:
        'Config file to use instead of searching for espflash.config.*; --no-config ignores config files [env ESPFLASH_CONFIG]',
    })
    .option('flash-mode', { type: 'string', describe: 'qio, qout, dio, dout or keep [config flash.mode]' })
    .option('flash-freq', { type: 'string', describe: 'e.g. 40m, 80m, or keep [config flash.freq]' })
    .option('flash-size', { type: 'string', describe: 'e.g. 4MB, 16MB, detect or keep [config flash.size]' })
    .option('to', { type: 'string', describe: 'Write only the app, into this app partition (label)' })
    .option('only', {
      type: 'string',
      describe: 'Comma-separated roles or partition labels to write (e.g. app,storage)',
    }) as unknown as Argv<T & ProjectArgs>;
}

/** --chip/-c, shared by both groups; defined once even when both groups are added. */
function addChipOption(y: Argv): Argv {
  const options = (y as unknown as { getOptions(): { string?: string[] } }).getOptions();
  const defined = options.string?.includes('chip') ?? false;
  if (defined) return y;
  return y.option('chip', {
    alias: 'c',
    type: 'string',
    describe: 'Target chip, e.g. esp32s3, or auto (default: from the build) [env ESPFLASH_CHIP]',
  });
}

/**
 * --port/-p: where the chip is (also `port` in the config, ESPFLASH_PORT, ESPPORT, ESPTOOL_PORT).
 * `flash` takes it several times (or `all`) for many boards at once; other commands take one.
 */
export function addPortOption<T>(y: Argv<T>): Argv<T & { port?: string }> {
  return (y as Argv).option('port', {
    alias: 'p',
    type: 'string',
    describe:
      'Serial port, socket://host:port, rfc2217://host:port or sim://<chip> [env ESPFLASH_PORT, ESPPORT, ESPTOOL_PORT]; flash: repeat it (or all) for many boards',
  }) as unknown as Argv<T & { port?: string }>;
}

/** The --port values as given: none, one, or several (`--port a --port b`). */
export function portFlags(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/**
 * Flags for talking to a device: --port, --baud, --chip, --before, --after, --no-stub, --stub-version,
 * --stub-file, --reset-sequence.
 */
/** `--max-parallel N`: with several --port, at most N boards at once (commands that take many boards). */
export function addMaxParallelOption<T>(y: Argv<T>) {
  return y.option('max-parallel', {
    type: 'number',
    describe: 'With several --port: at most this many boards at once (default: all)',
  });
}

export function addDeviceOptions<T>(y: Argv<T>): Argv<T & DeviceArgs> {
  return addPortOption(addChipOption(y as Argv))
    .option('baud', {
      alias: 'b',
      type: 'string',
      describe: 'Flashing baud rate [env ESPFLASH_BAUD, ESPBAUD, ESPTOOL_BAUD]',
    })
    .option('before', {
      type: 'string',
      describe: `Reset before connecting (default_reset spellings too) [env ESPFLASH_BEFORE] ${choicesText(resetModeLabels('before'))}`,
    })
    .option('after', {
      alias: 'a',
      type: 'string',
      describe: `Reset afterwards (hard_reset spellings too) [env ESPFLASH_AFTER] ${choicesText(resetModeLabels('after'))}`,
    })
    .option('stub', {
      type: 'boolean',
      describe: 'Use the flasher stub; --no-stub talks to the ROM loader [env ESPFLASH_NO_STUB]',
    })
    .option('stub-version', {
      type: 'string',
      describe:
        'Stub set as esptool v5 numbers them: 2 = esp-flasher-stub (shipped, default), 1 = legacy [config stub.version]',
    })
    .option('stub-file', {
      type: 'string',
      describe: "A flasher stub of your own, in esptool's stub JSON format [config stub.file]",
    })
    .option('reset-sequence', {
      type: 'string',
      describe: "Custom reset, e.g. 'D0|R1|W100|D1|R0|W50|D0' [config reset.sequence]",
    }) as unknown as Argv<T & DeviceArgs>;
}

/**
 * yargs's own `[choices: "a", "b"]` text, written into the description: yargs's `choices` would also
 * validate before the value is normalised (refusing `hard_reset`) and with a generic error code.
 */
function choicesText(values: readonly string[]): string {
  return `[choices: ${values.map((v) => `"${v}"`).join(', ')}]`;
}

/** --compress / --no-compress (-u, as esptool): how writes go over the wire. */
export function addCompressOptions<T>(y: Argv<T>): Argv<T & CompressArgs> {
  return (y as Argv)
    .option('compress', {
      type: 'boolean',
      describe:
        'Deflate the data on the wire (default with the stub); --no-compress or -u sends it plain; --compress --no-stub has the ROM inflate',
    })
    .option('u', {
      type: 'boolean',
      hidden: true,
      describe: 'Same as --no-compress (esptool -u)',
    }) as unknown as Argv<T & CompressArgs>;
}

/** The write-compression choice from --compress/--no-compress/-u; undefined: the loader's default. */
export function compressChoice(args: CompressArgs): { compress?: boolean } {
  if (args.u) return { compress: false };
  return args.compress === undefined ? {} : { compress: args.compress };
}

/**
 * Pick the option values a user actually gave from parsed yargs `args` (absent flags stay undefined).
 * Throws `usage/invalid-value` for a `--baud` that is not a whole number.
 */
export function cliOptionValues(args: CliArgs): CliOptionValues {
  const out: CliOptionValues = {};
  const str = (key: keyof CliOptionValues, value: unknown) => {
    if (typeof value === 'string') (out as Record<string, unknown>)[key] = value;
  };
  const ports = portFlags(args.port);
  if (ports.length > 1 || ports[0] === 'all') {
    throw new UsageError('boards/one-port-only', `this command takes one --port, not ${ports.join(', ')}`, {
      hint: 'give --port once; flash, run, board-info, erase-flash, erase-region, erase-parts and write-bin take it several times (or --port all)',
    });
  }
  str('port', ports[0]);
  str('chip', args.chip);
  str('buildDir', args.buildDir);
  str('project', args.project);
  str('flashMode', args.flashMode);
  str('flashFreq', args.flashFreq);
  str('flashSize', args.flashSize);
  str('before', args.before);
  str('after', args.after);
  str('resetSequence', args.resetSequence);
  str('stubVersion', args.stubVersion);
  str('stubFile', args.stubFile);
  if (args.baud !== undefined) out.baud = parseBaudFlag(args.baud);
  if (typeof args.stub === 'boolean') out.stub = args.stub;
  return out;
}

/** `--to` / `--only` from parsed args, for the plan deriver. */
export function regionSelection(args: RegionArgs): { to?: string; only?: string[] } {
  let only: string[] | undefined;
  if (typeof args.only === 'string') {
    only = args.only
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    // An empty list would select nothing; treating it as "everything" would write regions not asked for.
    if (only.length === 0) {
      throw new UsageError('usage/invalid-value', `--only '${args.only}' names no region`, {
        hint: 'Pass --only with roles or partition labels, e.g. --only app or --only app,storage (or leave it out to write every region).',
        details: { flag: '--only', value: args.only },
      });
    }
  }
  return {
    ...(typeof args.to === 'string' ? { to: args.to } : {}),
    ...(only ? { only } : {}),
  };
}

/**
 * Load the config (`--config`, else `ESPFLASH_CONFIG`, else a search upward from the working
 * directory; `--no-config` skips it) and resolve every option with CLI > env > config precedence.
 */
export async function resolveCliOptions(
  args: CliArgs,
  ctx: CliContext,
  options: { manyPorts?: boolean } = {},
): Promise<ResolvedOptions> {
  const resolved = await resolveAll(args, ctx);
  if (resolved.ports && !options.manyPorts) {
    throw new UsageError(
      'boards/one-port-only',
      `this command takes one port, not ${resolved.ports.value.join(', ')}`,
      {
        hint: `pass --port <one of them> (the list comes from ${resolved.ports.source.detail ?? 'the config'}); flash, run, board-info, erase-flash, erase-region, erase-parts and write-bin take several`,
      },
    );
  }
  return resolved;
}

async function resolveAll(args: CliArgs, ctx: CliContext): Promise<ResolvedOptions> {
  const env = ctx.io.env;
  const cli = cliOptionValues(args);
  if (args.config === false) {
    ctx.logger.debug('config: skipped (--no-config)');
    return resolveOptions({ cli, env, config: null, cwd: ctx.io.cwd });
  }
  const flag = typeof args.config === 'string' ? args.config : undefined;
  const configPath = flag ?? readEnvOptions(env).config?.value;
  const config = await loadConfig({ cwd: ctx.io.cwd, ...(configPath === undefined ? {} : { configPath }) });
  ctx.logger.debug(config ? `config: ${config.filepath}` : 'config: none found');
  return resolveOptions({ cli, env, config, cwd: ctx.io.cwd });
}

/** The plan deriver's overrides from resolved options plus `--to`/`--only`. */
export function planOverrides(resolved: ResolvedOptions, args: RegionArgs): PlanOverrides {
  const out: PlanOverrides = { ...regionSelection(args) };
  const keys = ['chip', 'flashMode', 'flashFreq', 'flashSize', 'before', 'after', 'stub'] as const;
  for (const key of keys) {
    const value = resolved[key];
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** The baud range the config accepts (schema `baud`); the flag gets the same check. */
const MAX_BAUD = 20_000_000;

function parseBaudFlag(value: unknown): number {
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 300 && n <= MAX_BAUD;
  if (typeof value === 'number' && ok(value)) return value;
  const text = String(Array.isArray(value) ? value[value.length - 1] : value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (ok(n)) return n;
  throw new UsageError(
    'usage/invalid-value',
    `--baud '${text}' is not a baud rate (expected a whole number from 300 to ${MAX_BAUD}, like 460800)`,
    {
      hint: 'Pass --baud with a number such as 115200, 460800 or 921600.',
      details: { flag: '--baud', value: text },
    },
  );
}
