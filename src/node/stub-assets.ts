// Flasher stubs from the `esptool-js` package's JSON files (lib/targets/stub_flasher/<chip>.json):
// located lazily, base64-decoded, cached per file. Missing package or file → `stub/unavailable`.
// Also picks the stub set (`--stub-version`, as esptool v5) or a stub of one's own (`--stub-file`).

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChipName, chipInfo } from '../chips/chips.js';
import type { StubImage, StubProvider } from '../core/session/stub-loader.js';
import { EspflashError, UsageError } from '../errors.js';

const NO_STUB_HINT =
  'reinstall espflash (its esptool-js dependency ships the stubs), or connect with --no-stub';

/** Shape of one stub JSON file (only the keys espflash uses). */
interface StubJson {
  entry: number;
  text: string;
  text_start: number;
  data?: string;
  data_start?: number;
  bss_start?: number;
}

let stubDir: string | null = null;

/** Directory holding the stub JSON files (resolved once). */
export function esptoolJsStubDir(): string {
  if (stubDir) return stubDir;
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('esptool-js/package.json'));
  } catch {
    // Fall back to the conventional node_modules location next to this package.
    pkgDir = fileURLToPath(new URL('../../node_modules/esptool-js', import.meta.url));
  }
  stubDir = join(pkgDir, 'lib', 'targets', 'stub_flasher');
  return stubDir;
}

/** The stub file for a chip: the table's `stubFile`, except P4 below revision 3.0 (`esp32p4-rev1.json`). */
export function stubFileFor(chip: ChipName, revision?: number): string | null {
  if (chip === 'esp32p4' && revision !== undefined && revision < 300) return 'esp32p4-rev1.json';
  return chipInfo(chip).stubFile;
}

function decodeBase64(text: string): Uint8Array {
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length).slice();
}

/** Parse a stub JSON document. */
export function parseStubJson(json: unknown, file: string): StubImage {
  const j = json as Partial<StubJson>;
  if (typeof j?.entry !== 'number' || typeof j.text !== 'string' || typeof j.text_start !== 'number') {
    throw new EspflashError(
      'stub/unavailable',
      `Stub file ${file} is not a flasher stub (missing entry/text/text_start)`,
      {
        hint: NO_STUB_HINT,
        details: { file },
      },
    );
  }
  return {
    entry: j.entry,
    text: decodeBase64(j.text),
    textStart: j.text_start,
    data: decodeBase64(j.data ?? ''),
    dataStart: j.data_start ?? 0,
    ...(j.bss_start === undefined ? {} : { bssStart: j.bss_start }),
  };
}

/** A stub JSON of one's own (`--stub-file`), read at once; its faults are usage errors (exit 2). */
function readStubFile(path: string): StubImage {
  const fix = {
    hint: "Fix or replace the file given with --stub-file (config stub.file): esptool's stub JSON format",
  };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      'stub/file-unreadable',
      `--stub-file ${path} could not be read (${(err as Error).message})`,
      {
        ...fix,
        details: { file: path },
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError('stub/file-invalid', `--stub-file ${path} is not valid JSON`, {
      ...fix,
      details: { file: path },
    });
  }
  try {
    return parseStubJson(json, path);
  } catch (err) {
    throw new UsageError('stub/file-invalid', `--stub-file ${path}: ${(err as Error).message}`, {
      ...fix,
      details: { file: path },
    });
  }
}

async function loadStub(path: string): Promise<StubImage> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EspflashError('stub/unavailable', `Flasher stub ${path} could not be read`, {
      hint: NO_STUB_HINT,
      details: { file: path },
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new EspflashError('stub/unavailable', `Flasher stub ${path} is not valid JSON`, {
      hint: NO_STUB_HINT,
      details: { file: path },
      cause: err,
    });
  }
  return parseStubJson(json, path);
}

/**
 * A provider reading `<dir>/<stub file>` (default: the esptool-js package's stub folder, resolved on
 * first use). Caches per file; failed loads are not cached, so a retry re-reads.
 */
export function createStubProvider(options: { dir?: string } = {}): StubProvider {
  const cache = new Map<string, Promise<StubImage>>();
  return async (chip, opts) => {
    const file = stubFileFor(chip, opts.revision);
    if (!file) return null;
    let pending = cache.get(file);
    if (!pending) {
      pending = loadStub(join(options.dir ?? esptoolJsStubDir(), file));
      cache.set(file, pending);
      pending.catch(() => cache.delete(file));
    }
    return pending;
  };
}

/** Stubs shipped by the `esptool-js` npm package (esp-flasher-stub builds, Apache-2.0 OR MIT). */
export const esptoolJsStubProvider: StubProvider = createStubProvider();

/**
 * Stub sets as esptool v5 numbers them: 1 = the legacy esptool stub, 2 = esp-flasher-stub (v5's
 * default). esptool-js 0.7.0, the package espflash depends on, ships set 2 only.
 */
export const STUB_VERSIONS = [1, 2] as const;
export type StubVersion = (typeof STUB_VERSIONS)[number];
/** The set espflash ships (from esptool-js). */
export const SHIPPED_STUB_VERSION: StubVersion = 2;

/** Which stub to upload: a shipped set, or a JSON file of one's own (esptool's stub format). */
export interface StubChoice {
  version?: number | undefined;
  file?: string | undefined;
}

/**
 * The provider for a stub choice. `file` (esptool's JSON: entry, text, text_start, data,
 * data_start in base64) is uploaded whatever the chip; `version` 2 is the shipped set; version 1
 * is not shipped: `stub/version-unavailable` (a usage error) names the ways that work.
 */
export function stubProviderFor(choice: StubChoice = {}): StubProvider {
  if (choice.file !== undefined && choice.version !== undefined) {
    throw new UsageError(
      'stub/conflicting-options',
      '--stub-file and --stub-version both pick the stub: give one of them',
      { hint: 'drop --stub-version (config stub.version) or --stub-file (config stub.file)' },
    );
  }
  if (choice.file !== undefined) {
    // Read and check it now, before any port is opened: a bad file is the user's input, not a link fault.
    const image = readStubFile(choice.file);
    return async () => image;
  }
  const version = choice.version ?? SHIPPED_STUB_VERSION;
  if (version === SHIPPED_STUB_VERSION) return esptoolJsStubProvider;
  const known = (STUB_VERSIONS as readonly number[]).includes(version);
  throw new UsageError(
    'stub/version-unavailable',
    known
      ? `Stub version ${version} (the legacy esptool stub) is not shipped with espflash: its esptool-js dependency carries only version ${SHIPPED_STUB_VERSION} (esp-flasher-stub)`
      : `Unknown stub version ${version}: esptool v5 numbers them 1 (legacy stub) and 2 (esp-flasher-stub)`,
    {
      hint: `use --stub-version ${SHIPPED_STUB_VERSION} (config stub.version; the default), load a stub JSON of your own with --stub-file <json> (config stub.file; e.g. esptool's stub_flasher/1/<chip>.json), or connect without a stub (--no-stub)`,
      details: { version, available: [SHIPPED_STUB_VERSION] },
    },
  );
}
