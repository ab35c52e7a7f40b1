// Merges command-line flags, environment variables and the config file (in that precedence) into
// one set of options, each value with its source; normalises spellings and resolves paths.
// Build-output values and defaults come later, in the plan deriver.

import { dirname, resolve } from 'node:path';
import { CHIP_NAMES, type ChipName, parseChipName } from '../chips/chips.js';
import {
  type AfterReset,
  type BeforeReset,
  FLASH_MODES,
  type FlashMode,
  isFixedFlashSize,
  parseAfterReset,
  parseBeforeReset,
  resetModeLabel,
  resetModeLabels,
} from '../core/settings.js';
import { UsageError } from '../errors.js';
import { describeSource, type Source, type Sourced } from '../provenance.js';
import type { TasksConfig } from '../tasks/task-types.js';
import { splitCommandLine } from './command-line.js';
import { readEnvOptions } from './env.js';
import type { LoadedConfig } from './load-config.js';
import { isResetSequence, validateConfig } from './validate-config.js';

/** Option values parsed from the command line (absent flags stay undefined). */
export interface CliOptionValues {
  port?: string;
  baud?: number;
  chip?: string;
  buildDir?: string;
  project?: string;
  flashMode?: string;
  flashFreq?: string;
  flashSize?: string;
  before?: string;
  after?: string;
  stub?: boolean;
  /** `--stub-version` as given (checked here: 1 or 2). */
  stubVersion?: string | number;
  stubFile?: string;
  resetSequence?: string;
}

/** Every option after precedence, with its source. Paths are absolute. */
export interface ResolvedOptions {
  port?: Sourced<string>;
  /** Several boards: the config's `port` list (set instead of `port`; only `flash` takes it). */
  ports?: Sourced<string[]>;
  baud?: Sourced<number>;
  /** Absent when nothing sets it or it is `auto` (detect from the build/device). */
  chip?: Sourced<ChipName>;
  buildDir?: Sourced<string>;
  project?: Sourced<string>;
  flashMode?: Sourced<FlashMode>;
  /** Lower case, e.g. `80m` or `keep`; chip-specific checks happen in the plan. */
  flashFreq?: Sourced<string>;
  /** e.g. `4MB`, `detect` or `keep`; chip-specific checks happen in the plan. */
  flashSize?: Sourced<string>;
  before?: Sourced<BeforeReset>;
  after?: Sourced<AfterReset>;
  stub?: Sourced<boolean>;
  /** Stub set as esptool v5 numbers them (1 legacy, 2 esp-flasher-stub). */
  stubVersion?: Sourced<number>;
  /** Absolute path of a stub JSON of one's own. */
  stubFile?: Sourced<string>;
  resetSequence?: Sourced<string>;
  /** From `build.command`: a string runs through the shell, an array is argv. */
  buildCommand?: Sourced<string[] | string>;
  buildCwd?: Sourced<string>;
  monitor: {
    baud?: Sourced<number>;
    timestamps?: Sourced<boolean>;
    logFile?: Sourced<string>;
    elf?: Sourced<string>;
  };
  watch: { debounceMs?: Sourced<number>; paths?: Sourced<string[]>; monitor?: Sourced<boolean> };
  cache: { dir?: Sourced<string>; fastReflash?: Sourced<boolean> };
  /** Absolute path of the config file used, or null. */
  configFile: string | null;
  /** The config's `tasks` (validated), for `espflash run`. */
  tasks?: TasksConfig;
}

/** Inputs for {@link resolveOptions}. */
export interface ResolveOptionsInput {
  cli: CliOptionValues;
  env: Record<string, string | undefined>;
  config: LoadedConfig | null;
  /** Directory CLI and env paths resolve against. */
  cwd: string;
}

/** A candidate value plus how to name it in an error ("--baud", "ESPBAUD", "'baud' in /x.ts"). */
interface Candidate<T> {
  value: T;
  source: Source;
  name: string;
  fix: string;
  base: string;
}

type TopKey = keyof CliOptionValues;

const FLAGS: Record<TopKey, string> = {
  port: '--port',
  baud: '--baud',
  chip: '--chip',
  buildDir: '--build-dir',
  project: '--project',
  flashMode: '--flash-mode',
  flashFreq: '--flash-freq',
  flashSize: '--flash-size',
  before: '--before',
  after: '--after',
  stub: '--stub',
  stubVersion: '--stub-version',
  stubFile: '--stub-file',
  resetSequence: '--reset-sequence',
};

const CONFIG_KEYS: Record<TopKey, string> = {
  port: 'port',
  baud: 'baud',
  chip: 'chip',
  buildDir: 'buildDir',
  project: 'project',
  flashMode: 'flash.mode',
  flashFreq: 'flash.freq',
  flashSize: 'flash.size',
  before: 'before',
  after: 'after',
  stub: 'stub',
  stubVersion: 'stub.version',
  stubFile: 'stub.file',
  resetSequence: 'reset.sequence',
};

/**
 * Apply precedence CLI > env > config file to every option and normalise it. Throws UsageErrors
 * naming the flag, variable or config key: `config/unknown-chip`, `usage/invalid-value` (flags),
 * `config/invalid-env` (variables), `config/invalid-value` (config file).
 */
