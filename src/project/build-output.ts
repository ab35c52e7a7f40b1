// The normalised view of one ESP-IDF build directory, whichever files it came from
// (flasher_args.json, arg files, project_description.json or a bare build): what read-build returns.

import type { Source, Sourced } from '../provenance.js';
import type { ProjectDescription } from './project-description.js';
import type { SdkConfig } from './sdkconfig.js';

/** Where the layout (offsets and files) was read from, most to least informative. */
export type BuildLayoutKind = 'flasher-args' | 'arg-files' | 'project-description' | 'bare';

/** One image the build wants written. */
export interface BuildEntry {
  offset: number;
  /** Absolute path. */
  file: string;
  /** flasher_args.json entry name (`bootloader`, `partition-table`, `app`, `otadata`, `phy`, …) or a role name for derived layouts; null when unknown. */
  name: string | null;
  encrypted: boolean;
  /** Where the offset/file pair came from. */
  source: Source;
}

/** Everything read from a build directory; settings are null when the build does not say. */
export interface BuildOutput {
  /** Absolute build directory. */
  buildDir: string;
  kind: BuildLayoutKind;
  /** The file that gave the layout; null for bare builds. */
  layoutFile: string | null;
  entries: BuildEntry[];
  /** Target as written by the build (not yet validated). */
  chip: Sourced<string> | null;
  flashMode: Sourced<string> | null;
  flashFreq: Sourced<string> | null;
  flashSize: Sourced<string> | null;
  before: Sourced<string> | null;
  after: Sourced<string> | null;
  stub: Sourced<boolean> | null;
  description: ProjectDescription | null;
  /** Absolute path of project_description.json when it was read. */
  descriptionFile: string | null;
  sdkconfig: SdkConfig | null;
  /** False for hand-written flasher_args.json files (only `flash_files`). */
  generatedByIdf: boolean;
}
