// Parser for ESP-IDF's build/project_description.json: target, project and app file names, ELF
// paths and the IDF version (git_revision). Everything else in the (large) file is ignored.

import { UsageError } from '../errors.js';
import { jsonErrorPosition } from './json-position.js';

/** The fields espflash uses; absent ones are null. */
export interface ProjectDescription {
  projectName: string | null;
  /** IDF target as written (`esp32s3`); absent before v4.1 and in ESP8266 RTOS SDK builds. */
  target: string | null;
  /** App binary, relative to the build dir (`hello_world.bin`). */
  appBin: string | null;
  /** App ELF as written (absolute on the machine that built it, or relative). */
  appElf: string | null;
  bootloaderElf: string | null;
  /** Build dir as recorded by the build (may be from another machine). */
  buildDir: string | null;
  projectPath: string | null;
  /** ESP-IDF `git describe` (`v5.3.1`, `v4.4.3-dirty`), null when unknown or `HEAD-HASH-NOTFOUND`. */
  idfVersion: string | null;
  /** The file's own format version (`1.1`, `1.2`; absent before v5.2). */
  formatVersion: string | null;
  /** Components of the build (old builds name the target through a component such as `esp32`). */
  components: string[];
}

/** Parse project_description.json text. Throws `project/bad-project-description` for malformed JSON. */
export function parseProjectDescription(text: string, options: { file: string }): ProjectDescription {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const at = jsonErrorPosition(text);
    const where = at ? ` at line ${at.line}, column ${at.column} (offset ${at.offset})` : '';
    throw new UsageError(
      'project/bad-project-description',
      `${options.file} is not valid JSON${where}: ${reason}`,
      {
        hint: 'Rebuild with `idf.py build` to regenerate it, or pass another build with --build-dir.',
        details: { file: options.file, reason, ...(at ? { position: at } : {}) },
        cause: err,
      },
    );
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new UsageError('project/bad-project-description', `${options.file} is not a JSON object`, {
      hint: 'Rebuild with `idf.py build` to regenerate it.',
      details: { file: options.file },
    });
  }
  const r = root as Record<string, unknown>;
  const revision = str(r.git_revision);
  const components = Array.isArray(r.build_components)
    ? r.build_components.filter((c): c is string => typeof c === 'string' && c !== '')
    : [];
  return {
    projectName: str(r.project_name),
    target: str(r.target),
    appBin: str(r.app_bin),
    appElf: str(r.app_elf),
    bootloaderElf: str(r.bootloader_elf),
    buildDir: str(r.build_dir),
    projectPath: str(r.project_path),
    idfVersion: revision === null || /NOTFOUND/i.test(revision) ? null : revision,
    formatVersion: str(r.version),
    components,
  };
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
