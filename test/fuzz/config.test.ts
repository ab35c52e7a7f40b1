// Fuzz the config validator: configs generated from the schema validate to themselves; mutated ones
// (unknown, misplaced and prototype-named keys, values of every JS type) either validate to a
// schema-shaped object or throw one config/* UsageError — never anything else.

import { describe, it } from 'vitest';
import { CHIP_NAMES } from '../../src/chips/chips.js';
import { ENV_VARS } from '../../src/config/env.js';
import { resolveOptions } from '../../src/config/resolve-options.js';
import { CONFIG_SCHEMA, type FieldSpec, leafPaths } from '../../src/config/schema.js';
import { findConfigIssues, isResetSequence, validateConfig } from '../../src/config/validate-config.js';
import { AFTER_RESETS, BEFORE_RESETS, FLASH_MODES } from '../../src/core/settings.js';
import { UsageError } from '../../src/errors.js';
import { fuzzFailure, guard } from './support/expect-coded.js';
import { iterationSeed, Prng } from './support/prng.js';

const FILE = '/tmp/espflash.config.json';

/** A valid value for `spec`. */
function validValue(rng: Prng, spec: FieldSpec): unknown {
  switch (spec.kind) {
    case 'string':
    case 'path':
      return rng.pick(['esp32', 'build', '/dev/ttyUSB0', 'sim://esp32', 'x y']);
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
      return rng.pick([
        spec.min,
        spec.max ?? spec.min + 1000,
        spec.min + rng.below(spec.max === undefined ? 1000 : spec.max - spec.min + 1),
      ]);
    case 'enum':
      return rng.pick(spec.values);
    case 'reset-sequence':
      return rng.pick(['D0|R1|W100|D1|R0|W50|D0', 'R1|W0.5|R0', 'U0,1|W10']);
    case 'command':
      return rng.chance(0.5) ? 'idf.py build' : ['idf.py', 'build'];
    case 'path-list':
      return rng.chance(0.3) ? [] : ['main', 'components'];
    case 'port':
      return rng.chance(0.5) ? '/dev/ttyUSB0' : ['/dev/ttyUSB0', 'rfc2217://rack-2:4001'];
    case 'object':
      return spec.orBoolean && rng.chance(0.3) ? rng.chance(0.5) : validObject(rng, spec.fields);
  }
}

function validObject(rng: Prng, fields: Readonly<Record<string, FieldSpec>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(fields)) if (rng.chance(0.5)) out[key] = validValue(rng, spec);
  return out;
}

const ODD_KEYS = [
  '__proto__',
  'constructor',
  'Constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '',
  ' ',
  'prot',
  'baudrate',
  'flashMode',
  'mode',
  'sequence',
  'BUILD_DIR',
  'monitor.baud',
  'flash',
  '😀',
];

function oddValue(rng: Prng): unknown {
  return rng.pick<() => unknown>([
    () => null,
    () => undefined,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => -0,
    () => 1.5,
    () => -1,
    () => 2 ** 53,
    () => '',
    () => '   ',
    () => 'D9|X',
    () => 'W|D0',
    () => [],
    () => [1, 'a'],
    () => [''],
    () => ({}),
    () => ({ nested: { deeper: true } }),
    () => Object.create(null),
    () => new Date(0),
    () => new Map(),
    () => () => 1,
    () => Symbol('s'),
    () => 10n,
    () => 'DEFAULT-RESET',
    () => 'keep',
  ])();
}

/** Replace/add/delete a random key somewhere in `root`. */
function mutateConfig(rng: Prng, root: Record<string, unknown>): void {
  let node = root;
  for (let depth = 0; depth < 3; depth++) {
    const keys = Object.keys(node);
    const key = keys.length > 0 && rng.chance(0.6) ? rng.pick(keys) : rng.pick([...ODD_KEYS, ...leafPaths()]);
    // Own properties only, and defineProperty for writes: the test itself must not pollute prototypes.
    const child = Object.hasOwn(node, key) ? node[key] : undefined;
    if (typeof child === 'object' && child !== null && !Array.isArray(child) && rng.chance(0.5)) {
      node = child as Record<string, unknown>;
      continue;
    }
    if (rng.chance(0.15)) delete node[key];
    else
      Object.defineProperty(node, key, {
        value: oddValue(rng),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    return;
  }
}

/** Every key of `value` is a schema key and every leaf has the schema's type. */
function conforms(value: unknown, fields: Readonly<Record<string, FieldSpec>>): string | null {
  if (typeof value !== 'object' || value === null) return 'not an object';
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(fields, key)) return `unexpected key ${key}`;
    const spec = fields[key]!;
    const bad = (() => {
      switch (spec.kind) {
        case 'string':
        case 'path':
          return typeof v !== 'string' || v.trim() === '';
        case 'boolean':
          return typeof v !== 'boolean';
        case 'integer':
          return (
            !Number.isInteger(v) ||
            (v as number) < spec.min ||
            (spec.max !== undefined && (v as number) > spec.max)
          );
        case 'enum':
          return !spec.values.includes(v as string);
        case 'reset-sequence':
          return typeof v !== 'string';
        case 'command':
          return !(typeof v === 'string' || (Array.isArray(v) && v.length > 0));
        case 'path-list':
          return !Array.isArray(v);
        case 'port':
          return !(typeof v === 'string' || (Array.isArray(v) && v.length > 0));
        case 'object':
          return spec.orBoolean && typeof v === 'boolean' ? false : conforms(v, spec.fields) !== null;
      }
    })();
    if (bad) return `key ${key} does not conform`;
  }
  return null;
}

