// flashProject as the one flash job: plan from a build located from the given cwd, events to the
// sink, fast reflash, and Ctrl+C-style aborts that stop between blocks with the caller's coded error
// and still close the device. In-process sim on a virtual clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flashProject } from '../../src/api/flash-project.js';
import { EspflashError } from '../../src/errors.js';
import type { FlashEvent } from '../../src/events.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-flash-project-'));
  dirs.push(dir);
  await generateExampleBuild({ dir, appSize: 96 * 1024 });
  return dir;
}

function simDevice() {
  const clock = new VirtualClock();
  const transport = createSimTransport({ chip: 'esp32', clock });
  const close = vi.spyOn(transport, 'close');
  return { clock, transport, close };
}

describe('flashProject', () => {
  it('locates the build from the given cwd, flashes and verifies it, resets, and reports every step', async () => {
    const dir = await project();
    const { clock, transport, close } = simDevice();
    const events: FlashEvent[] = [];
    const { plan, summary } = await flashProject({
      cwd: dir,
      buildDir: 'build',
      transport,
      clock,
      onEvent: (e) => events.push(e),
    });
    expect(plan.buildDir).toBe(join(dir, 'build'));
    expect(summary.regions.map((r) => r.status)).toEqual(plan.regions.map(() => 'written'));
    expect(summary.regions.every((r) => r.verified)).toBe(true);
    const app = plan.regions.find((r) => r.role === 'app')!;
    const onChip = transport.device.flash.read(app.offset, 16);
    expect(onChip[0]).toBe(0xe9);
    const types = events.map((e) => e.type);
    expect(types).toContain('connected');
    expect(types.filter((t) => t === 'region-verified')).toHaveLength(plan.regions.length);
    // The reset comes after the flash is done.
    expect(types.indexOf('reset')).toBeGreaterThan(types.indexOf('done'));
    expect(close).toHaveBeenCalled();
  });

  it('stops between blocks with the abort reason when the signal fires, and closes the device', async () => {
    const dir = await project();
    const { clock, transport, close } = simDevice();
    const ac = new AbortController();
    const events: FlashEvent[] = [];
    const run = flashProject({
      cwd: dir,
      transport,
      clock,
      signal: ac.signal,
      onEvent: (e) => {
        events.push(e);
        // Ctrl+C as the CLI sends it: after the first block of the first region.
        if (e.type === 'region-progress' && !ac.signal.aborted) {
          ac.abort(new EspflashError('cli/interrupted', 'Interrupted (Ctrl-C)', { hint: 'Run it again.' }));
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cli/interrupted' });
    expect(close).toHaveBeenCalled();
    const progress = events.filter((e) => e.type === 'region-progress');
    expect(progress.length).toBeGreaterThan(0);
    // Nothing was verified and no reset was sent: the job stopped in the first region.
    expect(events.some((e) => e.type === 'region-verified')).toBe(false);
    expect(events.some((e) => e.type === 'reset')).toBe(false);
  });

  it('fails with project/no-build-dir when the cwd has no build, without opening the device', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-flash-project-empty-'));
    dirs.push(dir);
    const { clock, transport, close } = simDevice();
    await expect(flashProject({ cwd: dir, transport, clock })).rejects.toMatchObject({
      code: 'project/no-build-dir',
    });
    expect(close).not.toHaveBeenCalled();
    await transport.close();
  });
});
