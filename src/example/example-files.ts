// Text files of the example build in the shapes ESP-IDF writes them: flasher_args.json (v4.2–v5.5,
// v4.1, v3.3 and ESP8266 RTOS SDK flavours), the flash_args list, project_description.json,
// config/sdkconfig.json and the partition CSV. Pure string rendering; no I/O.

import type { ChipName } from '../chips/chips.js';
import { hex } from '../core/protocol/bytes.js';

/** Which ESP-IDF release's file shapes to mimic. `rtos-sdk` is ESP8266_RTOS_SDK (v4.0-like). */
export type ExampleFlavour = 'v5' | 'v4.1' | 'v3.3' | 'rtos-sdk';

/** One flashed file: entry name in flasher_args.json, offset, path relative to the build dir. */
export interface ExampleEntry {
  name: 'bootloader' | 'app' | 'partition-table' | 'otadata';
  offset: number;
  file: string;
}

/** Everything the renderers need. */
export interface ExampleLayout {
  chip: ChipName;
  flavour: ExampleFlavour;
  projectName: string;
  /** IDF `git describe` string written into the descriptors and project_description.json. */
  idfVer: string;
  flash: { mode: string; freq: string; size: string };
  bootloader: ExampleEntry;
  partitionTable: ExampleEntry;
  app: ExampleEntry;
  otadata: ExampleEntry | null;
  /** Partition rows: name, type, subtype, offset, size. */
  partitions: { name: string; type: string; subtype: string; offset: number; size: number }[];
}

/** Flash size written to flasher_args.json: ESP-IDF before v5 defaulted to `detect`. */
function jsonFlashSize(layout: ExampleLayout): string {
  return layout.flavour === 'v4.1' || layout.flavour === 'v3.3' ? 'detect' : layout.flash.size;
}

/** flash_files / named-entry order the given ESP-IDF release produces. */
function entryOrder(layout: ExampleLayout): ExampleEntry[] {
  const { bootloader, app, partitionTable, otadata } = layout;
  const extra = otadata ? [otadata] : [];
  if (layout.flavour === 'v5') return [bootloader, app, partitionTable, ...extra];
  return [partitionTable, bootloader, app, ...extra];
}

function header(layout: ExampleLayout): string {
  const { mode, freq } = layout.flash;
  const size = jsonFlashSize(layout);
  return (
    '{\n' +
    `    "write_flash_args" : [ "--flash_mode", "${mode}",\n` +
    `                           "--flash_size", "${size}",\n` +
    `                           "--flash_freq", "${freq}" ],\n` +
    '    "flash_settings" : {\n' +
    `        "flash_mode": "${mode}",\n` +
    `        "flash_size": "${size}",\n` +
    `        "flash_freq": "${freq}"\n` +
    '    },\n'
  );
}

function renderV33(layout: ExampleLayout): string {
  const { bootloader: b, partitionTable: p, app: a, otadata: o } = layout;
  const pair = (e: ExampleEntry | null) => (e ? `"${hex(e.offset)}" : "${e.file}"` : '"" : ""');
  const named = (key: string, e: ExampleEntry | null, pad: string) =>
    `    "${key}" : ${pad}{ "offset" : "${e ? hex(e.offset) : ''}",\n` +
    `${' '.repeat(key.length + 11 + pad.length)}"file" : "${e ? e.file : ''}" },\n`;
  return (
    header(layout) +
    '    "flash_files" : {\n' +
    [pair(b), pair(p), pair(null), pair(o), pair(a)].map((s) => `        ${s}`).join(',\n') +
    '\n    },\n' +
    named('bootloader', b, '     ') +
    named('partition_table', p, '') +
    named('otadata', o, '') +
    named('app', a, '            ') +
    '    "extra_esptool_args" : {\n' +
    '        "after"  : "hard_reset",\n' +
    '        "before" : "default_reset"\n' +
    '    }\n}\n'
  );
}

/** `build/flasher_args.json` text. */
export function renderFlasherArgs(layout: ExampleLayout): string {
  if (layout.flavour === 'v3.3') return renderV33(layout);
  const entries = entryOrder(layout);
  const v5 = layout.flavour === 'v5';
  const entryName = (e: ExampleEntry) => (e.name === 'partition-table' && !v5 ? 'partition_table' : e.name);
  const files = entries.map((e) => `        "${hex(e.offset)}" : "${e.file}"`).join(',\n');
  const named = entries
    .map((e) => {
      const enc = v5 ? ', "encrypted" : "false"' : '';
      return `    "${entryName(e)}" : { "offset" : "${hex(e.offset)}", "file" : "${e.file}"${enc} },\n`;
    })
    .join('');
  let extra = '        "after"  : "hard_reset",\n        "before" : "default_reset"';
  if (layout.flavour === 'v5') extra += `,\n        "stub"   : true,\n        "chip"   : "${layout.chip}"`;
  if (layout.flavour === 'v4.1')
    extra += `,\n        "stub"   : "TRUE",\n        "chip"   : "${layout.chip}"`;
  return `${header(layout)}    "flash_files" : {\n${files}\n    },\n${named}    "extra_esptool_args" : {\n${extra}\n    }\n}\n`;
}

