// Narrows a layout to what the user asked for: `--to <label>` (the app only, moved into that app
// partition) or `--only <role|label,…>` (a subset of the regions).

import { stat } from 'node:fs/promises';
import { hex } from '../core/protocol/bytes.js';
import { UsageError } from '../errors.js';
import type { Partition } from '../partition/types.js';
import { isAppPartition } from '../project/partition-file.js';
import type { DraftRegion, Layout } from './layout.js';

/** Options for {@link selectRegions}. */
export interface SelectOptions {
  /** Label of the app partition to write the app into. */
  to?: string;
  /** Roles, partition labels or build entry names to keep. */
  only?: string[];
}

/**
 * Apply `to` / `only`. Throws `plan/bad-target-partition` (listing the app partitions),
 * `plan/unknown-region` (listing valid names) or `plan/conflicting-options`.
 */
export async function selectRegions(layout: Layout, options: SelectOptions): Promise<DraftRegion[]> {
  const only = (options.only ?? []).map((n) => n.trim()).filter((n) => n !== '');
  if (options.to !== undefined && only.length > 0) {
    throw new UsageError(
      'plan/conflicting-options',
      '--to and --only cannot be combined (--to already means "the app only")',
      {
        hint: 'Drop --only, or drop --to and use --only <role|label,…>.',
      },
    );
  }
  if (options.to !== undefined) return [await retarget(layout, options.to)];
  if (only.length === 0) return layout.regions;

  const valid = validNames(layout.regions);
  const unknown = only.filter((n) => !valid.includes(canonical(n)));
  if (unknown.length > 0) {
    throw new UsageError(
      'plan/unknown-region',
      `--only names ${quoteList(unknown)}, which match no region; valid: ${valid.join(', ')}`,
      {
        hint: `Pass --only with roles or partition labels from this build: ${valid.join(', ')}.`,
        details: { unknown, valid },
      },
    );
  }
  const wanted = new Set(only.map(canonical));
  return layout.regions.filter((r) => namesOf(r).some((n) => wanted.has(n)));
}

async function retarget(layout: Layout, label: string): Promise<DraftRegion> {
  const apps = (layout.partitions ?? []).filter(isAppPartition);
  const listing = apps.length ? apps.map(describe).join(', ') : 'none';
  const fail = (why: string) =>
    new UsageError('plan/bad-target-partition', `--to ${label}: ${why}. App partitions: ${listing}`, {
      hint: `Pass --to with one of the app partitions (${apps.map((a) => a.name).join(', ') || 'none'}) or fix the partition CSV.`,
      details: { label, appPartitions: apps.map((a) => ({ name: a.name, offset: a.offset, size: a.size })) },
    });
  if (!layout.partitions) throw fail('the build has no partition table to look the label up in');
  const target = layout.partitions.find((p) => p.name === label);
  if (!target) throw fail(`there is no partition labelled "${label}"`);
  if (!isAppPartition(target)) throw fail(`"${label}" is not an app partition`);
  const app = layout.regions.find((r) => r.role === 'app');
  if (!app) throw fail('the build has no app image');
  const size = await fileSize(app.file);
  if (size !== null && size > target.size) {
    throw fail(`the app (${app.file}, ${size} bytes) does not fit "${label}" (${target.size} bytes)`);
  }
  return {
    ...app,
    offset: target.offset,
    label: target.name,
    partition: target,
    source: { kind: 'cli', detail: `--to ${label}` },
  };
}

function validNames(regions: DraftRegion[]): string[] {
  return [...new Set(regions.flatMap(namesOf))];
}

function namesOf(region: DraftRegion): string[] {
  const names: string[] = [region.role, canonical(region.entry)];
  if (region.label) names.push(region.label);
  return [...new Set(names)];
}

function canonical(name: string): string {
  return name === 'partition_table' ? 'partition-table' : name;
}

function describe(p: Partition): string {
  return `${p.name} (${hex(p.offset)}, ${p.size} bytes)`;
}

function quoteList(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

async function fileSize(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}
