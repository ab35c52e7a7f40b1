import { describe, expect, it } from 'vitest';
import { logLevelOf, stripAnsi, styleLine } from '../../src/monitor/log-style.js';

describe('log styling', () => {
  it('recognises ESP-IDF log levels, with tick or system-time stamps', () => {
    expect(logLevelOf('E (1234) wifi: connect failed')).toBe('E');
    expect(logLevelOf('W (5) spi_flash: detected size 4MB')).toBe('W');
    expect(logLevelOf('I (12:34:56.789) main: hi')).toBe('I');
    expect(logLevelOf('D (99) tag: x')).toBe('D');
    expect(logLevelOf('V (99) tag: x')).toBe('V');
    expect(logLevelOf('\x1b[0;32mI (310) cpu_start: Starting scheduler.\x1b[0m')).toBe('I');
    expect(logLevelOf('Hello world!')).toBeNull();
    expect(logLevelOf('E(12) tag: no space')).toBeNull();
  });

  it('colours by level: E red, W yellow, I green, D plain, V dim', () => {
    expect(styleLine('E (1) t: m', { color: true })).toBe('\x1b[31mE (1) t: m\x1b[39m');
    expect(styleLine('W (1) t: m', { color: true })).toBe('\x1b[33mW (1) t: m\x1b[39m');
    expect(styleLine('I (1) t: m', { color: true })).toBe('\x1b[32mI (1) t: m\x1b[39m');
    expect(styleLine('D (1) t: m', { color: true })).toBe('D (1) t: m');
    expect(styleLine('V (1) t: m', { color: true })).toBe('\x1b[2mV (1) t: m\x1b[22m');
    expect(styleLine('plain text', { color: true })).toBe('plain text');
  });

  it('passes firmware colours through unchanged', () => {
    const line = '\x1b[0;31mE (42) app: bad\x1b[0m';
    expect(styleLine(line, { color: true })).toBe(line);
  });

  it('strips all escapes without colour', () => {
    expect(styleLine('\x1b[0;33mW (7) x: y\x1b[0m', { color: false })).toBe('W (7) x: y');
    expect(styleLine('E (1) t: m', { color: false })).toBe('E (1) t: m');
    expect(stripAnsi('\x1b[2K\x1b[1;1Hdone\x1b[?25h')).toBe('done');
  });
});
