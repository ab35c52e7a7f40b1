// `espflash plan`: show what would be flashed from the ESP-IDF build (regions, settings with their
// sources, the equivalent esptool command) without touching a device; `--json` prints one object.

import { relative } from 'node:path';
import type { Argv } from 'yargs';
import { ENCRYPTED_REGIONS_RULE } from '../../api/flash-encryption.js';
import { describeResolved } from '../../config/resolve-options.js';
import { hex } from '../../core/protocol/bytes.js';
import { resetModeLabel } from '../../core/settings.js';
import type { Logger } from '../../logger.js';
import { equivalentCommands } from '../../plan/esptool-command.js';
import { planToJson } from '../../plan/plan-json.js';
import type { FlashPlan } from '../../plan/types.js';
import { describeSource, type Source } from '../../provenance.js';
import { prepareTask } from '../../tasks/run-task.js';
import { type TaskPlanStep, taskPlan } from '../../tasks/task-plan.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { planFromCli } from '../flows/plan.js';
import { taskSetup } from '../flows/task.js';
import { addDeviceOptions, addProjectOptions, resolveCliOptions } from '../shared-options.js';

export const planCommand = defineCommand({
  command: 'plan',
  describe: 'Show what would be flashed from the ESP-IDF build, with where every value came from',
  examples: [
    ['$0 plan', 'Plan from ./build (or the current dir when it is a build dir)'],
    ['$0 plan --build-dir path/to/build --json', 'The plan as one JSON object'],
    ['$0 plan --to ota_1', 'Only the app, written into the ota_1 partition'],
    ['$0 plan --only app,storage --show-config', 'Two regions, with the source of every value'],
    ['$0 plan --task factory --json', 'What each step of the factory task would touch'],
  ],
  builder: (y: Argv) =>
    addDeviceOptions(addProjectOptions(y))
      .option('allow-stale', {
        type: 'boolean',
        default: false,
        describe:
          'Plan even if the app image was not built from the ELF next to it (embedded ELF SHA-256 differs)',
      })
      .option('show-config', { type: 'boolean', default: false, describe: 'Show the source of every value' })
      .option('task', {
        type: 'string',
        describe: 'Plan a task of the config instead: what each step would write, erase or read, and where',
      }),
  handler: async (args, ctx) => {
    if (args.task !== undefined) return planTask(args, ctx, args.task);
    // stdout must carry exactly one JSON object: with --json, warnings go into it.
    const warnings: string[] = [];
    const { plan, resolved } = await planFromCli(args, ctx, {
      allowStale: args.allowStale,
      ...(ctx.json ? { logger: collectingLogger(warnings) } : {}),
    });
    const showSources = args.showConfig;
    const esptool = {
      cwd: ctx.io.cwd,
      ...(resolved.port ? { port: resolved.port.value } : {}),
      ...(resolved.baud ? { baud: resolved.baud.value } : {}),
      ...(resolved.project ? { projectDir: resolved.project.value } : {}),
      regionsSelected: args.only !== undefined || args.to !== undefined,
    };
    const notes = plan.regions.some((r) => r.encrypted) ? [ENCRYPTED_REGIONS_RULE] : [];
    if (ctx.json) {
      ctx.emitJson({
        ...planToJson(plan, { showSources }),
        commands: equivalentCommands(plan, esptool),
        ...(warnings.length ? { warnings } : {}),
        ...(notes.length ? { notes } : {}),
      });
    } else
      ctx.print(
        renderPlan(plan, { ...esptool, showSources, config: showSources ? describeResolved(resolved) : [] }),
      );
    return 0;
  },
});

/** Keeps warnings for the --json object (stdout carries exactly one object). */
function collectingLogger(warnings: string[]): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (m) => warnings.push(m),
  };
}

