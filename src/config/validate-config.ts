// Runtime check of a loaded config against CONFIG_SCHEMA: unknown keys (with a "did you mean"),
// keys at the wrong level, wrong types and bad enum values, all reported together as one UsageError.

import { UsageError } from '../errors.js';
import { checkTasks } from '../tasks/validate-tasks.js';
import { CONFIG_SCHEMA, type EspflashConfig, type FieldSpec, KEY_ALIASES, leafPaths } from './schema.js';

/** One problem found in a config file. */
export interface ConfigIssue {
  code: 'config/unknown-key' | 'config/misplaced-key' | 'config/invalid-value';
  /** Dotted key path as written in the file, e.g. `flash.mode`. */
  path: string;
  message: string;
  /** The key the user probably meant, when there is one. */
  suggestion?: string;
}

/** Options for {@link validateConfig}. */
export interface ValidateConfigOptions {
  /** Absolute path of the config file (named in every message). */
  file: string;
}

/**
 * Check `value` against the schema and return it typed, with enum spellings normalised
 * (`default-reset` → `default_reset`). Throws a UsageError (`config/unknown-key`,
 * `config/misplaced-key` or `config/invalid-value`) naming the file and listing every problem.
 */
export function validateConfig(value: unknown, options: ValidateConfigOptions): EspflashConfig {
  const issues: ConfigIssue[] = [];
  if (!isPlainObject(value)) {
    throw new UsageError(
      'config/invalid-value',
      `${options.file} must export an object, but its default export is ${describeValue(value)}`,
      {
        hint: `Make ${options.file} end with \`export default { … }\` (run \`espflash init\` for a template).`,
        details: { file: options.file },
      },
    );
  }
  const out = checkObject({ value, fields: CONFIG_SCHEMA, prefix: '', file: options.file, issues });
  if (issues.length > 0) throw issuesError(issues, options.file);
  return out as EspflashConfig;
}

/** Same checks as {@link validateConfig}, returning the problems instead of throwing. */
export function findConfigIssues(value: unknown, options: ValidateConfigOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (isPlainObject(value))
    checkObject({ value, fields: CONFIG_SCHEMA, prefix: '', file: options.file, issues });
  return issues;
}

interface Walk {
  value: Record<string, unknown>;
  fields: Readonly<Record<string, FieldSpec>>;
  prefix: string;
  file: string;
  issues: ConfigIssue[];
}

function checkObject(walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(walk.value)) {
    const path = walk.prefix ? `${walk.prefix}.${key}` : key;
    // `"$schema"` at the top of a JSON config points editors at the JSON Schema; not a setting.
    if (path === '$schema') {
      if (typeof raw !== 'string') walk.issues.push(schemaKeyIssue(raw, walk.file));
      continue;
    }
    // Own keys only: `constructor`, `__proto__`, `toString` are not config keys.
    const spec = Object.hasOwn(walk.fields, key) ? walk.fields[key] : undefined;
    if (!spec) {
      walk.issues.push(unknownKeyIssue({ key, prefix: walk.prefix, file: walk.file }));
      continue;
    }
    if (raw === undefined) continue;
    const checked = checkField({ spec, raw, path, file: walk.file, issues: walk.issues });
    if (checked !== undefined) out[key] = checked;
  }
  return out;
}

function checkField(options: {
  spec: FieldSpec;
  raw: unknown;
  path: string;
  file: string;
  issues: ConfigIssue[];
}): unknown {
  const { spec, raw, path, file, issues } = options;
  const bad = (expected: string): undefined => {
    issues.push({
      code: 'config/invalid-value',
      path,
      message: `'${path}' in ${file} must be ${expected} (got ${describeValue(raw)})`,
    });
    return undefined;
  };
  switch (spec.kind) {
    case 'string':
    case 'path':
      return typeof raw === 'string' && raw.trim() !== '' ? raw : bad('a non-empty string');
    case 'boolean':
      return typeof raw === 'boolean' ? raw : bad('true or false');
    case 'integer': {
      const range = spec.max === undefined ? `>= ${spec.min}` : `between ${spec.min} and ${spec.max}`;
      if (
        typeof raw !== 'number' ||
        !Number.isInteger(raw) ||
        raw < spec.min ||
        (spec.max !== undefined && raw > spec.max)
      ) {
        return bad(`an integer ${range}`);
      }
      return raw;
    }
    case 'enum': {
      const text = typeof raw === 'string' ? (spec.normalize ?? ((t: string) => t))(raw) : null;
      return text !== null && spec.values.includes(text)
        ? text
        : bad(`one of ${(spec.shown ?? spec.values).join(', ')}`);
    }
    case 'reset-sequence':
      return typeof raw === 'string' && isResetSequence(raw)
        ? raw.trim()
        : bad("a reset sequence like 'D0|R1|W100|D1|R0|W50|D0' (D/R = DTR/RTS 0 or 1, W = wait in ms)");
    case 'command':
      if (typeof raw === 'string' && raw.trim() !== '') return raw;
      return isStringList(raw) && raw.length > 0
        ? raw
        : bad('a command string or a non-empty array of strings');
    case 'path-list':
      return isStringList(raw) ? raw : bad('an array of non-empty strings');
    case 'tasks':
      return checkTasks(raw, { file, issues });
    case 'port':
      if (typeof raw === 'string' && raw.trim() !== '') return raw;
      return isStringList(raw) && raw.length > 0 && new Set(raw).size === raw.length
        ? raw
        : bad('a non-empty string, or a non-empty list of distinct ports (several boards)');
    case 'object': {
      if (spec.orBoolean && typeof raw === 'boolean') return raw;
      if (!isPlainObject(raw)) {
        const keys = `an object with keys ${Object.keys(spec.fields).join(', ')}`;
        return bad(spec.orBoolean ? `true, false or ${keys}` : keys);
      }
      return checkObject({ value: raw, fields: spec.fields, prefix: path, file, issues });
    }
  }
}

