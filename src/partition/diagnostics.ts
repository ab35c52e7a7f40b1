// Error construction shared by the partition modules: a `partition/<reason>` UsageError whose
// details carry the file and CSV line, and a hint naming the file; plus the row -> line map.

import { type CodeIn, UsageError } from '../errors.js';
import type { Partition } from './types.js';

const lineOf = new WeakMap<Partition, number>();

/** Remember the CSV line a partition came from (used for error details by verify). */
export function rememberLine(partition: Partition, line: number): void {
  lineOf.set(partition, line);
}

/** The CSV line a parsed partition came from, if known. */
export function partitionLine(partition: Partition): number | undefined {
  return lineOf.get(partition);
}

/** Where an error points: the file and (when one row is to blame) the CSV line. */
export interface ErrorSite {
  file?: string | undefined;
  line?: number | undefined;
  partition?: Partition | undefined;
}

/** Build a `partition/<reason>` UsageError with `{file, line}` details and a hint naming the file. */
export function partitionError(
  reason: CodeIn<'partition'>,
  message: string,
  site: ErrorSite & { fix?: string; extra?: Record<string, unknown> },
): UsageError {
  const line = site.line ?? (site.partition ? partitionLine(site.partition) : undefined);
  const file = site.file ?? 'the partition table CSV';
  const where = line === undefined ? file : `line ${line} of ${file}`;
  const fix = site.fix ? ` ${site.fix}` : '';
  return new UsageError(`partition/${reason}`, message, {
    hint: `Fix ${where}.${fix}`,
    details: {
      ...(site.file === undefined ? {} : { file: site.file }),
      ...(line === undefined ? {} : { line }),
      ...(site.partition ? { partition: site.partition.name } : {}),
      ...site.extra,
    },
  });
}
