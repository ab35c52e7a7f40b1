// A Transport that hands every call to another one: the base of the bench's observing wrappers,
// which override only the calls they watch.

import type { ModemSignals, Transport } from '../../src/core/session/transport.js';

export class ForwardingTransport implements Transport {
  constructor(protected readonly inner: Transport) {}

  get description() {
    return this.inner.description;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  get baudRate() {
    return this.inner.baudRate;
  }
  read(o: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    return this.inner.read(o);
  }
  write(data: Uint8Array): Promise<void> {
    return this.inner.write(data);
  }
  setSignals(s: ModemSignals): Promise<void> {
    return this.inner.setSignals(s);
  }
  setBaudRate(b: number): Promise<void> {
    return this.inner.setBaudRate(b);
  }
  flushInput(): Promise<void> {
    return this.inner.flushInput();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
