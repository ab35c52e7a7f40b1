// Writes a complete, deterministic ESP-IDF-style build directory (images, partition table,
// flasher_args.json and friends) for `espflash demo` and tests: what `idf.py build` would leave.

import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type ChipName, chipInfo } from '../chips/chips.js';
import { isFixedFlashSize } from '../core/settings.js';
import { type ErrorCode, UsageError } from '../errors.js';
import { flashSizeToBytes, parseFlashFreq, parseFlashMode, parseFlashSize } from '../image/flash-params.js';
import { encodePartitionTable } from '../partition/binary.js';
import { parsePartitionCsv } from '../partition/csv-parse.js';
import {
  type ExampleEntry,
  type ExampleFlavour,
  type ExampleLayout,
  renderFlashArgs,
  renderFlasherArgs,
  renderPartitionCsv,
  renderProjectDescription,
  renderSdkconfigJson,
} from './example-files.js';
import { exampleApp, exampleBootloader } from './example-images.js';

/** Options for {@link generateExampleBuild}. */
export interface ExampleBuildOptions {
  /** Project directory; the build goes to `<dir>/build`. Created when missing. */
  dir: string;
  /** Default `esp32`. */
  chip?: ChipName;
  /** Default `hello_world`. */
  projectName?: string;
  /** Approximate app image size in bytes (default 180 KiB). */
  appSize?: number;
  /** Content seed (default 1): same seed and options give the same bytes. */
  seed?: number;
  /** Default `4MB`. */
  flashSize?: string;
  /** Default `dio`; `qio`/`qout` are written as `dio`, as ESP-IDF does. */
  flashMode?: string;
  /** Default: the chip's build default. */
  flashFreq?: string;
  /** Use a factory + two OTA slots table with otadata (default false: single factory app). */
  withOtadata?: boolean;
  /** File shapes to mimic (default `v5`, i.e. v4.2–v5.5); `v4.1`/`v3.3` are ESP32-only. ESP8266 always gets the RTOS SDK shape. */
  idfVersion?: 'v5' | 'v4.1' | 'v3.3';
}

/** What was written (absolute paths). */
export interface ExampleBuild {
  buildDir: string;
  files: { bootloader: string; partitionTable: string; app: string; otadata?: string };
}

const PARTITION_TABLE_OFFSET = 0x8000;
const APP_OFFSET = 0x10000;
const IDF_VER: Record<ExampleFlavour, string> = {
  v5: 'v5.5.1',
  'v4.1': 'v4.1.2',
  'v3.3': 'v3.3.1',
  'rtos-sdk': 'v3.4',
};

function usage(code: ErrorCode, message: string, hint: string): UsageError {
  return new UsageError(code, message, { hint });
}

function resolveFlavour(chip: ChipName, idfVersion: ExampleBuildOptions['idfVersion']): ExampleFlavour {
  if (chip === 'esp8266') return 'rtos-sdk';
  const v = idfVersion ?? 'v5';
  if (v !== 'v5' && chip !== 'esp32') {
    throw usage(
      'example/unsupported-target',
      `ESP-IDF ${v} build files cannot be generated for ${chipInfo(chip).displayName}; that release only targets the ESP32`,
      'Use idfVersion v5 or chip esp32.',
    );
  }
  return v;
}

