import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  configJsonSchema,
  JSON_SCHEMA_FILE,
  JSON_SCHEMA_URL,
  RESET_SEQUENCE_PATTERN,
} from '../../src/config/json-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { CONFIG_SCHEMA, type FieldSpec, leafPaths } from '../../src/config/schema.js';
import { isResetSequence, validateConfig } from '../../src/config/validate-config.js';
import { EspflashError } from '../../src/errors.js';
import { tempProject } from './temp-project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SHIPPED = JSON.parse(readFileSync(join(REPO, JSON_SCHEMA_FILE), 'utf8')) as JsonNode;

interface JsonNode {
  type?: string;
  properties?: Record<string, JsonNode>;
  anyOf?: JsonNode[];
  enum?: string[];
  pattern?: string;
}

/** Every dotted property path of a JSON Schema object (descending into anyOf branches). */
function schemaPaths(node: JsonNode, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path);
    for (const branch of [child, ...(child.anyOf ?? [])]) out.push(...schemaPaths(branch, path));
  }
  return out;
}

/** Every dotted path the validator knows (objects and leaves). */
function validatorPaths(fields: Readonly<Record<string, FieldSpec>> = CONFIG_SCHEMA, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path);
    if (spec.kind === 'object') out.push(...validatorPaths(spec.fields, path));
  }
  return out;
}

function nodeAt(path: string): JsonNode {
  let node: JsonNode = SHIPPED;
  for (const key of path.split('.')) {
    const holder = node.properties ? node : (node.anyOf ?? []).find((b) => b.properties)!;
    node = holder.properties![key]!;
  }
  return node;
}

describe('the shipped JSON Schema', () => {
  it('is exactly what configJsonSchema() generates from the validator (regenerate with vitest -u)', async () => {
    await expect(`${JSON.stringify(configJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(
      `../../${JSON_SCHEMA_FILE}`,
    );
  });

  it('has every key the validator knows and no other (plus $schema)', () => {
    expect(new Set(schemaPaths(SHIPPED))).toEqual(new Set(['$schema', ...validatorPaths()]));
    for (const leaf of leafPaths()) expect(schemaPaths(SHIPPED)).toContain(leaf);
  });

  it('offers only enum spellings the validator accepts', () => {
    let checked = 0;
    for (const path of leafPaths()) {
      const values = nodeAt(path).enum;
      if (!values) continue;
      for (const value of values) {
        const config = path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
        expect(() => validateConfig(config, { file: 'x.json' }), `${path} = ${value}`).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('has a reset-sequence pattern that agrees with the validator', () => {
    expect(nodeAt('reset.sequence').pattern).toBe(RESET_SEQUENCE_PATTERN);
    const pattern = new RegExp(RESET_SEQUENCE_PATTERN, 'u');
    for (const text of [
      'D0|R1|W100|D1|R0|W50|D0',
      ' d0 | r1 ',
      'W0.5',
      'U0,1|W10',
      'D2',
      'D0||R1',
      'X1',
      '',
      'D0|',
    ]) {
      expect(pattern.test(text), text).toBe(isResetSequence(text));
    }
  });

  it('is listed in package.json "files" and referenced by the JSON template `espflash init --format json` writes', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      name: string;
      files: string[];
    };
    expect(pkg.files).toContain(JSON_SCHEMA_FILE);
    expect(JSON_SCHEMA_URL).toBe(`https://unpkg.com/${pkg.name}/${JSON_SCHEMA_FILE}`);
    const template = JSON.parse(readFileSync(join(REPO, 'templates', 'espflash.config.json'), 'utf8'));
    expect(template.$schema).toBe(JSON_SCHEMA_URL);
  });
});

describe('"$schema" in a JSON config', () => {
  it('is accepted and not part of the loaded settings', async () => {
    const root = tempProject({
      'espflash.config.json': `{\n  "$schema": "${JSON_SCHEMA_URL}",\n  "port": "COM3"\n}\n`,
    });
    expect((await loadConfig({ cwd: root }))?.config).toEqual({ port: 'COM3' });
  });

  it('must be a string', async () => {
    const root = tempProject({ 'espflash.config.json': '{ "$schema": 3, "port": "COM3" }' });
    const err = await loadConfig({ cwd: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('config/invalid-value');
    expect((err as EspflashError).message).toContain("'$schema'");
  });

  it('is still an unknown key below the top level', async () => {
    const root = tempProject({ 'espflash.config.json': '{ "flash": { "$schema": "x" } }' });
    const err = await loadConfig({ cwd: root }).catch((e: unknown) => e);
    expect((err as EspflashError).code).toBe('config/unknown-key');
  });
});
