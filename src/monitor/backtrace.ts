// Spots crash output in monitor lines — Xtensa `Backtrace: 0xPC:0xSP …`, `Guru Meditation Error`
// panics with Xtensa or RISC-V (`MEPC : 0x…  RA : 0x…`) register dumps, and `Stack memory:` words —
// and collects the code addresses worth decoding. Pure; decoding lives in addr2line.ts.

/** CPU family, which decides how register values map to code addresses. */
export type CpuArch = 'xtensa' | 'riscv';

/** Options for {@link BacktraceScanner}. */
export interface BacktraceScannerOptions {
  /** Known architecture (from the chip); null/absent: guess from what the panic prints. */
  arch?: CpuArch | null;
}

/** What one line contributed. */
export interface ScanResult {
  /** Code addresses in this line, in order, without duplicates. */
  addresses: number[];
  /** The line started a panic (`Guru Meditation Error`, `abort() was called`, …). */
  panicStart: boolean;
}

// Instruction memory windows across ESP chips: ROM/IRAM at 0x4000_0000–0x403F_FFFF, flash-mapped
// code at 0x400C_0000–0x40BF_FFFF (ESP32) and 0x4200_0000–0x43FF_FFFF (S3, C-series, H2, P4 at 0x4000_0000+).
const CODE_RANGES: ReadonlyArray<{ from: number; to: number }> = [
  { from: 0x4000_0000, to: 0x40c0_0000 },
  { from: 0x4200_0000, to: 0x4400_0000 },
  { from: 0x4ff0_0000, to: 0x4ffc_0000 },
];

const BACKTRACE = /^\s*Backtrace:/;
const PC_SP_PAIR = /0x([0-9a-f]{8}):0x[0-9a-f]{8}/gi;
const HEX_WORD = /0x([0-9a-f]{8})\b/gi;
const PANIC_START =
  /Guru Meditation Error|abort\(\) was called|Unhandled debug exception|Stack smashing protect/;
const PANIC_END = /^\s*(Rebooting\.\.\.|ELF file SHA256|CPU halted\.|Entering gdb stub)/;
// `PC      : 0x400d1234  PS      : 0x…` (Xtensa) and `MEPC    : 0x42000abc  RA      : 0x…` (RISC-V).
const REGISTER = /\b([A-Z][A-Z0-9]{0,7})\s*:\s*0x([0-9a-f]{8})\b/gi;
// Registers that hold code addresses: program counters, return addresses, exception addresses.
const XTENSA_CODE_REGS = new Set(['PC', 'EPC1', 'EPC2', 'EPC3', 'EPC4', 'EPC5', 'EPC6', 'EPC7', 'A0']);
const RISCV_CODE_REGS = new Set(['MEPC', 'RA', 'MTVEC']);
const STACK_MEMORY = /^\s*Stack memory:/;
const STACK_ROW = /^\s*[0-9a-f]{8}:\s+0x[0-9a-f]{8}/i;

/** True when `address` lies in a window where ESP chips execute code. */
export function isCodeAddress(address: number): boolean {
  return CODE_RANGES.some((r) => address >= r.from && address < r.to);
}

/** Xtensa windowed-call return addresses carry the window size in the top two bits; restore them. */
export function xtensaReturnAddress(value: number): number {
  return ((value & 0x3fff_ffff) | 0x4000_0000) >>> 0;
}

/** Feeds on complete lines; remembers whether it is inside a panic dump. */
export class BacktraceScanner {
  private arch: CpuArch | null;
  private inPanic = false;
  private inStackDump = false;

  constructor(options: BacktraceScannerOptions = {}) {
    this.arch = options.arch ?? null;
  }

  /** Whether the previous lines opened a panic that has not ended yet. */
  get panicking(): boolean {
    return this.inPanic;
  }

  /** Look at one complete line (ANSI already stripped) and return its code addresses. */
  scan(line: string): ScanResult {
    const found: number[] = [];
    const add = (a: number) => {
      if (isCodeAddress(a) && !found.includes(a)) found.push(a);
    };
    const panicStart = PANIC_START.test(line);
    if (panicStart) {
      this.inPanic = true;
      this.inStackDump = false;
    }
    if (BACKTRACE.test(line)) {
      this.arch ??= 'xtensa';
      for (const m of line.matchAll(PC_SP_PAIR)) add(Number.parseInt(m[1]!, 16));
      return { addresses: found, panicStart };
    }
    if (PANIC_END.test(line)) {
      this.inPanic = false;
      this.inStackDump = false;
      return { addresses: found, panicStart };
    }
    if (!this.inPanic) return { addresses: found, panicStart };

    if (STACK_MEMORY.test(line)) {
      this.inStackDump = true;
      return { addresses: found, panicStart };
    }
    if (this.inStackDump) {
      if (!STACK_ROW.test(line)) {
        this.inStackDump = false;
      } else {
        const words = line.replace(/^\s*[0-9a-f]{8}:/i, '');
        for (const m of words.matchAll(HEX_WORD)) add(Number.parseInt(m[1]!, 16));
        return { addresses: found, panicStart };
      }
    }
    for (const m of line.matchAll(REGISTER)) {
      const name = m[1]!.toUpperCase();
      const value = Number.parseInt(m[2]!, 16);
      if (name === 'MEPC') this.arch ??= 'riscv';
      if (RISCV_CODE_REGS.has(name) && this.arch !== 'xtensa') add(value);
      else if (XTENSA_CODE_REGS.has(name) && this.arch !== 'riscv') {
        add(name === 'A0' ? xtensaReturnAddress(value) : value);
      }
    }
    return { addresses: found, panicStart };
  }
}
