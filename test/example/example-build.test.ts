import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pako from 'pako';
import { afterAll, describe, expect, it } from 'vitest';
import { CHIP_NAMES, type ChipName } from '../../src/chips/chips.js';
import { type ExampleBuildOptions, generateExampleBuild } from '../../src/example/example-build.js';
import { describeHeaderFlashParams } from '../../src/image/flash-params.js';
import { assertImageValid } from '../../src/image/image-parse.js';

// Bootloader offsets from IMAGE_FORMAT.md §1 (independent of the chip table).
const BOOTLOADER_OFFSET: Record<ChipName, number> = {
  esp8266: 0x0,
  esp32: 0x1000,
  esp32s2: 0x1000,
  esp32s3: 0x0,
  esp32c2: 0x0,
  esp32c3: 0x0,
  esp32c5: 0x2000,
  esp32c6: 0x0,
  esp32c61: 0x0,
  esp32h2: 0x0,
  esp32p4: 0x2000,
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function generate(options: Omit<ExampleBuildOptions, 'dir'> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-example-'));
  dirs.push(dir);
  const build = await generateExampleBuild({ dir, ...options });
  const read = (rel: string) => readFileSync(join(build.buildDir, rel));
  const json = JSON.parse(read('flasher_args.json').toString('utf8'));
  return { dir, build, read, json };
}

/** Decode partition table entries (0xAA50 records) without the code under test. */
function decodeTable(bytes: Uint8Array) {
  const rows: { label: string; type: number; subtype: number; offset: number; size: number }[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 32 <= bytes.length && bytes[at] === 0xaa && bytes[at + 1] === 0x50; at += 32) {
    const label = Buffer.from(bytes.subarray(at + 12, at + 28))
      .toString('latin1')
      .replace(/\0.*$/s, '');
    rows.push({
      label,
      type: bytes[at + 2]!,
      subtype: bytes[at + 3]!,
      offset: view.getUint32(at + 4, true),
      size: view.getUint32(at + 8, true),
    });
  }
  return rows;
}

describe('generateExampleBuild', () => {
  it.each(CHIP_NAMES.map((c) => [c]))('%s: valid images at the offsets ESP-IDF uses', async (chip) => {
    const { build, read, json } = await generate({ chip });
    const boot = read('bootloader/bootloader.bin');
    const app = read('hello_world.bin');
    const bootImage = assertImageValid(boot, { chip, file: 'bootloader.bin' });
    const appImage = assertImageValid(app, { chip, file: 'hello_world.bin' });
    expect(BOOTLOADER_OFFSET[chip] + boot.length).toBeLessThanOrEqual(0x8000);

    const files = Object.fromEntries(
      Object.entries(json.flash_files).map(([k, v]) => [v, Number.parseInt(k, 16)]),
    );
    expect(files['bootloader/bootloader.bin']).toBe(BOOTLOADER_OFFSET[chip]);
    expect(files['partition_table/partition-table.bin']).toBe(0x8000);
    expect(files['hello_world.bin']).toBe(0x10000);
    expect(json.bootloader.offset).toBe(`0x${BOOTLOADER_OFFSET[chip].toString(16)}`);
    expect(json.extra_esptool_args.chip).toBe(chip === 'esp8266' ? undefined : chip);

    // The headers carry what flasher_args.json says.
    for (const image of [bootImage, appImage]) {
      const decoded = describeHeaderFlashParams(image, chip);
      expect(decoded.mode).toBe(json.flash_settings.flash_mode);
      expect(decoded.freq).toBe(json.flash_settings.flash_freq);
      expect(decoded.size).toBe(json.flash_settings.flash_size);
    }
    if (chip !== 'esp8266') {
      expect(appImage.appDesc?.projectName).toBe('hello_world');
      expect(bootImage.bootloaderDesc?.idfVer).toMatch(/^v5\./);
    }
    const table = decodeTable(read('partition_table/partition-table.bin'));
    expect(table.find((r) => r.label === 'factory')).toMatchObject({ type: 0, offset: 0x10000 });
    expect(build.files.app).toBe(join(build.buildDir, 'hello_world.bin'));
    expect(build.files.otadata).toBeUndefined();
    const desc = JSON.parse(read('project_description.json').toString('utf8'));
    expect(desc.app_bin).toBe('hello_world.bin');
    const sdk = JSON.parse(read('config/sdkconfig.json').toString('utf8'));
    expect(sdk.IDF_TARGET).toBe(chip);
    expect(sdk.PARTITION_TABLE_OFFSET).toBe(0x8000);
  });

  it('is deterministic: same seed → same bytes; another seed → another app', async () => {
    const a = await generate({ chip: 'esp32s3', seed: 42 });
    const b = await generate({ chip: 'esp32s3', seed: 42 });
    const c = await generate({ chip: 'esp32s3', seed: 43 });
    for (const rel of [
      'bootloader/bootloader.bin',
      'partition_table/partition-table.bin',
      'hello_world.bin',
      'flasher_args.json',
      'flash_args',
    ]) {
      expect(a.read(rel).equals(b.read(rel)), rel).toBe(true);
    }
    expect(a.read('hello_world.bin').equals(c.read('hello_world.bin'))).toBe(false);
  });

  it('images are newer than flasher_args.json, as after a real build (no stale-image warnings)', async () => {
    const { build } = await generate({ withOtadata: true });
    const layoutTime = statSync(join(build.buildDir, 'flasher_args.json')).mtimeMs;
    for (const file of Object.values(build.files)) expect(statSync(file).mtimeMs).toBeGreaterThan(layoutTime);
  });

  it('app size follows appSize and compresses like code (neither random nor trivial)', async () => {
    const { read } = await generate({ appSize: 400 * 1024 });
    const app = read('hello_world.bin');
    expect(Math.abs(app.length - 400 * 1024)).toBeLessThan(1024);
    const ratio = pako.deflate(app).length / app.length;
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(0.75);
  });

  it('withOtadata: two OTA slots, otadata image of 8 KiB 0xFF at 0xd000', async () => {
    const { build, read, json } = await generate({ withOtadata: true, flashSize: '4MB' });
    const otadata = read('ota_data_initial.bin');
    expect(otadata.length).toBe(0x2000);
    expect(otadata.every((b) => b === 0xff)).toBe(true);
    expect(json.flash_files['0xd000']).toBe('ota_data_initial.bin');
    expect(json.otadata).toEqual({ offset: '0xd000', file: 'ota_data_initial.bin', encrypted: 'false' });
    expect(build.files.otadata).toBe(join(build.buildDir, 'ota_data_initial.bin'));
    const table = decodeTable(read('partition_table/partition-table.bin'));
    expect(table.map((r) => r.label)).toEqual(['nvs', 'otadata', 'phy_init', 'factory', 'ota_0', 'ota_1']);
    expect(table.find((r) => r.label === 'otadata')).toMatchObject({
      type: 1,
      subtype: 0,
      offset: 0xd000,
      size: 0x2000,
    });
    expect(table.find((r) => r.label === 'ota_1')).toMatchObject({ type: 0, subtype: 0x11 });
    expect(read('flash_args').toString()).toMatch(/\n0xd000 ota_data_initial\.bin\n$/);
  });

  it('qio is written as dio, like ESP-IDF; flash settings reach the headers', async () => {
    const { read, json } = await generate({
      chip: 'esp32c2',
      flashMode: 'qio',
      flashFreq: '60m',
      flashSize: '2MB',
    });
    expect(json.flash_settings).toEqual({ flash_mode: 'dio', flash_size: '2MB', flash_freq: '60m' });
    const boot = read('bootloader/bootloader.bin');
    expect(boot[2]).toBe(2);
    expect(boot[3]).toBe(0x1f); // 2MB, C2 60m = 0xF
    expect(read('flash_args').toString().split('\n')[0]).toBe(
      '--flash_mode dio --flash_freq 60m --flash_size 2MB',
    );
  });

  it('v4.1 shape: string stub, partition_table key, no encrypted, size detect in JSON only', async () => {
    const { read, json } = await generate({ idfVersion: 'v4.1' });
    expect(json.extra_esptool_args).toEqual({
      after: 'hard_reset',
      before: 'default_reset',
      stub: 'TRUE',
      chip: 'esp32',
    });
    expect(json.partition_table).toEqual({ offset: '0x8000', file: 'partition_table/partition-table.bin' });
    expect(json.flash_settings.flash_size).toBe('detect');
    expect(read('flash_project_args').toString()).toMatch(/--flash_size 4MB\n/);
    const app = assertImageValid(read('hello_world.bin'), { chip: 'esp32' });
    expect(app.extended).toMatchObject({ minRevFull: 0, maxRevFull: 0 });
    expect(app.appDesc?.idfVer).toBe('v4.1.2');
    expect(
      assertImageValid(read('bootloader/bootloader.bin'), { chip: 'esp32' }).bootloaderDesc,
    ).toBeUndefined();
  });

  it('v3.3 shape: five flash_files slots with duplicate empty keys, bootloader on the options line', async () => {
    const { read, json } = await generate({ idfVersion: 'v3.3' });
    const text = read('flasher_args.json').toString();
    expect(text.match(/"" : ""/g)).toHaveLength(2);
    expect(json.extra_esptool_args).toEqual({ after: 'hard_reset', before: 'default_reset' });
    expect(json.otadata).toEqual({ offset: '', file: '' });
    expect(read('flash_project_args').toString().split('\n')[0]).toBe(
      '--flash_mode dio --flash_freq 40m --flash_size 4MB 0x1000 bootloader/bootloader.bin',
    );
  });

  it('rejects impossible options with usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espflash-example-bad-'));
    dirs.push(dir);
    const fails = (options: Omit<ExampleBuildOptions, 'dir'>) => generateExampleBuild({ dir, ...options });
    await expect(fails({ chip: 'esp32c3', idfVersion: 'v4.1' })).rejects.toMatchObject({
      code: 'example/unsupported-target',
      exitCode: 2,
    });
    await expect(fails({ flashSize: '1MB', appSize: 2 * 1024 * 1024 })).rejects.toMatchObject({
      code: 'example/app-too-large',
    });
    await expect(fails({ projectName: '../evil' })).rejects.toMatchObject({
      code: 'example/bad-project-name',
    });
    await expect(fails({ chip: 'esp32c2', flashFreq: '80m' })).rejects.toMatchObject({
      code: 'image/bad-flash-freq',
    });
    await expect(fails({ flashSize: 'detect' })).rejects.toMatchObject({
      code: 'example/bad-flash-settings',
    });
    expect(existsSync(join(dir, 'build'))).toBe(false);
  });
});
