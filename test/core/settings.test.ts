// The settings vocabulary: both esptool spellings in, the canonical underscore value kept, esptool
// v5's dashed form out; the fixed-size test for flash sizes.

import { describe, expect, it } from 'vitest';
import {
  AFTER_RESETS,
  BEFORE_RESETS,
  isFixedFlashSize,
  normaliseResetName,
  parseAfterReset,
  parseBeforeReset,
  parseResetMode,
  resetModeLabel,
  resetModeLabels,
} from '../../src/core/settings.js';

describe('reset mode names', () => {
  it('reads esptool v4 (underscore) and v5 (dash) spellings, any case and padding', () => {
    for (const text of ['default_reset', 'default-reset', ' Default-Reset ', 'DEFAULT_RESET']) {
      expect(parseBeforeReset(text)).toBe('default_reset');
    }
    expect(parseBeforeReset('no-reset-no-sync')).toBe('no_reset_no_sync');
    expect(parseAfterReset('watchdog-reset')).toBe('watchdog_reset');
    expect(parseAfterReset('no_reset_stub')).toBe('no_reset_stub');
    expect(normaliseResetName('No-Reset-No-Sync')).toBe('no_reset_no_sync');
  });

  it('round-trips every mode: dashed label in, canonical value out', () => {
    for (const mode of BEFORE_RESETS) expect(parseResetMode('before', resetModeLabel(mode))).toBe(mode);
    for (const mode of AFTER_RESETS) expect(parseResetMode('after', resetModeLabel(mode))).toBe(mode);
  });

  it('refuses unknown names and modes of the other side', () => {
    expect(parseBeforeReset('reboot')).toBeNull();
    expect(parseBeforeReset('')).toBeNull();
    expect(parseBeforeReset('hard-reset')).toBeNull();
    expect(parseAfterReset('usb_reset')).toBeNull();
    expect(parseAfterReset('default-reset')).toBeNull();
  });

  it('shows esptool v5 dashed names', () => {
    expect(resetModeLabel('no_reset_no_sync')).toBe('no-reset-no-sync');
    expect(resetModeLabel('hard-reset')).toBe('hard-reset');
    expect(resetModeLabels('before')).toEqual(['default-reset', 'usb-reset', 'no-reset', 'no-reset-no-sync']);
    expect(resetModeLabels('after')).toEqual([
      'hard-reset',
      'soft-reset',
      'no-reset',
      'no-reset-stub',
      'watchdog-reset',
    ]);
  });
});

describe('isFixedFlashSize', () => {
  it('is true for a size and false for detect/keep in any case', () => {
    expect(isFixedFlashSize('4MB')).toBe(true);
    expect(isFixedFlashSize('2MB-c1')).toBe(true);
    for (const word of ['detect', 'keep', 'Detect', ' KEEP ']) expect(isFixedFlashSize(word)).toBe(false);
  });
});
