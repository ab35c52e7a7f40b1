// The stable JSON form of a plan (`espflash plan --json`): plain values, offsets and sizes as numbers,
// and, only when asked, a `sources` object saying where each value came from.

import type { Source } from '../provenance.js';
import type { FlashPlan, RegionRole } from './types.js';

/** One region in JSON. */
export interface PlanRegionJson {
  offset: number;
  size: number;
  file: string;
  role: RegionRole;
  label: string | null;
  encrypted: boolean;
  sha256: string;
}

/** Where each value came from (mirrors the value layout). */
export interface PlanSourcesJson {
  chip: Source;
  flash: { mode: Source; freq: Source; size: Source };
  before: Source;
  after: Source;
  stub: Source;
  /** One per region, in the same order. */
  regions: Source[];
}

/** The JSON form. Key order is fixed: chip, flash, before, after, stub, regions (, sources). */
export interface PlanJson {
  chip: string;
  flash: { mode: string; freq: string; size: string };
  before: string;
  after: string;
  stub: boolean;
  regions: PlanRegionJson[];
  sources?: PlanSourcesJson;
}

/** Convert a plan; `showSources` adds the `sources` object. */
export function planToJson(plan: FlashPlan, options: { showSources?: boolean } = {}): PlanJson {
  const json: PlanJson = {
    chip: plan.chip.value,
    flash: { mode: plan.flash.mode.value, freq: plan.flash.freq.value, size: plan.flash.size.value },
    before: plan.before.value,
    after: plan.after.value,
    stub: plan.stub.value,
    regions: plan.regions.map((r) => ({
      offset: r.offset,
      size: r.size,
      file: r.file,
      role: r.role,
      label: r.label,
      encrypted: r.encrypted,
      sha256: r.sha256,
    })),
  };
  if (options.showSources) {
    json.sources = {
      chip: plan.chip.source,
      flash: { mode: plan.flash.mode.source, freq: plan.flash.freq.source, size: plan.flash.size.source },
      before: plan.before.source,
      after: plan.after.source,
      stub: plan.stub.source,
      regions: plan.regions.map((r) => r.source),
    };
  }
  return json;
}
