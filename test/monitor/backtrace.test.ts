import { describe, expect, it } from 'vitest';
import { BacktraceScanner, isCodeAddress, xtensaReturnAddress } from '../../src/monitor/backtrace.js';

describe('BacktraceScanner', () => {
  it('collects the PCs of an Xtensa backtrace line', () => {
    const s = new BacktraceScanner();
    const r = s.scan(
      'Backtrace: 0x400d1234:0x3ffb1230 0x400d5678:0x3ffb1250 0x40089abc:0x3ffb1270 |<-CORRUPTED',
    );
    expect(r.addresses).toEqual([0x400d1234, 0x400d5678, 0x40089abc]);
  });

  it('ignores ordinary lines and register-like text outside a panic', () => {
    const s = new BacktraceScanner();
    expect(s.scan('I (310) main: PC : 0x400d1234 is fine').addresses).toEqual([]);
    expect(s.scan('MEPC    : 0x42000abc  RA      : 0x42000def').addresses).toEqual([]);
  });

  it('follows an Xtensa Guru Meditation dump: PC, window-encoded A0, not data registers', () => {
    const s = new BacktraceScanner({ arch: 'xtensa' });
    expect(
      s.scan("Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.").panicStart,
    ).toBe(true);
    s.scan('Core  0 register dump:');
    const r = s.scan(
      'PC      : 0x400d1234  PS      : 0x00060f30  A0      : 0x800d5678  A1      : 0x3ffb1230',
    );
    expect(r.addresses).toEqual([0x400d1234, 0x400d5678]);
    expect(s.scan('EXCVADDR: 0x00000000  LBEG    : 0x4000c2e0').addresses).toEqual([]);
    s.scan('Rebooting...');
    expect(s.panicking).toBe(false);
  });

  it('follows a RISC-V panic: MEPC and RA, and code words in Stack memory', () => {
    const s = new BacktraceScanner();
    s.scan("Guru Meditation Error: Core  0 panic'ed (Load access fault). Exception was unhandled.");
    s.scan('Core  0 register dump:');
    expect(
      s.scan('MEPC    : 0x42000abc  RA      : 0x42000def  SP      : 0x3fc8f0a0  GP      : 0x3fc8b000')
        .addresses,
    ).toEqual([0x42000abc, 0x42000def]);
    // A0 is an argument register on RISC-V, not a return address.
    expect(s.scan('A0      : 0x42001234  A1      : 0x3fc8f0d0').addresses).toEqual([]);
    s.scan('Stack memory:');
    expect(s.scan('3fc8f0a0: 0x42000aaa 0x00000000 0x3fc8f0e0 0x40380ccc').addresses).toEqual([
      0x42000aaa, 0x40380ccc,
    ]);
    expect(s.scan('3fc8f0b0: 0x00000001 0x42000aaa').addresses).toEqual([0x42000aaa]);
    s.scan('ELF file SHA256: 0123456789abcdef');
    expect(s.scan('3fc8f0c0: 0x42000bbb').addresses).toEqual([]);
  });
});

describe('address helpers', () => {
  it('knows code windows', () => {
    expect(isCodeAddress(0x400d1234)).toBe(true);
    expect(isCodeAddress(0x42000abc)).toBe(true);
    expect(isCodeAddress(0x3ffb1230)).toBe(false);
    expect(isCodeAddress(0x00000000)).toBe(false);
  });

  it('restores Xtensa return addresses', () => {
    expect(xtensaReturnAddress(0x800d5678)).toBe(0x400d5678);
    expect(xtensaReturnAddress(0xc0081234)).toBe(0x40081234);
  });
});