/** The esptool `@file` argument list: `flash_args` (v4.2+) or `flash_project_args` (older). */
export function renderFlashArgs(layout: ExampleLayout): string {
  const { mode, freq, size } = layout.flash;
  const options = `--flash_mode ${mode} --flash_freq ${freq} --flash_size ${size}`;
  const line = (e: ExampleEntry | null) => (e ? `${hex(e.offset)} ${e.file}` : ' ');
  if (layout.flavour === 'v3.3') {
    const { bootloader, partitionTable, otadata, app } = layout;
    return `${options} ${line(bootloader)}\n${[partitionTable, null, otadata, app].map(line).join('\n')}\n\n`;
  }
  return `${options}\n${entryOrder(layout).map(line).join('\n')}\n`;
}

/** `build/project_description.json` with the fields tools read (the component lists are short). */
export function renderProjectDescription(
  layout: ExampleLayout,
  paths: { projectDir: string; buildDir: string },
): string {
  const { chip, flavour, projectName } = layout;
  const components = [
    'bootloader',
    'esptool_py',
    'partition_table',
    'main',
    chip === 'esp8266' ? 'esp8266' : chip,
  ];
  const riscv = /^esp32[chp]/.test(chip);
  const toolprefix =
    chip === 'esp8266' ? 'xtensa-lx106-elf-' : riscv ? 'riscv32-esp-elf-' : `xtensa-${chip}-elf-`;
  const doc: Record<string, unknown> = {
    ...(flavour === 'v5' ? { version: '1.2' } : {}),
    project_name: projectName,
    ...(flavour === 'v5' ? { project_version: '1.0.0' } : {}),
    project_path: paths.projectDir,
    ...(flavour === 'v5' ? { idf_path: '/opt/esp/idf' } : {}),
    build_dir: paths.buildDir,
    config_file: `${paths.projectDir}/sdkconfig`,
    config_defaults: '',
    ...(flavour === 'v5' ? { bootloader_elf: `${paths.buildDir}/bootloader/bootloader.elf` } : {}),
    app_elf: `${projectName}.elf`,
    app_bin: `${projectName}.bin`,
    ...(flavour === 'v5' ? { build_type: 'flash_app' } : {}),
    git_revision: layout.idfVer,
    ...(flavour === 'v5' || flavour === 'v4.1' ? { target: chip } : {}),
    phy_data_partition: '',
    monitor_baud: chip === 'esp8266' ? '74880' : '115200',
    ...(flavour === 'v3.3' ? {} : { monitor_toolprefix: toolprefix }),
    build_components: components,
  };
  return `${JSON.stringify(doc, null, 4)}\n`;
}

/** `build/config/sdkconfig.json`: the values a flasher reads (target, offsets, flash settings). */
export function renderSdkconfigJson(layout: ExampleLayout): string {
  const values: Record<string, string | number | boolean> = {
    APP_BUILD_TYPE_APP_2NDBOOT: true,
    ...(layout.chip === 'esp8266' ? {} : { BOOTLOADER_OFFSET_IN_FLASH: layout.bootloader.offset }),
    ESPTOOLPY_AFTER: 'hard_reset',
    ESPTOOLPY_BEFORE: 'default_reset',
    ESPTOOLPY_FLASHFREQ: layout.flash.freq,
    ESPTOOLPY_FLASHMODE: layout.flash.mode,
    ESPTOOLPY_FLASHSIZE: layout.flash.size,
    IDF_TARGET: layout.chip,
    PARTITION_TABLE_CUSTOM: true,
    PARTITION_TABLE_CUSTOM_FILENAME: 'partitions.csv',
    PARTITION_TABLE_FILENAME: 'partitions.csv',
    PARTITION_TABLE_OFFSET: layout.partitionTable.offset,
    SECURE_FLASH_ENC_ENABLED: false,
  };
  return `${JSON.stringify(values, null, 4)}\n`;
}

/** The project's `partitions.csv` with explicit offsets. */
export function renderPartitionCsv(layout: ExampleLayout): string {
  const rows = layout.partitions.map(
    (p) =>
      `${`${p.name},`.padEnd(10)}${`${p.type},`.padEnd(6)}${`${p.subtype},`.padEnd(9)}${`${hex(p.offset)},`.padEnd(10)}${hex(p.size)},`,
  );
  return `# Name,   Type, SubType, Offset,   Size, Flags\n${rows.join('\n')}\n`;
}
