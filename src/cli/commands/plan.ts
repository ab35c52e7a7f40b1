// `espflash plan`: show what would be flashed from the ESP-IDF build (regions, settings with their
// sources, the equivalent esptool command) without touching a device; `--json` prints one object.

import { relative } from 'node:path';
import type { Argv } from 'yargs';
import { type ChipName, parseChipName } from '../../chips/chips.js';
import { hex } from '../../core/bytes.js';
import { UsageError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { derivePlan, type PlanOverrides } from '../../plan/derive-plan.js';
import { esptoolCommand } from '../../plan/esptool-command.js';
import { planToJson } from '../../plan/plan-json.js';
import type { FlashPlan } from '../../plan/types.js';
import { locateBuildDir } from '../../project/locate-build.js';
import { describeSource, type Source, type Sourced } from '../../provenance.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';

const cli = (flag: string): Source => ({ kind: 'cli', detail: flag });

export const planCommand = defineCommand({
  command: 'plan',
  describe: 'Show what would be flashed from the ESP-IDF build, with where every value came from',
  examples: [
    ['$0 plan', 'Plan from ./build (or the current dir when it is a build dir)'],
    ['$0 plan --build-dir path/to/build --json', 'The plan as one JSON object'],
    ['$0 plan --to ota_1', 'Only the app, written into the ota_1 partition'],
    ['$0 plan --only app,storage --show-config', 'Two regions, with the source of every value'],
  ],
  builder: (y: Argv) =>
    y
      .option('build-dir', { type: 'string', describe: 'ESP-IDF build directory (default: ./build or .)' })
      .option('project', { type: 'string', describe: 'ESP-IDF project directory (uses its build/)' })
      .option('chip', { type: 'string', describe: 'Target chip (default: from the build)' })
      .option('flash-mode', { type: 'string', describe: 'qio, qout, dio, dout or keep' })
      .option('flash-freq', { type: 'string', describe: 'e.g. 40m, 80m, or keep' })
      .option('flash-size', { type: 'string', describe: 'e.g. 4MB, detect or keep' })
      .option('before', { type: 'string', describe: 'Reset before connecting (default_reset, no_reset, …)' })
      .option('after', { type: 'string', describe: 'Reset after flashing (hard_reset, no_reset, …)' })
      .option('stub', { type: 'boolean', describe: 'Use the flasher stub (--no-stub to talk to the ROM)' })
      .option('to', { type: 'string', describe: 'Write only the app, into this app partition (label)' })
      .option('only', { type: 'string', describe: 'Comma-separated roles or partition labels to keep' })
      .option('allow-stale', {
        type: 'boolean',
        default: false,
        describe: 'Plan even if images are older than the build files',
      })
      .option('show-config', { type: 'boolean', default: false, describe: 'Show the source of every value' }),
  handler: async (args, ctx) => {
    const overrides = overridesFrom(args);
    const located = await locateBuildDir({
      cwd: ctx.io.cwd,
      ...(typeof args.buildDir === 'string'
        ? { buildDir: { value: args.buildDir, source: cli('--build-dir') } }
        : {}),
      ...(typeof args.project === 'string'
        ? { project: { value: args.project, source: cli('--project') } }
        : {}),
    });
    const plan = await derivePlan({
      buildDir: located.buildDir,
      overrides,
      logger: ctx.json ? stderrLogger(ctx) : ctx.logger,
      allowStale: Boolean(args.allowStale),
    });
    const showSources = Boolean(args.showConfig);
    if (ctx.json) ctx.emitJson(planToJson(plan, { showSources }));
    else ctx.print(renderPlan(plan, { cwd: ctx.io.cwd, showSources }));
    return 0;
  },
});

function overridesFrom(args: Record<string, unknown>): PlanOverrides {
  const o: PlanOverrides = {};
  const text = (key: string, flag: string): Sourced<string> | undefined =>
    typeof args[key] === 'string' ? { value: args[key] as string, source: cli(flag) } : undefined;
  if (typeof args.chip === 'string') o.chip = { value: chipArg(args.chip), source: cli('--chip') };
  const set = <K extends 'flashMode' | 'flashFreq' | 'flashSize' | 'before' | 'after'>(
    k: K,
    flag: string,
  ) => {
    const v = text(k, flag);
    if (v) o[k] = v;
  };
  set('flashMode', '--flash-mode');
  set('flashFreq', '--flash-freq');
  set('flashSize', '--flash-size');
  set('before', '--before');
  set('after', '--after');
  if (typeof args.stub === 'boolean')
    o.stub = { value: args.stub, source: cli(args.stub ? '--stub' : '--no-stub') };
  if (typeof args.to === 'string') o.to = args.to;
  if (typeof args.only === 'string') o.only = args.only.split(',');
  return o;
}

function chipArg(text: string): ChipName {
  const chip = parseChipName(text);
  if (!chip) {
    throw new UsageError('plan/bad-chip', `--chip "${text}" is not a chip espflash knows`, {
      hint: 'Pass --chip with one of: esp8266, esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c5, esp32c6, esp32c61, esp32h2, esp32p4.',
      details: { value: text },
    });
  }
  return chip;
}

/** In --json mode stdout carries exactly one object, so warnings go to stderr as text. */
function stderrLogger(ctx: CliContext): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (m) => ctx.io.stderr(`warning: ${m}\n`),
  };
}

/** The human-readable plan: settings with sources, a region table, and the esptool equivalent. */
export function renderPlan(plan: FlashPlan, options: { cwd: string; showSources: boolean }): string {
  const rel = (p: string) => relative(options.cwd, p) || '.';
  const src = (s: Source) => describeSource(s.detail?.startsWith('/') ? { ...s, detail: rel(s.detail) } : s);
  const settings: Array<[string, string, Source]> = [
    ['chip', plan.chip.value, plan.chip.source],
    ['flash mode', plan.flash.mode.value, plan.flash.mode.source],
    ['flash freq', plan.flash.freq.value, plan.flash.freq.source],
    ['flash size', plan.flash.size.value, plan.flash.size.source],
    ['before', plan.before.value, plan.before.source],
    ['after', plan.after.value, plan.after.source],
    ['stub', String(plan.stub.value), plan.stub.source],
  ];
  const lines = [`Flash plan for ${rel(plan.buildDir)}`, ''];
  for (const [name, value, source] of settings)
    lines.push(`  ${name.padEnd(11)} ${value.padEnd(14)} ${src(source)}`);
  lines.push('');
  const header = [
    'offset',
    'size',
    'role',
    'label',
    'encrypted',
    'file',
    ...(options.showSources ? ['source'] : []),
  ];
  const rows = plan.regions.map((r) => [
    hex(r.offset),
    String(r.size),
    r.role,
    r.label ?? '-',
    r.encrypted ? 'yes' : 'no',
    rel(r.file),
    ...(options.showSources ? [src(r.source)] : []),
  ]);
  lines.push(...table([header, ...rows]).map((l) => `  ${l}`));
  for (const s of plan.stale ?? [])
    lines.push(`  stale: ${rel(s.file)} (${s.entry}) is older than ${rel(s.newerThan)}`);
  lines.push('', 'esptool equivalent:', `  ${esptoolCommand(plan, { cwd: options.cwd })}`);
  return lines.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
