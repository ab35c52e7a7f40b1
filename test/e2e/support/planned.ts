// Helpers for end-to-end tests: generate an example build for a chip and compute the exact bytes
// each planned region must leave on flash (file + bootloader header patch + 4-byte padding).

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChipName } from '../../../src/chips/chips.js';
import { generateExampleBuild } from '../../../src/example/example-build.js';
import { plannedBytes } from '../../../src/flash/write-plan.js';
import { derivePlan } from '../../../src/plan/derive-plan.js';
import type { FlashPlan } from '../../../src/plan/types.js';

/** A generated build and its plan. */
export interface PlannedBuild {
  dir: string;
  buildDir: string;
  plan: FlashPlan;
}

/** Generate `<tmp>/build` for `chip` and derive its plan. */
export async function plannedBuild(chip: ChipName): Promise<PlannedBuild> {
  const dir = await mkdtemp(join(tmpdir(), `espflash-e2e-${chip}-`));
  const build = await generateExampleBuild({ dir, chip });
  const plan = await derivePlan({ buildDir: build.buildDir });
  return { dir, buildDir: build.buildDir, plan };
}

/** The bytes each region must read back as, in plan order. */
export async function expectedRegions(
  plan: FlashPlan,
  detectedSize: string | null,
): Promise<Array<{ offset: number; label: string; bytes: Uint8Array }>> {
  const out: Array<{ offset: number; label: string; bytes: Uint8Array }> = [];
  for (const region of plan.regions) {
    const file = new Uint8Array(await readFile(region.file));
    const bytes = plannedBytes({ region, plan, bytes: file, detectedSize, secure: false });
    out.push({ offset: region.offset, label: region.label ?? region.role, bytes });
  }
  return out;
}
