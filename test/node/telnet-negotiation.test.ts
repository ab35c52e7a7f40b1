// Telnet option negotiation: the opening requests, agreeing to wanted options, refusing others
// exactly once, and never answering a request that changes nothing (no negotiation loops).

import { describe, expect, it } from 'vitest';
import { TELNET, TELNET_OPTION } from '../../src/node/rfc2217-codec.js';
import { TelnetNegotiator } from '../../src/node/telnet-negotiation.js';

const { WILL, WONT, DO, DONT, IAC } = TELNET;
const { BINARY, ECHO, SGA, COM_PORT } = TELNET_OPTION;

function negotiator() {
  return new TelnetNegotiator({ local: new Set([BINARY, SGA, COM_PORT]), remote: new Set([BINARY, SGA]) });
}

const replyOf = (n: TelnetNegotiator, cmd: number, opt: number) => {
  const r = n.receive(cmd, opt).reply;
  return r === null ? null : [...r];
};

describe('TelnetNegotiator', () => {
  it('opens with WILL for local options and DO for remote ones', () => {
    const bytes = negotiator()
      .hello()
      .flatMap((b) => [...b]);
    expect(bytes).toEqual([
      IAC,
      WILL,
      BINARY,
      IAC,
      WILL,
      SGA,
      IAC,
      WILL,
      COM_PORT,
      IAC,
      DO,
      BINARY,
      IAC,
      DO,
      SGA,
    ]);
  });

  it('treats DO for a requested option as the answer (no reply) and reports COM-PORT accepted', () => {
    const n = negotiator();
    n.hello();
    expect(n.receive(DO, COM_PORT)).toEqual({ reply: null, local: { option: COM_PORT, enabled: true } });
    expect(n.isEnabled('local', COM_PORT)).toBe(true);
    expect(replyOf(n, DO, COM_PORT)).toBeNull();
    expect(replyOf(n, WILL, BINARY)).toBeNull();
    expect(n.isEnabled('remote', BINARY)).toBe(true);
  });

  it('agrees to a wanted option the server raises first', () => {
    const n = negotiator();
    expect(replyOf(n, DO, SGA)).toEqual([IAC, WILL, SGA]);
    expect(replyOf(n, WILL, SGA)).toEqual([IAC, DO, SGA]);
    expect(replyOf(n, WILL, SGA)).toBeNull();
  });

  it('refuses unwanted options once (WILL ECHO -> DONT, DO 24 -> WONT)', () => {
    const n = negotiator();
    expect(replyOf(n, WILL, ECHO)).toEqual([IAC, DONT, ECHO]);
    expect(replyOf(n, WILL, ECHO)).toBeNull();
    expect(replyOf(n, DO, 24)).toEqual([IAC, WONT, 24]);
    expect(replyOf(n, DO, 24)).toBeNull();
    expect(replyOf(n, DONT, ECHO)).toBeNull();
  });

  it('reports a refused COM-PORT-OPTION and acknowledges disabling an enabled option', () => {
    const n = negotiator();
    n.hello();
    expect(n.receive(DONT, COM_PORT)).toEqual({ reply: null, local: { option: COM_PORT, enabled: false } });
    expect(replyOf(n, DO, BINARY)).toBeNull();
    expect(replyOf(n, DONT, BINARY)).toEqual([IAC, WONT, BINARY]);
    expect(replyOf(n, WILL, SGA)).toBeNull();
    expect(replyOf(n, WONT, SGA)).toEqual([IAC, DONT, SGA]);
    expect(replyOf(n, WONT, SGA)).toBeNull();
  });
});
