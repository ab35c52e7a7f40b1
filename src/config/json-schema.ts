// The JSON Schema of `espflash.config.json`, generated from CONFIG_SCHEMA (the validator's own key
// list) so the two cannot drift: schema/espflash.config.schema.json is this function's output, and a
// test compares them. Editors use it through the `"$schema"` key of a JSON config.

import { CONFIG_SCHEMA, type FieldSpec } from './schema.js';

/** Where the shipped schema lives in the package, and the URL `espflash init --format json` writes. */
export const JSON_SCHEMA_FILE = 'schema/espflash.config.schema.json';
export const JSON_SCHEMA_URL = `https://unpkg.com/espflash/${JSON_SCHEMA_FILE}`;

/** One line per key for editor tooltips; every key of CONFIG_SCHEMA must have one. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  port: "Serial port ('/dev/ttyUSB0', 'COM3'), 'tcp://host:port', 'rfc2217://host:port' or 'sim://esp32'; a list flashes all those boards at once. Flag --port (repeatable).",
  baud: 'Flashing baud rate (espflash connects at 115200, then switches). Flag --baud.',
  chip: "Target chip ('esp32', 'esp32s3', …) or 'auto'. Default: from the build. Flag --chip.",
  buildDir: 'ESP-IDF build directory, relative to this file. Flag --build-dir.',
  project: 'ESP-IDF project directory (its build/ is used), relative to this file. Flag --project.',
  flash: 'Flash parameters patched into the image headers. Default: from the build.',
  'flash.mode': 'Flash mode. Flag --flash-mode.',
  'flash.freq': "Flash frequency: '40m', '80m', … or 'keep'. Flag --flash-freq.",
  'flash.size': "Flash size: '4MB', '16MB', …, 'detect' or 'keep'. Flag --flash-size.",
  before: 'Reset before connecting. Flag --before.',
  after: 'Reset after the operation. Flag --after.',
  stub: 'Upload the flasher stub (default true); false talks to the ROM loader only. Flag --no-stub.',
  'stub.enabled': 'Upload the flasher stub.',
  'stub.version':
    'Stub set as esptool v5 numbers them: 2 = esp-flasher-stub (default), 1 = legacy. Flag --stub-version.',
  'stub.file': "A stub of your own in esptool's stub JSON format, relative to this file. Flag --stub-file.",
  reset: 'Custom reset sequence for unusual adapters.',
  'reset.sequence':
    "D/R = DTR/RTS to 0 or 1, W = wait in ms, e.g. 'D0|R1|W100|D1|R0|W50|D0'. Flag --reset-sequence.",
  build: 'How `espflash watch` and `flash --build` rebuild.',
  'build.command': 'Build command: a string or an argv array.',
  'build.cwd': 'Directory to run the build command in, relative to this file.',
  monitor: 'Serial monitor settings.',
  'monitor.baud': 'Console baud rate.',
  'monitor.timestamps': 'Prefix each line with a timestamp.',
  'monitor.logFile': 'Also write the monitor output to this file, relative to this file.',
  'monitor.elf': 'ELF file used to decode backtraces, relative to this file.',
  watch: 'Watch mode settings.',
  'watch.debounceMs': 'Wait this long (ms) after the last change before rebuilding.',
  'watch.paths': 'Extra paths to watch, relative to this file.',
  'watch.monitor': 'Open the monitor after flashing.',
  cache: 'Flash cache: what espflash remembers it wrote.',
  'cache.dir': 'Cache directory, relative to this file.',
  'cache.fastReflash': 'Skip regions that are unchanged on the device.',
  tasks:
    "Named tasks for `espflash run <name>`: { description?, steps: [ { erase: 'all' }, { flash: {} }, { write: { partition, file } }, { run: 'cmd' }, { task: 'other' }, … ] }.",
};

type JsonSchema = Record<string, unknown>;

/** The JSON Schema (draft-07) of the config file. Throws when a key has no description. */
export function configJsonSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: JSON_SCHEMA_URL,
    title: 'espflash configuration',
    description:
      'espflash.config.json (or .espflashrc.json, or the "espflash" key of package.json). Flags and environment variables override it.',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema this file is written against (for editors).' },
      ...properties(CONFIG_SCHEMA, ''),
    },
    additionalProperties: false,
  };
}

function properties(fields: Readonly<Record<string, FieldSpec>>, prefix: string): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [key, spec] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const description = DESCRIPTIONS[path];
    if (description === undefined) throw new Error(`No JSON Schema description for config key '${path}'`);
    out[key] = { description, ...fieldSchema(spec, path) };
  }
  return out;
}

const NON_EMPTY: JsonSchema = { type: 'string', pattern: '\\S' };

function fieldSchema(spec: FieldSpec, path: string): JsonSchema {
  switch (spec.kind) {
    case 'string':
    case 'path':
      return { ...NON_EMPTY };
    case 'boolean':
      return { type: 'boolean' };
    case 'integer':
      return { type: 'integer', minimum: spec.min, ...(spec.max === undefined ? {} : { maximum: spec.max }) };
    case 'enum':
      return { type: 'string', enum: enumSpellings(spec) };
    case 'reset-sequence':
      return { type: 'string', pattern: RESET_SEQUENCE_PATTERN };
    case 'command':
      return { anyOf: [{ ...NON_EMPTY }, { type: 'array', items: { ...NON_EMPTY }, minItems: 1 }] };
    case 'path-list':
      return { type: 'array', items: { ...NON_EMPTY } };
    case 'tasks':
      return TASKS_SCHEMA;
    case 'port':
      return {
        anyOf: [{ ...NON_EMPTY }, { type: 'array', items: { ...NON_EMPTY }, minItems: 1, uniqueItems: true }],
      };
    case 'object': {
      const object = {
        type: 'object',
        properties: properties(spec.fields, path),
        additionalProperties: false,
      };
      return spec.orBoolean ? { anyOf: [{ type: 'boolean' }, object] } : object;
    }
  }
}

/** Canonical values plus the hyphenated spellings the validator's normaliser also accepts. */
function enumSpellings(spec: Extract<FieldSpec, { kind: 'enum' }>): string[] {
  const out: string[] = [];
  for (const value of spec.values) {
    for (const spelling of [value, value.replaceAll('_', '-'), value.replaceAll('-', '_')]) {
      const accepted = (spec.normalize ?? ((t: string) => t))(spelling) === value;
      if (accepted && !out.includes(spelling)) out.push(spelling);
    }
  }
  return out;
}

/** isResetSequence as a JSON Schema pattern (no flags there: both letter cases spelled out). */
const TOKEN = '\\s*(?:[DdRr][01]|[Ww]\\d+(?:\\.\\d+)?|[Uu][01],[01])\\s*';
export const RESET_SEQUENCE_PATTERN = `^${TOKEN}(?:\\|${TOKEN})*$`;

/** The `tasks` key: named tasks of one-key step objects (src/tasks/validate-tasks.ts checks the rest). */
const TASKS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      description: { type: 'string' },
      steps: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          propertyNames: {
            enum: ['build', 'flash', 'erase', 'write', 'read', 'reset', 'monitor', 'run', 'task'],
          },
        },
      },
    },
    required: ['steps'],
    additionalProperties: false,
  },
};