export function resolveOptions(input: ResolveOptionsInput): ResolvedOptions {
  const env = readEnvOptions(input.env);
  const file = input.config?.filepath ?? null;
  const config = input.config ? validateConfig(input.config.config, { file: input.config.filepath }) : null;
  const configDir = file ? dirname(file) : input.cwd;
  const flat: Partial<Record<TopKey, unknown>> = config
    ? {
        ...config,
        flashMode: config.flash?.mode,
        flashFreq: config.flash?.freq,
        flashSize: config.flash?.size,
        resetSequence: config.reset?.sequence,
        stub: typeof config.stub === 'object' ? config.stub.enabled : config.stub,
        stubVersion: typeof config.stub === 'object' ? config.stub.version : undefined,
        stubFile: typeof config.stub === 'object' ? config.stub.file : undefined,
      }
    : {};

  const fromConfig = (path: string, value: unknown): Candidate<unknown> | undefined =>
    value === undefined || file === null
      ? undefined
      : {
          value,
          source: { kind: 'config', detail: `${file}: ${path}` },
          name: `'${path}' in ${file}`,
          fix: `Fix '${path}' in ${file}`,
          base: configDir,
        };

  const pick = (key: TopKey): Candidate<unknown> | undefined => {
    const cliValue = input.cli[key];
    if (cliValue !== undefined) {
      const flag = key === 'stub' && cliValue === false ? '--no-stub' : FLAGS[key];
      return {
        value: cliValue,
        source: { kind: 'cli', detail: flag },
        name: flag,
        fix: `Pass ${flag} with`,
        base: input.cwd,
      };
    }
    const e = (env as Partial<Record<TopKey, Sourced<unknown>>>)[key];
    if (e) {
      const v = e.source.detail!;
      return { value: e.value, source: e.source, name: v, fix: `Set ${v} to`, base: input.cwd };
    }
    return fromConfig(CONFIG_KEYS[key], flat[key]);
  };

  const out: ResolvedOptions = {
    monitor: {},
    watch: {},
    cache: {},
    configFile: file,
    ...(config?.tasks ? { tasks: config.tasks } : {}),
  };
  const set = <K extends TopKey>(key: K, convert: (c: Candidate<unknown>) => unknown) => {
    const c = pick(key);
    if (c === undefined) return;
    const value = convert(c);
    if (value !== undefined)
      (out as unknown as Record<string, Sourced<unknown>>)[key] = { value, source: c.source };
  };

  // `port` may be a list in the config (many boards); a flag or env port beats the whole list.
  const portPick = pick('port');
  if (portPick && Array.isArray(portPick.value) && portPick.value.length > 1) {
    out.ports = { value: portPick.value.map(String), source: portPick.source };
  } else {
    set('port', (c) => text(Array.isArray(c.value) ? { ...c, value: c.value[0] } : c));
  }
  set('baud', (c) => integer(c, 300, 20_000_000));
  set('chip', (c) => chip(c));
  set('buildDir', (c) => resolve(c.base, text(c)));
  set('project', (c) => resolve(c.base, text(c)));
  set('flashMode', (c) => oneOf(c, FLASH_MODES, (t) => t.trim().toLowerCase()));
  set('flashFreq', (c) => flashFreq(c));
  set('flashSize', (c) => flashSize(c));
  set(
    'before',
    (c) => parseBeforeReset(text(c)) ?? fail(c, `one of ${resetModeLabels('before').join(', ')}`),
  );
  set('after', (c) => parseAfterReset(text(c)) ?? fail(c, `one of ${resetModeLabels('after').join(', ')}`));
  set('stub', (c) => (c.value === true || c.value === false ? c.value : fail(c, 'true or false')));
  set('stubVersion', (c) => {
    const n =
      typeof c.value === 'number'
        ? c.value
        : /^\s*\d+\s*$/.test(String(c.value))
          ? Number(c.value)
          : Number.NaN;
    return n === 1 || n === 2 ? n : fail(c, '1 (the legacy esptool stub) or 2 (esp-flasher-stub)');
  });
  set('stubFile', (c) => resolve(c.base, text(c)));
  set('resetSequence', (c) =>
    isResetSequence(text(c)) ? text(c).trim() : fail(c, "a reset sequence like 'D0|R1|W100|D1|R0|W50|D0'"),
  );

  // The monitor's baud: ESPFLASH_MONITOR_BAUD / MONITORBAUD beat the config's monitor.baud (a
  // `monitor --baud` flag beats both, in the monitor command).
  if (env.monitorBaud) out.monitor.baud = env.monitorBaud;

  if (config) {
    const sourcedFrom = <T>(path: string, value: T | undefined): Sourced<T> | undefined => {
      const c = fromConfig(path, value);
      return c ? { value: value as T, source: c.source } : undefined;
    };
    const abs = (p: string | undefined) => (p === undefined ? undefined : resolve(configDir, p));
    const command = config.build?.command;
    if (typeof command === 'string' && splitCommandLine(command) === null) {
      fail(fromConfig('build.command', command)!, 'a command with balanced quotes');
    }
    assign(out, 'buildCommand', sourcedFrom('build.command', command));
    assign(out, 'buildCwd', sourcedFrom('build.cwd', abs(config.build?.cwd)));
    if (!out.monitor.baud) assign(out.monitor, 'baud', sourcedFrom('monitor.baud', config.monitor?.baud));
    assign(out.monitor, 'timestamps', sourcedFrom('monitor.timestamps', config.monitor?.timestamps));
    assign(out.monitor, 'logFile', sourcedFrom('monitor.logFile', abs(config.monitor?.logFile)));
    assign(out.monitor, 'elf', sourcedFrom('monitor.elf', abs(config.monitor?.elf)));
    assign(out.watch, 'debounceMs', sourcedFrom('watch.debounceMs', config.watch?.debounceMs));
    assign(
      out.watch,
      'paths',
      sourcedFrom(
        'watch.paths',
        config.watch?.paths?.map((p) => resolve(configDir, p)),
      ),
    );
    assign(out.watch, 'monitor', sourcedFrom('watch.monitor', config.watch?.monitor));
    assign(out.cache, 'dir', sourcedFrom('cache.dir', abs(config.cache?.dir)));
    assign(out.cache, 'fastReflash', sourcedFrom('cache.fastReflash', config.cache?.fastReflash));
  }
  return out;
}

