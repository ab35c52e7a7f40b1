// Progress as plain lines for logs and CI (no cursor movement): one line per region start, every
// 25 % of progress, and the verify/skip result.

import { hex } from '../../core/protocol/bytes.js';
import type { CliContext } from '../context.js';
import { describeEvent, formatBytes, regionName } from './describe-event.js';
import type { Reporter } from './reporter.js';

/** Plain-line reporter writing to stderr. */
export function createPlainReporter(ctx: CliContext): Reporter {
  const line = (t: string) => ctx.io.stderr(`${t}\n`);
  const names = new Map<number, string>();
  const quarters = new Map<number, number>();
  const readQuarters = new Map<number, number>();
  return {
    finish: () => {},
    onEvent: (e) => {
      switch (e.type) {
        case 'region-start':
          names.set(e.index, regionName(e));
          quarters.set(e.index, 0);
          line(`Writing ${regionName(e)} (${formatBytes(e.size)})`);
          return;
        case 'region-progress': {
          const q = Math.floor((e.written / Math.max(1, e.total)) * 4);
          if (q > (quarters.get(e.index) ?? 0) && q < 4) {
            quarters.set(e.index, q);
            line(`  ${names.get(e.index) ?? hex(e.offset)}: ${q * 25}%`);
          }
          return;
        }
        case 'region-skipped':
          line(`  ${names.get(e.index) ?? hex(e.offset)}: unchanged on the device, skipped`);
          return;
        case 'region-verified':
          line(`  ${names.get(e.index) ?? hex(e.offset)}: written and verified (md5 ${e.md5})`);
          return;
        case 'read-progress': {
          // One line per read; large reads (≥ 1 MiB) also report every 25 %.
          const q = Math.floor((e.read / Math.max(1, e.total)) * 4);
          const last = readQuarters.get(e.offset);
          if (last === undefined) line(`Reading ${formatBytes(e.total)} at ${hex(e.offset)}`);
          else if (q > last && q < 4 && e.total >= 1 << 20) line(`  read ${hex(e.offset)}: ${q * 25}%`);
          readQuarters.set(e.offset, Math.max(q, last ?? 0));
          return;
        }
        default: {
          const text = describeEvent(e);
          if (text !== null) line(text);
        }
      }
    },
  };
}
