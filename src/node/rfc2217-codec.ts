// Telnet (RFC 854/855) framing and the RFC 2217 COM-PORT-OPTION sub-negotiations as pure byte
// codecs: IAC escaping both ways, request encoding, and an incremental decoder for server output.

/** Telnet command bytes. */
export const TELNET = {
  IAC: 255,
  DONT: 254,
  DO: 253,
  WONT: 252,
  WILL: 251,
  SB: 250,
  SE: 240,
} as const;

/** Telnet options espflash negotiates. */
export const TELNET_OPTION = {
  BINARY: 0,
  ECHO: 1,
  SGA: 3,
  COM_PORT: 44,
} as const;

/** RFC 2217 sub-option codes sent by the client; the server answers with code + 100. */
export const COM_PORT = {
  SIGNATURE: 0,
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  FLOWCONTROL_SUSPEND: 8,
  FLOWCONTROL_RESUME: 9,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
} as const;

/** Offset the server adds to a sub-option code in its replies and notifications. */
export const SERVER_REPLY_OFFSET = 100;

/** SET-CONTROL values espflash uses. */
export const CONTROL = {
  NO_FLOW_CONTROL: 1,
  DTR_ON: 8,
  DTR_OFF: 9,
  RTS_ON: 11,
  RTS_OFF: 12,
} as const;

/** PURGE-DATA values. */
export const PURGE = {
  /** Data the access server received from the serial device and has not sent yet. */
  RECEIVE: 1,
  TRANSMIT: 2,
  BOTH: 3,
} as const;

/** SET-PARITY value for no parity; SET-STOPSIZE value for one stop bit. */
export const PARITY_NONE = 1;
export const STOPSIZE_ONE = 1;

/** Double every 0xFF so data (or a sub-negotiation value) cannot be read as a Telnet command. */
export function escapeIac(data: Uint8Array): Uint8Array {
  let count = 0;
  for (const b of data) if (b === TELNET.IAC) count++;
  if (count === 0) return data;
  const out = new Uint8Array(data.length + count);
  let at = 0;
  for (const b of data) {
    out[at++] = b;
    if (b === TELNET.IAC) out[at++] = TELNET.IAC;
  }
  return out;
}

/** `IAC <WILL|WONT|DO|DONT> <option>`. */
export function encodeNegotiation(command: number, option: number): Uint8Array {
  return new Uint8Array([TELNET.IAC, command, option]);
}

/** `IAC SB COM-PORT-OPTION <subOption> <value, IAC-escaped> IAC SE`. */
export function encodeComPortRequest(subOption: number, value: Uint8Array): Uint8Array {
  const escaped = escapeIac(value);
  const out = new Uint8Array(escaped.length + 6);
  out.set([TELNET.IAC, TELNET.SB, TELNET_OPTION.COM_PORT, subOption]);
  out.set(escaped, 4);
  out.set([TELNET.IAC, TELNET.SE], 4 + escaped.length);
  return out;
}

/** SET-BAUDRATE with the rate as a 32-bit big-endian value (0 asks for the current rate). */
export function encodeSetBaudRate(baud: number): Uint8Array {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, baud >>> 0, false);
  return encodeComPortRequest(COM_PORT.SET_BAUDRATE, value);
}

/** A one-byte COM-PORT-OPTION request (SET-CONTROL, SET-DATASIZE, PURGE-DATA, ...). */
export function encodeComPortByte(subOption: number, value: number): Uint8Array {
  return encodeComPortRequest(subOption, new Uint8Array([value]));
}

/** One decoded unit of the server's output. */
export type TelnetEvent =
  | { type: 'data'; bytes: Uint8Array }
  | { type: 'negotiation'; command: number; option: number }
  | { type: 'subnegotiation'; option: number; payload: Uint8Array }
  | { type: 'command'; command: number };

/** A COM-PORT-OPTION message from the server: a reply to a request or a notification. */
export interface ComPortReply {
  /** The client sub-option this answers (server code minus 100), e.g. 1 for SET-BAUDRATE. */
  subOption: number;
  value: Uint8Array;
}

/** Decode a COM-PORT-OPTION sub-negotiation payload from the server; null if it is not a server code. */
export function parseComPortReply(payload: Uint8Array): ComPortReply | null {
  if (payload.length === 0 || payload[0]! < SERVER_REPLY_OFFSET) return null;
  return { subOption: payload[0]! - SERVER_REPLY_OFFSET, value: payload.subarray(1) };
}

/** Read a 32-bit big-endian value (SET-BAUDRATE replies); null when too short. */
export function readBigEndianU32(value: Uint8Array): number | null {
  if (value.length < 4) return null;
  return new DataView(value.buffer, value.byteOffset, 4).getUint32(0, false);
}

type State = 'data' | 'iac' | 'option' | 'sb-option' | 'sb' | 'sb-iac';

/**
 * Incremental decoder of a Telnet stream: feed chunks as they arrive (any split, even inside
 * `IAC IAC` or a sub-negotiation) and get data and protocol events in stream order.
 */
export class TelnetDecoder {
  private state: State = 'data';
  private command = 0;
  private sbOption = 0;
  private sb: number[] = [];

  /** Decode one chunk; consecutive data bytes come out as one `data` event. */
  push(chunk: Uint8Array): TelnetEvent[] {
    const events: TelnetEvent[] = [];
    let data: number[] = [];
    const flushData = () => {
      if (data.length) events.push({ type: 'data', bytes: Uint8Array.from(data) });
      data = [];
    };
    for (const b of chunk) {
      switch (this.state) {
        case 'data':
          if (b === TELNET.IAC) this.state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          if (b === TELNET.IAC) {
            data.push(b);
            this.state = 'data';
          } else if (b >= TELNET.WILL && b <= TELNET.DONT) {
            this.command = b;
            this.state = 'option';
          } else if (b === TELNET.SB) {
            this.state = 'sb-option';
          } else {
            flushData();
            events.push({ type: 'command', command: b });
            this.state = 'data';
          }
          break;
        case 'option':
          flushData();
          events.push({ type: 'negotiation', command: this.command, option: b });
          this.state = 'data';
          break;
        case 'sb-option':
          this.sbOption = b;
          this.sb = [];
          this.state = 'sb';
          break;
        case 'sb':
          if (b === TELNET.IAC) this.state = 'sb-iac';
          else this.sb.push(b);
          break;
        case 'sb-iac':
          if (b === TELNET.IAC) {
            this.sb.push(b);
            this.state = 'sb';
          } else {
            // IAC SE ends the sub-negotiation; any other command here is malformed and ends it too.
            flushData();
            events.push({ type: 'subnegotiation', option: this.sbOption, payload: Uint8Array.from(this.sb) });
            this.sb = [];
            this.state = 'data';
          }
          break;
      }
    }
    flushData();
    return events;
  }
}
