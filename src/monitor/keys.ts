// Keyboard handling for the monitor in raw mode: Ctrl+] exits, Ctrl+T opens a one-key menu (R reset,
// H help, X exit, Ctrl+T sends a literal Ctrl+T); every other key goes to the device. Pure.

/** What a keypress asks for. */
export type KeyAction =
  | { type: 'send'; bytes: Uint8Array }
  | { type: 'exit' }
  | { type: 'reset' }
  | { type: 'help' }
  /** Ctrl+T followed by a key the menu does not know. */
  | { type: 'unknown-menu-key'; key: number };

/** How Enter (which a raw terminal sends as CR) reaches the device. */
export type EnterMode = 'CRLF' | 'CR' | 'LF';

/** Options for {@link createKeyHandler}. */
export interface KeyHandlerOptions {
  /** Default CRLF, like ESP-IDF's monitor. */
  enter?: EnterMode;
}

/** Feeds raw stdin bytes; returns actions in order. */
export interface KeyHandler {
  feed(chunk: Uint8Array): KeyAction[];
}

/** Ctrl+] */
export const EXIT_KEY = 0x1d;
/** Ctrl+T */
export const MENU_KEY = 0x14;

/** One line for the user, naming the keys. */
export const KEY_HELP =
  'Ctrl+] exit | Ctrl+T R reset the chip | Ctrl+T H help | Ctrl+T Ctrl+T send Ctrl+T | other keys go to the device';

const ENTER_BYTES: Record<EnterMode, number[]> = { CRLF: [0x0d, 0x0a], CR: [0x0d], LF: [0x0a] };

/** Create a key handler (it remembers a pending Ctrl+T across chunks). */
export function createKeyHandler(options: KeyHandlerOptions = {}): KeyHandler {
  const enter = ENTER_BYTES[options.enter ?? 'CRLF'];
  let menu = false;
  return {
    feed(chunk) {
      const actions: KeyAction[] = [];
      let pending: number[] = [];
      const flush = () => {
        if (pending.length) actions.push({ type: 'send', bytes: Uint8Array.from(pending) });
        pending = [];
      };
      for (const key of chunk) {
        if (menu) {
          menu = false;
          const action = menuAction(key);
          if (action.type === 'send') pending.push(...action.bytes);
          else {
            flush();
            actions.push(action);
          }
          continue;
        }
        if (key === EXIT_KEY) {
          flush();
          actions.push({ type: 'exit' });
          return actions; // nothing after the exit key matters
        }
        if (key === MENU_KEY) {
          menu = true;
          continue;
        }
        if (key === 0x0d) pending.push(...enter);
        else pending.push(key);
      }
      flush();
      return actions;
    },
  };
}

function menuAction(key: number): KeyAction {
  const lower = key >= 0x41 && key <= 0x5a ? key + 0x20 : key;
  if (lower === 0x72 || key === 0x12) return { type: 'reset' }; // r, Ctrl+R
  if (lower === 0x68 || key === 0x3f || key === 0x08) return { type: 'help' }; // h, ?, Ctrl+H
  if (lower === 0x78 || lower === 0x71 || key === 0x18 || key === EXIT_KEY) return { type: 'exit' }; // x, q, Ctrl+X
  if (key === MENU_KEY) return { type: 'send', bytes: Uint8Array.of(MENU_KEY) };
  return { type: 'unknown-menu-key', key };
}