/** The human-readable plan: settings with sources, a region table, and the esptool equivalent. */
export function renderPlan(
  plan: FlashPlan,
  options: {
    cwd: string;
    showSources: boolean;
    port?: string;
    baud?: number;
    projectDir?: string;
    regionsSelected?: boolean;
    config?: Array<{ key: string; value: string; source: string }>;
  },
): string {
  const rel = (p: string) => relative(options.cwd, p) || '.';
  const src = (s: Source) => describeSource(s.detail?.startsWith('/') ? { ...s, detail: rel(s.detail) } : s);
  const settings: Array<[string, string, Source]> = [
    ['chip', plan.chip.value, plan.chip.source],
    ['flash mode', plan.flash.mode.value, plan.flash.mode.source],
    ['flash freq', plan.flash.freq.value, plan.flash.freq.source],
    ['flash size', plan.flash.size.value, plan.flash.size.source],
    ['before', resetModeLabel(plan.before.value), plan.before.source],
    ['after', resetModeLabel(plan.after.value), plan.after.source],
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
  if (plan.regions.some((r) => r.encrypted)) lines.push(`  note: ${ENCRYPTED_REGIONS_RULE}.`);
  for (const s of plan.stale ?? []) {
    lines.push(
      s.basis === 'content'
        ? `  stale: ${rel(s.file)} (${s.entry}) was not built from ${rel(s.newerThan)} (ELF SHA-256 differs)`
        : `  older: ${rel(s.file)} (${s.entry}) is older than ${rel(s.newerThan)} (file times only)`,
    );
  }
  if (options.config?.length) {
    lines.push('', 'options (CLI > env > config file):');
    for (const row of options.config)
      lines.push(`  ${row.key.padEnd(16)} ${row.value.padEnd(14)} ${row.source}`);
  }
  const commands = equivalentCommands(plan, options);
  lines.push(
    '',
    'esptool v5 equivalent:',
    `  ${commands.esptool}`,
    'idf.py equivalent:',
    `  ${commands.idfPy}`,
  );
  if (commands.idfPyDiffers.length)
    lines.push(`  (idf.py uses the build's own ${commands.idfPyDiffers.join(', ')}, not this plan's)`);
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

/**
 * `plan --task <name>`: the checks `run` makes before touching a device, then what each step would
 * write, erase or read and where (no device is opened).
 */
async function planTask(args: Record<string, unknown>, ctx: CliContext, name: string): Promise<number> {
  const resolved = await resolveCliOptions(args, ctx);
  const setup = await taskSetup(resolved, ctx, name);
  const prepared = await prepareTask({
    ...setup,
    after: 'hard_reset',
    open: () => Promise.reject(new Error('plan --task never opens a device')),
  });
  const steps = taskPlan({ steps: setup.steps, prepared, baseDir: setup.baseDir });
  if (ctx.json) ctx.emitJson({ event: 'task-plan', task: name, steps });
  else ctx.print(renderTaskPlan(name, steps, ctx.io.cwd));
  return 0;
}

/** The human-readable task plan: one line per step, one indented line per range it touches. */
export function renderTaskPlan(name: string, steps: TaskPlanStep[], cwd: string): string {
  const lines = [`Task ${name}: ${steps.length} step(s)`];
  for (const s of steps) {
    lines.push(`  ${String(s.index + 1).padStart(2)}. ${s.description}`);
    if (s.planAfterBuild) lines.push('      (regions known after the build step)');
    for (const r of s.ranges) {
      const at = r.offset === null ? '(from the device table)' : hex(r.offset);
      const size =
        r.size === null ? (s.kind === 'erase' && r.offset === 0 ? 'whole flash' : '') : `${r.size} bytes`;
      const what = r.label ?? r.role ?? '';
      lines.push(
        `      ${at.padEnd(10)} ${size.padEnd(14)} ${what.padEnd(16)} ${r.file ? relative(cwd, r.file) : ''}`.trimEnd(),
      );
    }
  }
  return lines.join('\n');
}
