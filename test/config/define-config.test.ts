import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineConfig } from '../../src/config/define-config.js';
import type { EspflashConfig } from '../../src/config/schema.js';

describe('defineConfig', () => {
  it('returns its argument unchanged', () => {
    const config = { port: 'sim://esp32', flash: { mode: 'dio' as const } };
    expect(defineConfig(config)).toBe(config);
  });

  it('is typed against EspflashConfig', () => {
    expectTypeOf(defineConfig).parameter(0).toEqualTypeOf<EspflashConfig>();
    expectTypeOf(defineConfig).returns.toEqualTypeOf<EspflashConfig>();
    expectTypeOf<EspflashConfig['flash']>().toEqualTypeOf<
      { mode?: 'qio' | 'qout' | 'dio' | 'dout' | 'keep'; freq?: string; size?: string } | undefined
    >();
    expectTypeOf<EspflashConfig['build']>().toEqualTypeOf<
      { command?: string | string[]; cwd?: string } | undefined
    >();
    // @ts-expect-error unknown keys are rejected by the type
    defineConfig({ flashMode: 'dio' });
    // @ts-expect-error flash.mode only takes the known modes
    defineConfig({ flash: { mode: 'fast' } });
    // @ts-expect-error baud is a number
    defineConfig({ baud: '115200' });
  });
});