/** One row per set option (config-file key names), for `espflash plan --show-config`. */
export function describeResolved(
  resolved: ResolvedOptions,
): Array<{ key: string; value: string; source: string }> {
  const rows: Array<{ key: string; value: string; source: string }> = [];
  const add = (key: string, v: Sourced<unknown> | undefined) => {
    if (v)
      rows.push({
        key,
        value: Array.isArray(v.value)
          ? v.value.join(' ')
          : key === 'before' || key === 'after'
            ? resetModeLabel(String(v.value))
            : String(v.value),
        source: describeSource(v.source),
      });
  };
  for (const key of Object.keys(FLAGS) as TopKey[]) add(CONFIG_KEYS[key], resolved[key]);
  add('build.command', resolved.buildCommand);
  add('build.cwd', resolved.buildCwd);
  for (const [group, values] of [
    ['monitor', resolved.monitor],
    ['watch', resolved.watch],
    ['cache', resolved.cache],
  ] as const) {
    for (const [k, v] of Object.entries(values)) add(`${group}.${k}`, v as Sourced<unknown>);
  }
  return rows;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function fail(c: Candidate<unknown>, expected: string): never {
  const code =
    c.source.kind === 'cli'
      ? 'usage/invalid-value'
      : c.source.kind === 'env'
        ? 'config/invalid-env'
        : 'config/invalid-value';
  const shown = typeof c.value === 'string' ? `'${c.value}'` : String(c.value);
  throw new UsageError(code, `${c.name} ${shown} is not valid: expected ${expected}`, {
    hint: c.source.kind === 'config' ? `${c.fix}: use ${expected}.` : `${c.fix} ${expected}.`,
    details: { value: c.value, source: c.source },
  });
}

function text(c: Candidate<unknown>): string {
  return typeof c.value === 'string' && c.value.trim() !== '' ? c.value : fail(c, 'a non-empty value');
}

function integer(c: Candidate<unknown>, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = c.value;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max
    ? v
    : fail(
        c,
        max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`,
      );
}

function oneOf<T extends string>(
  c: Candidate<unknown>,
  values: readonly T[],
  normalize: (t: string) => string,
): T {
  const t = normalize(text(c));
  return (values as readonly string[]).includes(t) ? (t as T) : fail(c, `one of ${values.join(', ')}`);
}

function chip(c: Candidate<unknown>): ChipName | undefined {
  const t = text(c);
  if (t.trim().toLowerCase() === 'auto') return undefined;
  const name = parseChipName(t);
  if (name) return name;
  throw new UsageError(
    'config/unknown-chip',
    `Unknown chip '${t}' (from ${c.name}); valid chips: ${CHIP_NAMES.join(', ')}`,
    {
      hint:
        c.source.kind === 'config'
          ? `${c.fix}: use one of ${CHIP_NAMES.join(', ')}, or auto.`
          : `${c.fix} one of ${CHIP_NAMES.join(', ')}, or auto.`,
      details: { value: t, source: c.source, valid: [...CHIP_NAMES] },
    },
  );
}

function flashFreq(c: Candidate<unknown>): string {
  const t = text(c).trim().toLowerCase().replace(/hz$/, '');
  return t === 'keep' || /^\d+(\.\d+)?m$/.test(t) ? t : fail(c, 'a frequency like 40m or 80m, or keep');
}

function flashSize(c: Candidate<unknown>): string {
  const t = text(c).trim();
  if (!isFixedFlashSize(t)) return t.toLowerCase();
  const m = /^(\d+)\s*(m|k)b?(-c1)?$/i.exec(t);
  return m
    ? `${m[1]}${m[2]!.toUpperCase()}B${m[3] ?? ''}`
    : fail(c, 'a size like 4MB or 16MB, detect or keep');
}
