// Reads the few sdkconfig values a plan needs (target, partition table and bootloader offsets,
// flash encryption) from build/config/sdkconfig.json or the project's `sdkconfig` text file.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Configuration values keyed without the `CONFIG_` prefix. */
export interface SdkConfig {
  /** Absolute path of the file the values came from. */
  file: string;
  values: Record<string, string | number | boolean>;
}

/**
 * Find and read the build's configuration: `<buildDir>/config/sdkconfig.json` first, then `sdkconfig`
 * in each of `projectDirs`. Returns null when none exists or none parses.
 */
export async function readSdkConfig(options: {
  buildDir: string;
  projectDirs: string[];
}): Promise<SdkConfig | null> {
  const jsonFile = join(options.buildDir, 'config', 'sdkconfig.json');
  const json = await readText(jsonFile);
  if (json !== null) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (typeof parsed === 'object' && parsed !== null) {
        return { file: jsonFile, values: parsed as Record<string, string | number | boolean> };
      }
    } catch {
      // fall through to the text sdkconfig
    }
  }
  for (const dir of options.projectDirs) {
    const file = join(dir, 'sdkconfig');
    const text = await readText(file);
    if (text !== null) return { file, values: parseSdkConfigText(text) };
  }
  return null;
}

/** Parse `CONFIG_X=value` lines (`y` → true, quoted → string, numbers → number, `# … is not set` skipped). */
export function parseSdkConfigText(text: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const raw = m[2]!.trim();
    if (raw === 'y') out[m[1]!] = true;
    else if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) out[m[1]!] = raw.slice(1, -1);
    else if (/^0x[0-9a-f]+$/i.test(raw)) out[m[1]!] = Number.parseInt(raw.slice(2), 16);
    else if (/^-?[0-9]+$/.test(raw)) out[m[1]!] = Number.parseInt(raw, 10);
    else out[m[1]!] = raw;
  }
  return out;
}

/** A numeric config value (numbers or `0x…`/decimal strings), or null. */
export function configNumber(config: SdkConfig | null, key: string): number | null {
  const v = config?.values[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return Number.parseInt(v.slice(2), 16);
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number.parseInt(v, 10);
  return null;
}

/** A string config value, or null. */
export function configString(config: SdkConfig | null, key: string): string | null {
  const v = config?.values[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}
