// Keys of `espflash watch`. With the monitor off, single keys act: r reset, f full reflash, b build
// now, m monitor on/off, q quit, h help. With the monitor on, keys go to the device and the same
// commands follow the monitor's Ctrl+T prefix (Ctrl+T F, Ctrl+T B, …); Ctrl+] quits either way. Pure.

import { createKeyHandler, EXIT_KEY, type KeyHandler } from '../../monitor/keys.js';

/** What a keypress asks the watch loop for. */
export type WatchKeyAction =
  | { type: 'reset' }
  | { type: 'reflash' }
  | { type: 'build' }
  | { type: 'toggle-monitor' }
  | { type: 'quit' }
  | { type: 'help' }
  | { type: 'send'; bytes: Uint8Array };

/** One line for the user, naming the keys for the current monitor state. */
export function watchKeyHelp(monitorOn: boolean): string {
  return monitorOn
    ? 'Ctrl+T then: R reset | F full reflash | B build now | M monitor off | Q quit — Ctrl+] quits; other keys go to the device'
    : 'r reset | f full reflash | b build now | m monitor on | q quit | h help';
}

/** Ctrl+C, which a raw terminal delivers as a byte instead of SIGINT. */
const CTRL_C = 0x03;

const PLAIN_KEYS: Record<string, WatchKeyAction['type']> = {
  r: 'reset',
  f: 'reflash',
  b: 'build',
  m: 'toggle-monitor',
  q: 'quit',
  h: 'help',
  '?': 'help',
};

/** Feeds raw stdin bytes; returns actions in order. */
export interface WatchKeyHandler {
  feed(chunk: Uint8Array, monitorOn: boolean): WatchKeyAction[];
}

/** Create a key handler (it remembers a pending Ctrl+T across chunks). */
export function createWatchKeys(): WatchKeyHandler {
  const monitorKeys: KeyHandler = createKeyHandler();
  return {
    feed(chunk, monitorOn) {
      if (monitorOn) return fromMonitorKeys(monitorKeys, chunk);
      const actions: WatchKeyAction[] = [];
      for (const key of chunk) {
        if (key === EXIT_KEY || key === CTRL_C) {
          actions.push({ type: 'quit' });
          return actions;
        }
        const type = PLAIN_KEYS[String.fromCharCode(key).toLowerCase()];
        if (type !== undefined) actions.push({ type } as WatchKeyAction);
      }
      return actions;
    },
  };
}

/** The monitor's own key map, with the Ctrl+T menu extended by F, B and M. */
function fromMonitorKeys(keys: KeyHandler, chunk: Uint8Array): WatchKeyAction[] {
  const out: WatchKeyAction[] = [];
  for (const action of keys.feed(chunk)) {
    switch (action.type) {
      case 'send':
        out.push({ type: 'send', bytes: action.bytes });
        break;
      case 'exit':
        out.push({ type: 'quit' });
        return out;
      case 'reset':
        out.push({ type: 'reset' });
        break;
      case 'help':
        out.push({ type: 'help' });
        break;
      case 'unknown-menu-key': {
        const type = PLAIN_KEYS[String.fromCharCode(action.key).toLowerCase()];
        out.push({ type: type === undefined || type === 'quit' ? 'help' : type } as WatchKeyAction);
        break;
      }
    }
  }
  return out;
}
