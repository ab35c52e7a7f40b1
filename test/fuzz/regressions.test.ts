// The exact inputs that broke the parsers during fuzzing, pinned so the fixes stay fixed.

import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate-config.js';
import { EspflashError } from '../../src/errors.js';
import { patchFlashParams } from '../../src/image/flash-params.js';
import { buildImage } from '../../src/image/image-builder.js';
import { parsePartitionCsv } from '../../src/partition/csv-parse.js';
import { FieldError, parseIntField } from '../../src/partition/int-parse.js';
import { jsonErrorPosition } from '../../src/project/json-position.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('fuzz regressions', () => {
  it('a long run of k/M suffixes is a field error, not a stack overflow', () => {
    expect(thrown(() => parseIntField('k'.repeat(20_000)))).toBeInstanceOf(FieldError);
    const err = thrown(() => parsePartitionCsv(`p,data,nvs,,${'k'.repeat(20_000)},\n`));
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('partition/invalid-value');
    // The iterative form keeps the generator's arithmetic.
    expect(parseIntField('1k')).toBe(1024);
    expect(parseIntField('2M')).toBe(2 * 1024 * 1024);
    expect(parseIntField('1kk')).toBe(1024 * 1024);
    expect(parseIntField('0x10K')).toBe(0x4000);
    expect(parseIntField(`0${'k'.repeat(300)}`)).toBe(0);
    expect(parseIntField('appk', new Map([['app', 0]]))).toBe(0);
    expect(thrown(() => parseIntField('1xk'))).toMatchObject({ message: 'Invalid field value 1x' });
  });

  it('patching an ESP32 image as ESP8266 is a chip mismatch, not a silently stale digest', () => {
    const esp32 = buildImage({
      chip: 'esp32',
      entry: 0x40080000,
      segments: [{ loadAddress: 0x3f400020, data: new Uint8Array(64) }],
    });
    const err = thrown(() => patchFlashParams(esp32, { chip: 'esp8266', mode: 'dout' }));
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('image/chip-mismatch');
    const esp8266 = buildImage({
      chip: 'esp8266',
      entry: 0x40100000,
      segments: [{ loadAddress: 0x40100000, data: new Uint8Array(64).fill(7) }],
    });
    const patched = patchFlashParams(esp8266, { chip: 'esp8266', mode: 'dout' });
    expect(patched.changed).toBe(true);
    expect(patched.bytes[2]).toBe(3);
  });

  it('jsonErrorPosition rejects escapes JSON.parse rejects', () => {
    for (const bad of ['{"a": "\\q"}', '{"a": "\\uZZZZ"}', '{"a": "\\u12"}', '"\\']) {
      expect(() => JSON.parse(bad)).toThrow();
      expect(jsonErrorPosition(bad), bad).not.toBeNull();
    }
    expect(jsonErrorPosition('{"a": "\\uZZZZ"}')?.offset).toBe(8);
    for (const good of ['{"a": "\\u00e9\\n\\t\\"\\\\\\/"}', '"\\b\\f\\r"'])
      expect(jsonErrorPosition(good), good).toBeNull();
  });

  it('prototype-named config keys are unknown keys, never silently accepted or suggested', () => {
    for (const config of [
      { constructor: 1 },
      JSON.parse('{"__proto__": {"port": "x"}}'),
      { flash: { toString: 'x' } },
      { hasOwnProperty: 1 },
    ]) {
      const err = thrown(() => validateConfig(config, { file: 'espflash.config.json' }));
      expect((err as EspflashError).code, JSON.stringify(Object.keys(config))).toBe('config/unknown-key');
    }
    const err = thrown(() =>
      validateConfig({ Constructor: 1 }, { file: 'espflash.config.json' }),
    ) as EspflashError;
    expect(err.code).toBe('config/unknown-key');
    expect(err.message).not.toContain('native code');
  });
});