function schemaKeyIssue(raw: unknown, file: string): ConfigIssue {
  return {
    code: 'config/invalid-value',
    path: '$schema',
    message: `'$schema' in ${file} must be the URL or path of a JSON Schema (got ${describeValue(raw)})`,
  };
}

/** `D0|R1|W100` tokens: D/R with 0 or 1, W with a wait, U with two line states (`U0,1`). */
export function isResetSequence(text: string): boolean {
  const tokens = text.split('|').map((t) => t.trim());
  return tokens.length > 0 && tokens.every((t) => /^([DR][01]|W\d+(\.\d+)?|U[01],[01])$/i.test(t));
}

function unknownKeyIssue(options: { key: string; prefix: string; file: string }): ConfigIssue {
  const { key, prefix, file } = options;
  const path = prefix ? `${prefix}.${key}` : key;
  const misplaced = placesFor(key).filter((p) => parentOf(p) !== prefix);
  if (misplaced.length > 0) {
    const where = misplaced.map((p) => (parentOf(p) === '' ? 'at the top level' : `under '${parentOf(p)}'`));
    const found = prefix === '' ? 'at the top level' : `under '${prefix}'`;
    return {
      code: 'config/misplaced-key',
      path,
      message: `'${key}' belongs ${where.join(' or ')} (found ${found} in ${file})`,
      suggestion: misplaced[0]!,
    };
  }
  const suggestion = suggestKey(key, prefix);
  return {
    code: 'config/unknown-key',
    path,
    message: `Unknown key '${path}' in ${file}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
    ...(suggestion ? { suggestion } : {}),
  };
}

/** Every schema path (leaf or object) whose last segment is exactly `key`. */
function placesFor(key: string): string[] {
  return allPaths().filter((p) => lastSegment(p) === key);
}

/** The most likely intended key for an unknown `key` found under `prefix`, or null. */
function suggestKey(key: string, prefix: string): string | null {
  const n = norm(key);
  const leaves = leafPaths();
  const alias = Object.hasOwn(KEY_ALIASES, n) ? KEY_ALIASES[n] : undefined;
  if (alias) {
    const local = prefix ? `${prefix}.${lastSegment(alias)}` : alias;
    return leaves.includes(local) ? local : alias;
  }
  const joined = leaves.find((p) => norm(p) === n || norm(p) === norm(`${prefix}${key}`));
  if (joined) return joined;
  const sameName = leaves.filter((p) => norm(lastSegment(p)) === n);
  const local = sameName.find((p) => parentOf(p) === prefix);
  if (local ?? sameName[0]) return (local ?? sameName[0])!;
  const limit = key.length <= 4 ? 1 : 2;
  let best: { path: string; distance: number } | null = null;
  for (const p of leaves) {
    const d = Math.min(
      editDistance(n, norm(lastSegment(p))) + (parentOf(p) === prefix ? 0 : 1),
      editDistance(n, norm(p)),
    );
    if (d <= limit && (!best || d < best.distance)) best = { path: p, distance: d };
  }
  return best?.path ?? null;
}

function issuesError(issues: ConfigIssue[], file: string): UsageError {
  const [first, ...rest] = issues as [ConfigIssue, ...ConfigIssue[]];
  const more = rest.length ? `\n${rest.map((i) => `  also: ${i.message}`).join('\n')}` : '';
  const hint =
    first.code === 'config/invalid-value'
      ? `Fix '${first.path}' in ${file}; every key is documented in the template \`espflash init\` writes.`
      : `Rename or move the key in ${file}${first.suggestion ? ` (to '${first.suggestion}')` : ''}; valid keys: ${leafPaths().join(', ')}.`;
  return new UsageError(first.code, `${first.message}${more}`, { hint, details: { file, issues } });
}

function allPaths(fields: Readonly<Record<string, FieldSpec>> = CONFIG_SCHEMA, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path);
    if (spec.kind === 'object') out.push(...allPaths(spec.fields, path));
  }
  return out;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? '' : path.slice(0, i);
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function norm(text: string): string {
  return text.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Edit distance counting an adjacent transposition as one edit (`prot` → `port` is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() !== '');
}

/** `'921600' (string)`, `3 (number)`, `an array`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (undefined)';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${value} (a ${typeof value})`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value === 'object' ? 'an object' : typeof value}`;
}