/** The first own key (at any level) the schema does not define, or null. */
function strayKey(
  value: Record<string, unknown>,
  fields: Readonly<Record<string, FieldSpec>>,
  prefix: string,
): string | null {
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(fields, key)) return `${prefix}${key}`;
    const spec = fields[key]!;
    const v = value[key];
    if (spec.kind === 'object' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const inner = strayKey(v as Record<string, unknown>, spec.fields, `${prefix}${key}.`);
      if (inner) return inner;
    }
  }
  return null;
}

describe('fuzz: config validator', () => {
  it('configs generated from the schema validate to themselves', () => {
    for (let i = 0; i < 500; i++) {
      const seed = iterationSeed(0xc0f1, i);
      const rng = new Prng(seed);
      const config = validObject(rng, CONFIG_SCHEMA);
      const ctx = { seed, input: JSON.stringify(config) };
      const r = guard(() => validateConfig(config, { file: FILE }), ctx);
      if (!r.ok) throw fuzzFailure(`a valid config was rejected: ${r.error.message}`, ctx);
      if (JSON.stringify(r.value) !== JSON.stringify(config))
        throw fuzzFailure(`changed: ${JSON.stringify(r.value)}`, ctx);
      if (findConfigIssues(config, { file: FILE }).length !== 0)
        throw fuzzFailure('issues for a valid config', ctx);
    }
  });

  it('mutated configs: a conforming result, or one config/* UsageError agreeing with findConfigIssues', () => {
    let rejected = 0;
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0xc0f2, i);
      const rng = new Prng(seed);
      const config = validObject(rng, CONFIG_SCHEMA);
      const mutations = rng.int(1, 4);
      for (let m = 0; m < mutations; m++) mutateConfig(rng, config);
      const ctx = { seed, input: String(Object.keys(config)) };
      const r = guard(() => validateConfig(config, { file: FILE }), ctx);
      const issues = guard(() => findConfigIssues(config, { file: FILE }), ctx);
      if (!issues.ok) throw fuzzFailure('findConfigIssues threw', ctx, issues.error);
      const stray = strayKey(config, CONFIG_SCHEMA, '');
      if (r.ok) {
        if (stray) throw fuzzFailure(`accepted a config with the unknown key '${stray}'`, ctx);
        const problem = conforms(r.value, CONFIG_SCHEMA);
        if (problem) throw fuzzFailure(`accepted a config that does not conform: ${problem}`, ctx);
        if (issues.value.length !== 0) throw fuzzFailure('accepted, but findConfigIssues found issues', ctx);
        continue;
      }
      rejected++;
      if (!(r.error instanceof UsageError) || !r.error.code.startsWith('config/'))
        throw fuzzFailure(`unexpected error ${r.error.code}`, ctx);
      if (issues.value.length === 0) throw fuzzFailure('rejected, but findConfigIssues found nothing', ctx);
      if (r.error.message.includes('[native code]') || r.error.hint?.includes('[native code]'))
        throw fuzzFailure('message prints a built-in function', ctx);
    }
    if (rejected < 500) throw new Error(`only ${rejected} of 1500 mutated configs were rejected`);
  });

  it('non-object roots are rejected with config/invalid-value', () => {
    for (let i = 0; i < 100; i++) {
      const seed = iterationSeed(0xc0f3, i);
      const rng = new Prng(seed);
      const value = oddValue(rng);
      const ctx = { seed, input: typeof value };
      const r = guard(() => validateConfig(value, { file: FILE }), ctx);
      const plainObject =
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        [Object.prototype, null].includes(Object.getPrototypeOf(value));
      if (!plainObject && (r.ok || r.error.code !== 'config/invalid-value'))
        throw fuzzFailure(`non-object root gave ${r.ok ? 'a config' : r.error.code}`, ctx);
    }
  });

  it('resolveOptions over random flags, environment and config: resolved values or coded errors', () => {
    const texts = [
      '',
      ' ',
      'esp32',
      'ESP32-S3',
      'esp99',
      'auto',
      '/dev/ttyUSB0',
      'foo://x',
      'sim://esp32',
      'dio',
      'QIO',
      'keep',
      'detect',
      '4MB',
      'huge',
      '80m',
      '0',
      '1',
      'true',
      'off',
      'maybe',
      '460800',
      '-5',
      '1.5',
      '0x10',
      '99999999999999999999',
      'default-reset',
      'no_reset',
      'D0|R1|W100',
      'X9',
      '..',
      '/',
      'a\u0000b',
    ];
    const good: Record<string, string[]> = {
      port: ['/dev/ttyUSB0', 'sim://esp32', 'socket://host:5555'],
      chip: ['esp32', 'ESP32-S3', 'auto'],
      buildDir: ['build', '..', '/'],
      project: ['.', 'proj'],
      flashMode: ['dio', 'QIO', 'keep'],
      flashFreq: ['80m', 'keep'],
      flashSize: ['4MB', 'detect', 'keep'],
      before: ['default-reset', 'no_reset'],
      after: ['hard_reset', 'no-reset'],
      resetSequence: ['D0|R1|W100|D1|R0|W50|D0'],
      baud: ['460800', '115200'],
      stub: ['1', 'false'],
      config: ['x.json'],
    };
    const value = (rng: Prng, key: string) =>
      rng.chance(0.85) ? rng.pick(good[key] ?? texts) : rng.pick(texts);
    const flagKeys = [
      'port',
      'chip',
      'buildDir',
      'project',
      'flashMode',
      'flashFreq',
      'flashSize',
      'before',
      'after',
      'resetSequence',
    ] as const;
    let resolved = 0;
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0xc0f4, i);
      const rng = new Prng(seed);
      const cli: Record<string, unknown> = {};
      for (const key of flagKeys) if (rng.chance(0.2)) cli[key] = value(rng, key);
      if (rng.chance(0.2)) cli.baud = rng.pick([300, 115200, 460800, 20_000_001, 2 ** 40]);
      if (rng.chance(0.2)) cli.stub = rng.chance(0.5);
      const env: Record<string, string | undefined> = {};
      for (const v of ENV_VARS)
        if (v.name !== 'ESPFLASH_CONFIG' && rng.chance(0.1)) env[v.name] = value(rng, v.option);
      const config = rng.chance(0.5) ? validObject(rng, CONFIG_SCHEMA) : null;
      if (config && rng.chance(0.3)) mutateConfig(rng, config);
      const ctx = { seed, input: JSON.stringify({ cli, env, config: config ? Object.keys(config) : null }) };
      const r = guard(
        () =>
          resolveOptions({
            cli,
            env,
            config: config ? { config, filepath: FILE } : null,
            cwd: '/tmp/project',
          }),
        ctx,
      );
      if (!r.ok) {
        if (!(r.error instanceof UsageError)) throw fuzzFailure(`not a usage error: ${r.error.code}`, ctx);
        continue;
      }
      resolved++;
      const opts = r.value;
      const problems = [
        opts.flashMode && !FLASH_MODES.includes(opts.flashMode.value) && `flash mode ${opts.flashMode.value}`,
        opts.before && !BEFORE_RESETS.includes(opts.before.value) && `before ${opts.before.value}`,
        opts.after && !AFTER_RESETS.includes(opts.after.value) && `after ${opts.after.value}`,
        opts.chip &&
          !(CHIP_NAMES as readonly string[]).includes(opts.chip.value) &&
          `chip ${opts.chip.value}`,
        opts.baud &&
          !(Number.isSafeInteger(opts.baud.value) && opts.baud.value >= 300) &&
          `baud ${opts.baud.value}`,
        opts.resetSequence &&
          !isResetSequence(opts.resetSequence.value) &&
          `reset ${opts.resetSequence.value}`,
      ].filter(Boolean);
      if (problems.length > 0) throw fuzzFailure(`resolved invalid values: ${problems.join(', ')}`, ctx);
      // CLI beats everything: a flag that resolved is reported as coming from the command line.
      for (const key of ['port', 'before', 'after', 'flashMode'] as const) {
        if (typeof cli[key] === 'string' && opts[key] && opts[key]!.source.kind !== 'cli')
          throw fuzzFailure(
            `${key} given on the command line resolved from ${JSON.stringify(opts[key]!.source)}`,
            ctx,
          );
      }
    }
    if (resolved < 200) throw new Error(`only ${resolved} of 1500 option sets resolved`);
  });
});
