// Reads a build directory with ESP-IDF's files in falling order of detail: flasher_args.json, then
// flash_args / flash_project_args, then project_description.json, then a bare bootloader/table/app set.

import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ChipName } from '../chips/chips.js';
import { UsageError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type Sourced, sourced } from '../provenance.js';
import { parseArgFile } from './arg-files.js';
import { readBareBuild } from './bare-build.js';
import type { BuildOutput } from './build-output.js';
import { parseFlasherArgs } from './flasher-args.js';
import { type ProjectDescription, parseProjectDescription } from './project-description.js';
import { readSdkConfig, type SdkConfig } from './sdkconfig.js';

/** Plain arg files, newest naming first. */
const ARG_FILES = ['flash_args', 'flash_project_args'];
/** Their flash-encryption twins (only trusted when sdkconfig enables flash encryption). */
const ENCRYPTED_ARG_FILES = ['encrypted_flash_args', 'flash_encrypted_project_args'];

/** Options for {@link readBuildOutput}. */
export interface ReadBuildOptions {
  /** Absolute build directory. */
  buildDir: string;
  /** A chip known from elsewhere (e.g. `--chip`), used by bare builds to place the bootloader. */
  chipHint?: ChipName | null;
  logger?: Logger;
}

/**
 * Read the build output in `buildDir`. Throws `project/no-build-output` when the directory has none
 * of the known files, and the parsers' `project/bad-*` errors for corrupt ones.
 */
export async function readBuildOutput(options: ReadBuildOptions): Promise<BuildOutput> {
  const buildDir = resolve(options.buildDir);
  const logger = options.logger ?? silentLogger;
  const desc = await readDescription(buildDir);
  const projectDirs = [desc.value?.projectPath ?? null, dirname(buildDir)].filter(
    (d): d is string => d !== null,
  );
  const sdkconfig = await readSdkConfig({ buildDir, projectDirs });
  const base = {
    buildDir,
    description: desc.value,
    descriptionFile: desc.value ? desc.file : null,
    sdkconfig,
    generatedByIdf: true,
  };
  const targetFromDescription = desc.value?.target ? sourced(desc.value.target, 'build', desc.file) : null;

  const flasherFile = join(buildDir, 'flasher_args.json');
  const flasherText = await readText(flasherFile);
  if (flasherText !== null) {
    const args = parseFlasherArgs(flasherText, { file: flasherFile });
    warnIgnored(desc, logger);
    const from = <T>(v: T | null): Sourced<T> | null =>
      v === null ? null : sourced(v, 'build', flasherFile);
    if (!args.generatedByIdf)
      logger.warn(`${flasherFile} was not written by ESP-IDF (it has only flash_files)`);
    return {
      ...base,
      kind: 'flasher-args',
      layoutFile: flasherFile,
      entries: args.entries.map((e) => ({
        offset: e.offset,
        file: resolve(buildDir, e.file),
        name: e.name,
        encrypted: e.encrypted ?? false,
        source: { kind: 'build', detail: flasherFile },
      })),
      chip: from(args.chip) ?? targetFromDescription ?? targetFromSdkconfig(sdkconfig),
      flashMode: from(args.flashMode),
      flashFreq: from(args.flashFreq),
      flashSize: from(args.flashSize),
      before: from(args.before),
      after: from(args.after),
      stub: from(args.stub),
      generatedByIdf: args.generatedByIdf,
    };
  }

  for (const name of ARG_FILES) {
    const file = join(buildDir, name);
    const text = await readText(file);
    if (text === null) continue;
    logger.debug(`no flasher_args.json; reading ${file}`);
    const parsed = parseArgFile(text, { file });
    warnIgnored(desc, logger);
    const encrypted = await readEncryptedFlags(buildDir, sdkconfig, logger);
    const from = (v: string | null) => (v === null ? null : sourced(v, 'build', file));
    return {
      ...base,
      kind: 'arg-files',
      layoutFile: file,
      entries: parsed.entries.map((e) => ({
        offset: e.offset,
        file: resolve(buildDir, e.file),
        name: null,
        encrypted: e.encrypted || encrypted.has(`${e.offset}:${e.file}`),
        source: { kind: 'build', detail: file },
      })),
      chip: targetFromDescription ?? targetFromSdkconfig(sdkconfig),
      flashMode: from(parsed.flashMode),
      flashFreq: from(parsed.flashFreq),
      flashSize: from(parsed.flashSize),
      before: null,
      after: null,
      stub: null,
    };
  }

  if (desc.error) throw desc.error;
  const chip = targetFromDescription ?? targetFromSdkconfig(sdkconfig);
  const bare = await readBareBuild({
    buildDir,
    chip: options.chipHint ?? null,
    target: chip?.value ?? null,
    appBin: desc.value?.appBin ?? null,
    sdkconfig,
    logger,
  });
  if (!bare) {
    throw new UsageError(
      'project/no-build-output',
      `${buildDir} holds no ESP-IDF build output (no flasher_args.json, flash_args, flash_project_args, project_description.json, nor bootloader/bootloader.bin + partition_table/partition-table.bin)`,
      {
        hint: 'Run `idf.py build` (or `espflash --build`), or pass the right directory with --build-dir.',
        details: { buildDir },
      },
    );
  }
  return {
    ...base,
    kind: desc.value ? 'project-description' : 'bare',
    layoutFile: desc.value ? desc.file : null,
    entries: bare.entries,
    chip: chip ?? bare.chip,
    flashMode: null,
    flashFreq: null,
    flashSize: null,
    before: null,
    after: null,
    stub: null,
  };
}

async function readDescription(
  buildDir: string,
): Promise<{ file: string; value: ProjectDescription | null; error: unknown | null }> {
  const file = join(buildDir, 'project_description.json');
  const text = await readText(file);
  if (text === null) return { file, value: null, error: null };
  try {
    return { file, value: parseProjectDescription(text, { file }), error: null };
  } catch (err) {
    return { file, value: null, error: err };
  }
}

/** A corrupt project_description.json is only fatal when nothing better gives the layout. */
function warnIgnored(desc: { file: string; error: unknown }, logger: Logger): void {
  if (desc.error)
    logger.warn(
      `ignoring ${desc.file}: ${desc.error instanceof Error ? desc.error.message : String(desc.error)}`,
    );
}

function targetFromSdkconfig(config: SdkConfig | null): Sourced<string> | null {
  const target = config?.values.IDF_TARGET;
  return typeof target === 'string' && target !== '' && config ? sourced(target, 'build', config.file) : null;
}

/**
 * `offset:file` keys of images the encrypted arg file marks as encrypted. Those files outlive the
 * configuration that wrote them, so they count only when sdkconfig enables development-mode encryption.
 */
async function readEncryptedFlags(
  buildDir: string,
  config: SdkConfig | null,
  logger: Logger,
): Promise<Set<string>> {
  const out = new Set<string>();
  const enabled = config?.values.SECURE_FLASH_ENC_ENABLED === true;
  const release = config?.values.SECURE_FLASH_ENCRYPTION_MODE_RELEASE === true;
  if (!enabled || release) return out;
  for (const name of ENCRYPTED_ARG_FILES) {
    const file = join(buildDir, name);
    const text = await readText(file);
    if (text === null) continue;
    for (const e of parseArgFile(text, { file }).entries) if (e.encrypted) out.add(`${e.offset}:${e.file}`);
    logger.debug(`flash encryption enabled in ${config?.file}; encrypted images from ${file}`);
    break;
  }
  return out;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}
