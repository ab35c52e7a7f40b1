// A tiny hand-assembled Xtensa program for the ESP32 example bootloader: the ROM loads the image and
// calls its entry (windowed ABI), the program writes one line to UART0's TX FIFO and spins. With it a
// boot test proves the whole chain: bytes written by espflash → ROM loads segments → our code runs.

/** The line the program prints (ASCII, at most 47 bytes with the CR LF). */
export const ESP32_HELLO_LINE = 'espflash example bootloader: hello from IRAM';

/** UART0 register block (FIFO at +0x00, STATUS at +0x1C with TXFIFO_CNT in bits 23:16). */
const UART0_BASE = 0x3ff40000;

/** Literal pool + message, placed in the 0x40 bytes right below the entry point. */
const POOL_BYTES = 0x40;
/** Message words start 8 bytes into the pool (after the two literals). */
const MESSAGE_OFFSET = 8;
const MESSAGE_MAX = POOL_BYTES - MESSAGE_OFFSET - 8;

/**
 * The code at the entry point E (E is 4-byte aligned; offsets in comments are from E). Branch and
 * L32R offsets are computed by hand from those positions:
 * - L32R: address = ((PC + 3) & ~3) + (imm16 sign-extended with ones) × 4; here both load from
 *   (E + 4) − 0x44 = E − 0x40 and (E + 8) − 0x44 = E − 0x3C, so both encode imm16 = 0xFFEF.
 * - BEQZ/BNEZ (BRI12) and BGEUI (BRI8): target = PC + 4 + imm.
 * - J (CALL format): target = PC + 4 + offset18.
 */
const CODE: readonly (readonly [number, number, number])[] = [
  [0x36, 0x41, 0x00], // +0x00 entry  a1, 32          ; windowed-ABI prologue, 32-byte frame
  [0x21, 0xef, 0xff], // +0x03 l32r   a2, E-0x40      ; a2 = UART0 base (0x3FF40000)
  [0x31, 0xef, 0xff], // +0x06 l32r   a3, E-0x3C      ; a3 = address of the message words
  [0x42, 0x23, 0x00], // +0x09 l32i   a4, a3, 0       ; next_word: a4 = 4 message bytes
  [0x32, 0xc3, 0x04], // +0x0C addi   a3, a3, 4
  [0x52, 0xa0, 0x04], // +0x0F movi   a5, 4           ; 4 bytes per word
  [0x40, 0x60, 0x74], // +0x12 extui  a6, a4, 0, 8    ; next_byte: a6 = low byte
  [0x16, 0x76, 0x01], // +0x15 beqz   a6, +0x30       ; NUL: done
  [0x72, 0x22, 0x07], // +0x18 l32i   a7, a2, 0x1C    ; wait: a7 = UART_STATUS
  [0x70, 0x70, 0x75], // +0x1B extui  a7, a7, 16, 8   ; a7 = TXFIFO_CNT
  [0xf6, 0xd7, 0xf6], // +0x1E bgeui  a7, 64, +0x18   ; FIFO half full: wait
  [0x62, 0x62, 0x00], // +0x21 s32i   a6, a2, 0       ; push the byte into the TX FIFO
  [0x40, 0x48, 0x41], // +0x24 srli   a4, a4, 8
  [0x52, 0xc5, 0xff], // +0x27 addi   a5, a5, -1
  [0x56, 0x45, 0xfe], // +0x2A bnez   a5, +0x12       ; more bytes in this word
  [0x06, 0xf6, 0xff], // +0x2D j      +0x09           ; next word
  [0x06, 0xff, 0xff], // +0x30 j      +0x30           ; done: spin here
];

/** Bytes the program occupies from the pool start to the end of the code. */
export const ESP32_HELLO_SPAN = POOL_BYTES + CODE.length * 3;

/**
 * Write the program into `segment` (loaded at `loadAddress`) so that it runs from
 * `loadAddress + entryOffset`: the literal pool (UART0 base, message address, message words, NUL)
 * in the 0x40 bytes below the entry and the code at the entry.
 */
export function placeEsp32Hello(segment: Uint8Array, loadAddress: number, entryOffset: number): void {
  const message = `${ESP32_HELLO_LINE}\r\n`;
  if (message.length + 1 > MESSAGE_MAX) throw new Error('ESP32_HELLO_LINE is too long for the literal pool');
  if (entryOffset % 4 !== 0 || entryOffset < POOL_BYTES || entryOffset + CODE.length * 3 > segment.length) {
    throw new Error(`cannot place the hello program at entry offset ${entryOffset}`);
  }
  const pool = entryOffset - POOL_BYTES;
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  segment.fill(0, pool, entryOffset);
  view.setUint32(pool, UART0_BASE, true);
  view.setUint32(pool + 4, (loadAddress + pool + MESSAGE_OFFSET) >>> 0, true);
  for (let i = 0; i < message.length; i++) segment[pool + MESSAGE_OFFSET + i] = message.charCodeAt(i);
  CODE.forEach((insn, i) => {
    segment.set(insn, entryOffset + i * 3);
  });
}
