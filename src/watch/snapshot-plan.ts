// Copies the images a flash plan names into a private directory and returns the plan pointing at
// the copies, so a build that starts while the flash runs cannot change the bytes under it.

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { FlashPlan } from '../plan/types.js';

/**
 * Snapshot every region file of `plan` into `dir` (created when missing) after checking it still
 * has the planned SHA-256. Throws `flash/file-changed` when a file changed since planning.
 */
export async function snapshotPlan(plan: FlashPlan, dir: string): Promise<FlashPlan> {
  await mkdir(dir, { recursive: true });
  const regions = [];
  for (const [index, region] of plan.regions.entries()) {
    const bytes = await readFile(region.file);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== region.sha256) {
      throw new UsageError('flash/file-changed', `${region.file} changed while the flash was being planned`, {
        hint: 'Wait for the build to finish; the next change runs the cycle again.',
        details: { file: region.file, planned: region.sha256, actual: sha },
      });
    }
    const copy = join(dir, `${index}-${basename(region.file)}`);
    await writeFile(copy, bytes);
    regions.push({ ...region, file: copy });
  }
  return { ...plan, regions };
}
