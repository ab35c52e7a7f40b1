// Where a value came from. Every derived setting in a plan carries one of these so `espflash plan`
// and error messages can say "flash size 4MB (from build/flasher_args.json)".

/** The layers a value can come from, highest precedence first. */
export type SourceKind = 'cli' | 'env' | 'config' | 'build' | 'derived' | 'default' | 'device';

/** A value's origin: the layer plus a human detail (flag name, env var, file path, reasoning). */
export interface Source {
  kind: SourceKind;
  /** e.g. `--flash-mode`, `ESPFLASH_PORT`, `/abs/espflash.config.ts`, `build/flasher_args.json`. */
  detail?: string;
}

/** A value together with where it came from. */
export interface Sourced<T> {
  value: T;
  source: Source;
}

/** Shorthand constructor. */
export function sourced<T>(value: T, kind: SourceKind, detail?: string): Sourced<T> {
  return detail === undefined ? { value, source: { kind } } : { value, source: { kind, detail } };
}

/** "build (build/flasher_args.json)" style rendering. */
export function describeSource(source: Source): string {
  return source.detail ? `${source.kind} (${source.detail})` : source.kind;
}
