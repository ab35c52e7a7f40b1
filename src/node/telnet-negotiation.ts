// Telnet option negotiation (RFC 854/855, loop-free in the spirit of RFC 1143): which options we
// enable, which the server may enable, and the one reply (if any) each received request needs.

import { encodeNegotiation, TELNET } from './rfc2217-codec.js';

type OptionState = 'off' | 'pending' | 'on';

/** The outcome of one received WILL/WONT/DO/DONT. */
export interface NegotiationResult {
  /** Bytes to send back, or null when our view did not change (never answer twice: no loops). */
  reply: Uint8Array | null;
  /** Set when the request decided one of our (local) options: DO → true, DONT → false. */
  local?: { option: number; enabled: boolean };
}

/** Per-connection negotiation state. */
export class TelnetNegotiator {
  private readonly local = new Map<number, OptionState>();
  private readonly remote = new Map<number, OptionState>();

  /**
   * @param options.local options we offer (WILL) and accept when asked (DO);
   * @param options.remote options we ask the server for (DO) and accept when offered (WILL).
   * Everything else is refused once.
   */
  constructor(private readonly options: { local: ReadonlySet<number>; remote: ReadonlySet<number> }) {}

  /** The opening requests: WILL for each local option, DO for each remote one. */
  hello(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const option of this.options.local) {
      this.local.set(option, 'pending');
      out.push(encodeNegotiation(TELNET.WILL, option));
    }
    for (const option of this.options.remote) {
      this.remote.set(option, 'pending');
      out.push(encodeNegotiation(TELNET.DO, option));
    }
    return out;
  }

  /** Whether an option is enabled on our side / the server's side. */
  isEnabled(side: 'local' | 'remote', option: number): boolean {
    return (side === 'local' ? this.local : this.remote).get(option) === 'on';
  }

  /** Handle a received `IAC <command> <option>`. */
  receive(command: number, option: number): NegotiationResult {
    const answer = (cmd: number) => encodeNegotiation(cmd, option);
    if (command === TELNET.DO || command === TELNET.DONT) {
      const known = this.local.has(option);
      const state = this.local.get(option) ?? 'off';
      if (command === TELNET.DO && this.options.local.has(option)) {
        this.local.set(option, 'on');
        return { reply: state === 'off' ? answer(TELNET.WILL) : null, local: { option, enabled: true } };
      }
      this.local.set(option, 'off');
      if (command === TELNET.DO) return { reply: known ? null : answer(TELNET.WONT) };
      return { reply: state === 'on' ? answer(TELNET.WONT) : null, local: { option, enabled: false } };
    }
    if (command === TELNET.WILL || command === TELNET.WONT) {
      const known = this.remote.has(option);
      const state = this.remote.get(option) ?? 'off';
      if (command === TELNET.WILL && this.options.remote.has(option)) {
        this.remote.set(option, 'on');
        return { reply: state === 'off' ? answer(TELNET.DO) : null };
      }
      this.remote.set(option, 'off');
      if (command === TELNET.WILL) return { reply: known && state === 'off' ? null : answer(TELNET.DONT) };
      return { reply: state === 'on' ? answer(TELNET.DONT) : null };
    }
    return { reply: null };
  }
}
