// Keyboard → watch loop: raw stdin bytes through the watch key map (watch-keys.ts) into the
// controller's methods (build, reflash, reset, monitor on/off, help, quit, bytes for the device).

import type { WatchController } from '../../watch/watch-controller.js';
import { createWatchKeys, type WatchKeyAction } from './watch-keys.js';

/** A feed for raw keyboard bytes that drives `controller`. */
export function createWatchInput(controller: WatchController): (bytes: Uint8Array) => void {
  const keys = createWatchKeys();
  const act = (action: WatchKeyAction): void => {
    if (action.type === 'send') controller.send(action.bytes);
    else if (action.type === 'reset') void controller.reset();
    else if (action.type === 'reflash') controller.reflash();
    else if (action.type === 'build') controller.buildNow();
    else if (action.type === 'toggle-monitor') void controller.toggleMonitor();
    else if (action.type === 'help') controller.help();
    else void controller.close();
  };
  return (bytes) => {
    for (const action of keys.feed(bytes, controller.monitorOn)) act(action);
  };
}
