// Settings from environment variables: ESPFLASH_* first, then idf.py's ESPPORT/ESPBAUD/MONITORBAUD,
// then esptool's ESPTOOL_PORT/ESPTOOL_BAUD (for one option, the first set wins). Values are parsed and carry the variable name as their source; bad values name the variable.

import { UsageError } from '../errors.js';
import { type Sourced, sourced } from '../provenance.js';

/** What the environment sets; each value's source detail is the variable it came from. */
export interface EnvOptions {
  port?: Sourced<string>;
  baud?: Sourced<number>;
  chip?: Sourced<string>;
  buildDir?: Sourced<string>;
  project?: Sourced<string>;
  before?: Sourced<string>;
  after?: Sourced<string>;
  stub?: Sourced<boolean>;
  stubVersion?: Sourced<string>;
  stubFile?: Sourced<string>;
  flashMode?: Sourced<string>;
  flashFreq?: Sourced<string>;
  flashSize?: Sourced<string>;
  /** The monitor's console baud (`ESPFLASH_MONITOR_BAUD`, idf.py's `MONITORBAUD`). */
  monitorBaud?: Sourced<number>;
  /** Explicit config file (`ESPFLASH_CONFIG`), not yet resolved against cwd. */
  config?: Sourced<string>;
}

/** One supported variable: its name, the option it sets and what it means (for help/README). */
export interface EnvVarInfo {
  name: string;
  option: keyof EnvOptions;
  describe: string;
}

/** Supported variables, highest precedence first within one option. */
export const ENV_VARS: readonly EnvVarInfo[] = [
  { name: 'ESPFLASH_PORT', option: 'port', describe: 'serial port (like --port)' },
  { name: 'ESPPORT', option: 'port', describe: 'serial port, idf.py spelling (ESPFLASH_PORT wins)' },
  {
    name: 'ESPTOOL_PORT',
    option: 'port',
    describe: 'serial port, esptool spelling (ESPFLASH_PORT and ESPPORT win)',
  },
  { name: 'ESPFLASH_BAUD', option: 'baud', describe: 'flashing baud rate (like --baud)' },
  { name: 'ESPBAUD', option: 'baud', describe: 'flashing baud rate, idf.py spelling (ESPFLASH_BAUD wins)' },
  {
    name: 'ESPTOOL_BAUD',
    option: 'baud',
    describe: 'flashing baud rate, esptool spelling (ESPFLASH_BAUD and ESPBAUD win)',
  },
  {
    name: 'ESPFLASH_MONITOR_BAUD',
    option: 'monitorBaud',
    describe: "monitor's console baud rate (like monitor --baud)",
  },
  {
    name: 'MONITORBAUD',
    option: 'monitorBaud',
    describe: "monitor's console baud rate, idf.py spelling (ESPFLASH_MONITOR_BAUD wins)",
  },
  { name: 'ESPFLASH_CHIP', option: 'chip', describe: 'target chip (like --chip)' },
  { name: 'ESPFLASH_BUILD_DIR', option: 'buildDir', describe: 'build directory (like --build-dir)' },
  { name: 'ESPFLASH_PROJECT', option: 'project', describe: 'project directory (like --project)' },
  { name: 'ESPFLASH_BEFORE', option: 'before', describe: 'reset before connecting (like --before)' },
  { name: 'ESPFLASH_AFTER', option: 'after', describe: 'reset after the operation (like --after)' },
  { name: 'ESPFLASH_NO_STUB', option: 'stub', describe: '1/true: talk to the ROM loader (like --no-stub)' },
  {
    name: 'ESPFLASH_STUB_VERSION',
    option: 'stubVersion',
    describe: 'stub set, 1 or 2 (like --stub-version)',
  },
  { name: 'ESPFLASH_STUB_FILE', option: 'stubFile', describe: 'a stub JSON of your own (like --stub-file)' },
  { name: 'ESPFLASH_FLASH_MODE', option: 'flashMode', describe: 'flash mode (like --flash-mode)' },
  { name: 'ESPFLASH_FLASH_FREQ', option: 'flashFreq', describe: 'flash frequency (like --flash-freq)' },
  { name: 'ESPFLASH_FLASH_SIZE', option: 'flashSize', describe: 'flash size (like --flash-size)' },
  { name: 'ESPFLASH_CONFIG', option: 'config', describe: 'config file to load (like --config)' },
];

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/**
 * Read espflash settings from `env`. Empty variables count as unset. Throws `config/invalid-env`
 * (a UsageError naming the variable) for values that cannot be parsed.
 */
export function readEnvOptions(env: Record<string, string | undefined>): EnvOptions {
  const out: EnvOptions = {};
  for (const info of ENV_VARS) {
    const raw = env[info.name]?.trim();
    if (raw === undefined || raw === '' || out[info.option] !== undefined) continue;
    const target = out as Record<string, Sourced<unknown>>;
    if (info.option === 'baud' || info.option === 'monitorBaud')
      target[info.option] = sourced(parseBaud(info.name, raw), 'env', info.name);
    else if (info.option === 'stub') target.stub = sourced(!parseFlag(info.name, raw), 'env', info.name);
    else target[info.option] = sourced(raw, 'env', info.name);
  }
  return out;
}

function parseBaud(name: string, raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 300 || n > 20_000_000) {
    throw new UsageError(
      'config/invalid-env',
      `${name}="${raw}" is not a baud rate (expected a whole number like 460800)`,
      {
        hint: `Set ${name} to a number such as 460800, or unset it.`,
        details: { variable: name, value: raw },
      },
    );
  }
  return n;
}

function parseFlag(name: string, raw: string): boolean {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new UsageError('config/invalid-env', `${name}="${raw}" is not a yes/no value`, {
    hint: `Set ${name} to 1 or 0 (also true/false, yes/no, on/off), or unset it.`,
    details: { variable: name, value: raw },
  });
}