/** Partition rows for the chosen table; app slots share what the flash leaves (at most 1 MiB each). */
function partitionRows(flashBytes: number, withOtadata: boolean): ExampleLayout['partitions'] {
  const apps = withOtadata ? 3 : 1;
  const slot = Math.min(0x100000, Math.floor((flashBytes - APP_OFFSET) / apps / 0x10000) * 0x10000);
  if (slot < 0x10000) {
    throw usage(
      'example/flash-too-small',
      `flash of ${flashBytes} bytes leaves no room for ${apps} app partition(s)`,
      'Pass a larger flashSize.',
    );
  }
  const rows = withOtadata
    ? [
        { name: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x4000 },
        { name: 'otadata', type: 'data', subtype: 'ota', offset: 0xd000, size: 0x2000 },
        { name: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
      ]
    : [
        { name: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
        { name: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
      ];
  const appNames = withOtadata ? ['factory', 'ota_0', 'ota_1'] : ['factory'];
  appNames.forEach((name, i) => {
    rows.push({ name, type: 'app', subtype: name, offset: APP_OFFSET + i * slot, size: slot });
  });
  return rows;
}

function cmakeLists(projectName: string): string {
  return `cmake_minimum_required(VERSION 3.16)\ninclude($ENV{IDF_PATH}/tools/cmake/project.cmake)\nproject(${projectName})\n`;
}

async function put(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/**
 * Generate `<dir>/build` as ESP-IDF would leave it: bootloader at the chip's offset, partition
 * table at 0x8000, the app at 0x10000 (plus otadata at 0xd000 with `withOtadata`), and
 * flasher_args.json / flash_args / project_description.json / config/sdkconfig.json describing them.
 * Throws UsageError (`example/…`, `image/bad-flash-…`) for impossible options.
 */
export async function generateExampleBuild(options: ExampleBuildOptions): Promise<ExampleBuild> {
  const chip = options.chip ?? 'esp32';
  const projectName = options.projectName ?? 'hello_world';
  if (!/^[A-Za-z0-9_.-]{1,31}$/.test(projectName)) {
    throw usage(
      'example/bad-project-name',
      `project name "${projectName}" is not a plain file name of 1–31 characters`,
      'Use letters, digits, _ . or -.',
    );
  }
  const flavour = resolveFlavour(chip, options.idfVersion);
  const requestedMode = parseFlashMode(options.flashMode ?? 'dio');
  const mode = requestedMode === 'dout' ? 'dout' : 'dio';
  const freq = parseFlashFreq(chip, options.flashFreq ?? chipInfo(chip).defaultFlashFreq);
  const size = parseFlashSize(chip, options.flashSize ?? '4MB');
  if (freq === 'keep' || !isFixedFlashSize(size)) {
    throw usage(
      'example/bad-flash-settings',
      'an example build needs concrete flash settings, not keep/detect',
      'Pass flashFreq and flashSize values such as 40m and 4MB.',
    );
  }
  const appSize = options.appSize ?? 180 * 1024;
  if (!Number.isInteger(appSize) || appSize < 4096) {
    throw usage(
      'example/bad-app-size',
      `app size ${appSize} must be an integer of at least 4096 bytes`,
      'Pass a larger appSize.',
    );
  }
  const seed = options.seed ?? 1;
  const withOtadata = options.withOtadata ?? false;
  const flash = { mode, freq, size };
  const idfVer = IDF_VER[flavour];

  const flashBytes = flashSizeToBytes(size);
  const buildDir = resolve(options.dir, 'build');
  const entry = (name: ExampleEntry['name'], offset: number, file: string): ExampleEntry => ({
    name,
    offset,
    file,
  });
  const layout: ExampleLayout = {
    chip,
    flavour,
    projectName,
    idfVer,
    flash,
    bootloader: entry('bootloader', chipInfo(chip).bootloaderOffset, 'bootloader/bootloader.bin'),
    partitionTable: entry('partition-table', PARTITION_TABLE_OFFSET, 'partition_table/partition-table.bin'),
    app: entry('app', APP_OFFSET, `${projectName}.bin`),
    otadata: withOtadata ? entry('otadata', 0xd000, 'ota_data_initial.bin') : null,
    partitions: partitionRows(flashBytes, withOtadata),
  };

  const bootloader = exampleBootloader({ chip, seed, flash, idfVer, withDescriptor: flavour === 'v5' });
  const app = exampleApp({
    chip,
    seed,
    flash,
    projectName,
    idfVer,
    size: appSize,
    legacyIdf: flavour !== 'v5',
  });
  const appSlot = layout.partitions.find((p) => p.name === 'factory')!.size;
  if (app.length > appSlot) {
    throw usage(
      'example/app-too-large',
      `app image of ${app.length} bytes does not fit its ${appSlot}-byte partition on ${size} flash`,
      'Pass a smaller appSize or a larger flashSize.',
    );
  }
  const csv = renderPartitionCsv(layout);
  const table = encodePartitionTable(
    parsePartitionCsv(csv, {
      tableOffset: PARTITION_TABLE_OFFSET,
      flashSize: flashBytes,
      file: 'partitions.csv',
    }),
  );

  const at = (e: ExampleEntry) => join(buildDir, e.file);
  const projectDir = resolve(options.dir);
  // Like a real build: configuration output first (CMake), images after, so nothing looks stale.
  const configFiles: { path: string; text: string }[] = [
    { path: join(projectDir, 'CMakeLists.txt'), text: cmakeLists(projectName) },
    { path: join(projectDir, 'partitions.csv'), text: csv },
    { path: join(buildDir, 'config', 'sdkconfig.json'), text: renderSdkconfigJson(layout) },
    {
      path: join(buildDir, 'project_description.json'),
      text: renderProjectDescription(layout, { projectDir, buildDir }),
    },
    { path: join(buildDir, 'flasher_args.json'), text: renderFlasherArgs(layout) },
    { path: join(buildDir, 'flash_project_args'), text: renderFlashArgs(layout) },
  ];
  if (flavour === 'v5')
    configFiles.push({ path: join(buildDir, 'flash_args'), text: renderFlashArgs(layout) });
  for (const f of configFiles) await put(f.path, f.text);
  await put(at(layout.bootloader), bootloader);
  await put(at(layout.partitionTable), table);
  await put(at(layout.app), app);
  if (layout.otadata) await put(at(layout.otadata), new Uint8Array(0x2000).fill(0xff));
  // Writes within one clock tick share an mtime; backdate the configuration so images are newer.
  const configured = new Date(Date.now() - 2000);
  for (const f of configFiles) await utimes(f.path, configured, configured);

  return {
    buildDir,
    files: {
      bootloader: at(layout.bootloader),
      partitionTable: at(layout.partitionTable),
      app: at(layout.app),
      ...(layout.otadata ? { otadata: at(layout.otadata) } : {}),
    },
  };
}
