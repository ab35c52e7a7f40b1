// Whether to colour a stream, and the colouring itself. The decision: `--color`/`--no-color` first,
// then FORCE_COLOR (0/false off; 1/2/3/true/empty on, as Node reads it), NO_COLOR only when
// non-empty (https://no-color.org), TERM=dumb, and otherwise Node's own `hasColors()` of the stream
// (a terminal that shows colours). Styling uses `util.styleText` when this Node has it (detected).

import * as util from 'node:util';

/** An output stream as far as colour is concerned (`tty.WriteStream` has both). */
export interface ColorStream {
  isTTY?: boolean;
  hasColors?: (count?: number, env?: object) => boolean;
}

/** Inputs of {@link decideColor}. */
export interface ColorInputs {
  /** `--color` (true) / `--no-color` (false), undefined when neither was given. */
  flag: boolean | undefined;
  env: Record<string, string | undefined>;
  stream: ColorStream;
}

/** FORCE_COLOR values that turn colour on (the ones Node's getColorDepth accepts). */
const FORCE_ON = new Set(['', '1', '2', '3', 'true']);

/** Colour this stream? */
export function decideColor({ flag, env, stream }: ColorInputs): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return FORCE_ON.has(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  if (!stream.isTTY) return false;
  if (typeof stream.hasColors !== 'function') return true;
  // Both decided above; Node would read an empty NO_COLOR as set, no-color.org does not.
  const { NO_COLOR: _no, FORCE_COLOR: _force, ...rest } = env;
  return stream.hasColors(2, rest);
}

/** The styles the CLI uses. */
export type Style = 'red' | 'green' | 'yellow' | 'dim' | 'bold';

const CODES: Record<Style, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  dim: [2, 22],
  bold: [1, 22],
};

type StyleText = (style: Style, text: string) => string;

/** `util.styleText` without its own stream check (the decision is ours), when it behaves as expected. */
function detectStyleText(): StyleText | null {
  const styleText = (util as { styleText?: typeof util.styleText }).styleText;
  if (typeof styleText !== 'function') return null;
  try {
    const fn: StyleText = (style, text) => styleText(style, text, { validateStream: false });
    return fn('red', 'x') === '\x1b[31mx\x1b[39m' ? fn : null;
  } catch {
    return null;
  }
}

let styler: StyleText | undefined;

function style(s: Style, text: string): string {
  styler ??= detectStyleText() ?? ((st, t) => `\x1b[${CODES[st][0]}m${t}\x1b[${CODES[st][1]}m`);
  return styler(s, text);
}

/** A painter: styles text when `enabled`, returns it unchanged otherwise. */
export function painter(enabled: boolean): (s: Style, text: string) => string {
  return enabled ? style : (_s, text) => text;
}
