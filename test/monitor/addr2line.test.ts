import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSymbolizer,
  parseAddr2line,
  resolveSymbolSource,
  toolPrefixForChip,
} from '../../src/monitor/addr2line.js';
import { type FakeToolchain, fakeToolchain } from './support/fake-toolchain.js';

describe('resolveSymbolSource', () => {
  let tc: FakeToolchain | null = null;
  afterEach(async () => {
    await tc?.cleanup();
    tc = null;
  });

  it('takes the ELF and prefix from project_description.json', async () => {
    tc = await fakeToolchain({ prefix: 'xtensa-esp32s3-elf-', target: 'esp32s3' });
    expect(await resolveSymbolSource({ buildDir: tc.buildDir })).toEqual({
      elf: tc.elf,
      toolPrefix: 'xtensa-esp32s3-elf-',
      arch: 'xtensa',
    });
  });

  it('finds the ELF next to a description written on another machine', async () => {
    tc = await fakeToolchain({ prefix: 'riscv32-esp-elf-', target: 'esp32c3' });
    await writeFile(
      join(tc.buildDir, 'project_description.json'),
      JSON.stringify({ target: 'esp32c3', app_elf: '/home/ci/proj/build/app.elf', monitor_toolprefix: '' }),
    );
    expect(await resolveSymbolSource({ buildDir: tc.buildDir })).toEqual({
      elf: tc.elf,
      toolPrefix: 'riscv32-esp-elf-',
      arch: 'riscv',
    });
  });

  it('lets explicit options win and falls back to the chip', async () => {
    expect(await resolveSymbolSource({ elf: '/x/app.elf', chip: 'esp32' })).toEqual({
      elf: '/x/app.elf',
      toolPrefix: 'xtensa-esp32-elf-',
      arch: 'xtensa',
    });
    expect(await resolveSymbolSource({ elf: '/x/app.elf', toolPrefix: 'my-' })).toMatchObject({
      toolPrefix: 'my-',
    });
    expect(await resolveSymbolSource({})).toEqual({ elf: null, toolPrefix: null, arch: null });
  });

  it('maps chips to ESP-IDF tool prefixes', () => {
    expect(toolPrefixForChip('esp32')).toBe('xtensa-esp32-elf-');
    expect(toolPrefixForChip('esp32s2')).toBe('xtensa-esp32s2-elf-');
    expect(toolPrefixForChip('esp32c6')).toBe('riscv32-esp-elf-');
    expect(toolPrefixForChip('esp32p4')).toBe('riscv32-esp-elf-');
  });
});

describe('createSymbolizer', () => {
  let tc: FakeToolchain | null = null;
  afterEach(async () => {
    await tc?.cleanup();
    tc = null;
  });

  it('runs <prefix>addr2line -pfiaC -e <elf> and drops unknown addresses', async () => {
    tc = await fakeToolchain({ prefix: 'xtensa-esp32-elf-', target: 'esp32' });
    const sym = createSymbolizer({
      source: await resolveSymbolSource({ buildDir: tc.buildDir }),
      env: tc.env,
    });
    const decoded = await sym.decode([0x400d1234, 0x40081111, 0x400d5678]);
    expect(decoded).toEqual([
      { address: 0x400d1234, text: 'app_main at /proj/main/main.c:12' },
      {
        address: 0x400d5678,
        text: 'crash_here at /proj/main/main.c:7\n(inlined by) app_main at /proj/main/main.c:14',
      },
    ]);
    expect(sym.takeNote()).toBeNull();
    expect(await readFile(tc.logFile, 'utf8')).toBe(`-pfiaC -e ${tc.elf} 0x400d1234 0x40081111 0x400d5678\n`);
  });

  it('notes once and decodes nothing when the tool is missing', async () => {
    tc = await fakeToolchain({ prefix: 'riscv32-esp-elf-', target: 'esp32c3', noTool: true });
    const sym = createSymbolizer({
      source: await resolveSymbolSource({ buildDir: tc.buildDir }),
      env: tc.env,
    });
    expect(await sym.decode([0x42000abc])).toEqual([]);
    expect(sym.takeNote()).toMatch(/riscv32-esp-elf-addr2line is not on PATH.*undecoded/);
    expect(sym.takeNote()).toBeNull();
    expect(await sym.decode([0x42000abc])).toEqual([]);
    expect(sym.takeNote()).toBeNull();
  });

  it('notes a missing ELF without running the tool', async () => {
    tc = await fakeToolchain({ prefix: 'xtensa-esp32-elf-', target: 'esp32' });
    const sym = createSymbolizer({
      source: { elf: join(tc.dir, 'nope.elf'), toolPrefix: 'xtensa-esp32-elf-', arch: 'xtensa' },
      env: tc.env,
    });
    expect(await sym.decode([0x400d1234])).toEqual([]);
    expect(sym.takeNote()).toContain('nope.elf does not exist');
    expect(await readFile(tc.logFile, 'utf8')).toBe('');
  });
});

describe('parseAddr2line', () => {
  it('parses entries and inlined frames and drops ?? ones', () => {
    const out = parseAddr2line(
      '0x400d1234: app_main at main.c:12\n0x40000000: ?? ??:0\n0x400d5678: a at x.c:1\n (inlined by) b at y.c:2\n',
    );
    expect(out).toEqual([
      { address: 0x400d1234, text: 'app_main at main.c:12' },
      { address: 0x400d5678, text: 'a at x.c:1\n(inlined by) b at y.c:2' },
    ]);
  });
});
