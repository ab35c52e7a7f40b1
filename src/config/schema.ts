// The shape of `espflash.config.*`: the typed interface users write against, and the same shape as
// data (field kinds, enum values, known aliases) that the runtime validator walks.

import {
  AFTER_RESETS,
  BEFORE_RESETS,
  FLASH_MODES,
  type FlashMode,
  normaliseResetName,
  resetModeLabels,
} from '../core/settings.js';
import type { TasksConfig } from '../tasks/task-types.js';

/** Contents of `espflash.config.ts` (or .js/.mjs/.cjs/.json, or the `espflash` key of package.json). */
export interface EspflashConfig {
  /**
   * Serial port, `tcp://host:port`, `rfc2217://host:port` or `sim://<chip>`; a list flashes every
   * board in it at once (`espflash flash`), like `--port` given several times.
   */
  port?: string | string[];
  /** Baud rate for flashing (the connection starts at 115200 and switches up). */
  baud?: number;
  /** Target chip (`esp32`, `esp32s3`, …); default: from the build. */
  chip?: string;
  /** ESP-IDF build directory, relative to this file. */
  buildDir?: string;
  /** ESP-IDF project directory (its `build/` is used), relative to this file. */
  project?: string;
  /** Flash parameters written into image headers; default: from the build. */
  flash?: {
    mode?: FlashMode;
    /** `40m`, `80m`, … or `keep`. */
    freq?: string;
    /** `4MB`, `16MB`, … `detect` or `keep`. */
    size?: string;
  };
  /** Reset before connecting: `default-reset`, `usb-reset`, `no-reset`, `no-reset-no-sync` (or `default_reset` …). */
  before?: string;
  /** Reset after the operation: `hard-reset`, `soft-reset`, `no-reset`, `no-reset-stub`, `watchdog-reset` (or `hard_reset` …). */
  after?: string;
  /**
   * Upload the flasher stub (default true); false talks to the ROM loader only. As an object:
   * `version` picks a stub set as esptool v5 numbers them (2 = esp-flasher-stub, the one shipped),
   * `file` a stub JSON of one's own (esptool's format, relative to this file).
   */
  stub?: boolean | { enabled?: boolean; version?: number; file?: string };
  /** Custom reset sequence, e.g. `D0|R1|W100|D1|R0|W50|D0` (D=DTR, R=RTS, W=wait ms). */
  reset?: { sequence?: string };
  /** How `espflash watch` / `flash --build` rebuilds; cwd relative to this file. */
  build?: { command?: string | string[]; cwd?: string };
  /** Serial monitor settings; paths relative to this file. */
  monitor?: { baud?: number; timestamps?: boolean; logFile?: string; elf?: string };
  /** Watch mode; paths relative to this file. */
  watch?: { debounceMs?: number; paths?: string[]; monitor?: boolean };
  /** Flash cache (skip unchanged regions); dir relative to this file. */
  cache?: { dir?: string; fastReflash?: boolean };
  /** Named tasks for `espflash run <name>`: ordered steps (build, flash, erase, write, read, reset, monitor, run, task). */
  tasks?: TasksConfig;
}

/** How one config field is checked. */
export type FieldSpec =
  | { kind: 'string' }
  | { kind: 'path' }
  | { kind: 'integer'; min: number; max?: number }
  | { kind: 'boolean' }
  | {
      kind: 'enum';
      values: readonly string[];
      normalize?: (text: string) => string;
      /** The values as messages show them (reset modes: esptool v5's dashed form). */
      shown?: readonly string[];
    }
  | { kind: 'reset-sequence' }
  | { kind: 'command' }
  | { kind: 'path-list' }
  /** The `tasks` key (checked by src/tasks/validate-tasks.ts). */
  | { kind: 'tasks' }
  /** A port, or a non-empty list of distinct ports (many boards). */
  | { kind: 'port' }
  | {
      kind: 'object';
      fields: Readonly<Record<string, FieldSpec>>;
      /** `true`/`false` may stand for the whole object (`stub: false`). */
      orBoolean?: true;
    };

/** The config schema as data; keys match {@link EspflashConfig}. */
export const CONFIG_SCHEMA: Readonly<Record<string, FieldSpec>> = {
  port: { kind: 'port' },
  baud: { kind: 'integer', min: 300, max: 20_000_000 },
  chip: { kind: 'string' },
  buildDir: { kind: 'path' },
  project: { kind: 'path' },
  flash: {
    kind: 'object',
    fields: {
      mode: { kind: 'enum', values: FLASH_MODES, normalize: (t) => t.trim().toLowerCase() },
      freq: { kind: 'string' },
      size: { kind: 'string' },
    },
  },
  before: {
    kind: 'enum',
    values: BEFORE_RESETS,
    normalize: normaliseResetName,
    shown: resetModeLabels('before'),
  },
  after: {
    kind: 'enum',
    values: AFTER_RESETS,
    normalize: normaliseResetName,
    shown: resetModeLabels('after'),
  },
  stub: {
    kind: 'object',
    orBoolean: true,
    fields: {
      enabled: { kind: 'boolean' },
      version: { kind: 'integer', min: 1, max: 2 },
      file: { kind: 'path' },
    },
  },
  reset: { kind: 'object', fields: { sequence: { kind: 'reset-sequence' } } },
  build: { kind: 'object', fields: { command: { kind: 'command' }, cwd: { kind: 'path' } } },
  monitor: {
    kind: 'object',
    fields: {
      baud: { kind: 'integer', min: 300, max: 20_000_000 },
      timestamps: { kind: 'boolean' },
      logFile: { kind: 'path' },
      elf: { kind: 'path' },
    },
  },
  watch: {
    kind: 'object',
    fields: {
      debounceMs: { kind: 'integer', min: 0, max: 600_000 },
      paths: { kind: 'path-list' },
      monitor: { kind: 'boolean' },
    },
  },
  cache: { kind: 'object', fields: { dir: { kind: 'path' }, fastReflash: { kind: 'boolean' } } },
  tasks: { kind: 'tasks' },
};

/**
 * Spellings people reach for (esptool/idf.py habits, other tools) mapped to the key espflash uses.
 * Matching is case-, dash- and underscore-insensitive; camelCase joins of nested paths
 * (`flashMode`, `monitorBaud`) are found without being listed here.
 */
export const KEY_ALIASES: Readonly<Record<string, string>> = {
  baudrate: 'baud',
  speed: 'baud',
  serialport: 'port',
  device: 'port',
  espport: 'port',
  target: 'chip',
  idftarget: 'chip',
  builddirectory: 'buildDir',
  projectdir: 'project',
  projectpath: 'project',
  nostub: 'stub',
  stubversion: 'stub.version',
  stubfile: 'stub.file',
  resetsequence: 'reset.sequence',
  customreset: 'reset.sequence',
  buildcmd: 'build.command',
  logfile: 'monitor.logFile',
  elffile: 'monitor.elf',
  debounce: 'watch.debounceMs',
  cachedir: 'cache.dir',
  fastreflash: 'cache.fastReflash',
};

/** Every leaf key as a dotted path (`port`, `flash.mode`, …), in schema order. */
export function leafPaths(
  fields: Readonly<Record<string, FieldSpec>> = CONFIG_SCHEMA,
  prefix = '',
): string[] {
  const out: string[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (spec.kind !== 'object' || spec.orBoolean) out.push(path);
    if (spec.kind === 'object') out.push(...leafPaths(spec.fields, path));
  }
  return out;
}
