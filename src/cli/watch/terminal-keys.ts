// Reads keys from a terminal for the interactive commands (`watch`, `flash --monitor`): raw mode on a
// TTY so single keys arrive at once, bytes handed to a callback, everything restored on cleanup.

/** The stdin shape the CLI passes (see CliIo.stdin). */
export type KeyStream = NodeJS.ReadableStream & { setRawMode?: (mode: boolean) => unknown; isTTY?: boolean };

/** Deliver every chunk typed on `stdin` to `onBytes`; returns the cleanup (idempotent). */
export function attachKeys(stdin: KeyStream | undefined, onBytes: (bytes: Uint8Array) => void): () => void {
  if (!stdin) return () => {};
  const raw = Boolean(stdin.isTTY && stdin.setRawMode);
  if (raw) stdin.setRawMode!(true);
  const onData = (chunk: Buffer | string) => {
    onBytes(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
  };
  stdin.on('data', onData);
  stdin.resume();
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    stdin.off('data', onData);
    if (raw) stdin.setRawMode!(false);
    stdin.pause();
  };
}
