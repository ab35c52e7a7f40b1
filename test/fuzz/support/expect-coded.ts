// The one property every fuzz target shares: the only thing allowed to escape is an EspflashError
// with a namespaced code and a message. Anything else fails with the seed needed to replay it.

import { EspflashError } from '../../../src/errors.js';
import { BASE_SEED } from './prng.js';

/** `area/reason`: lower-case, digits and dashes. */
export const CODE_PATTERN = /^[a-z0-9-]+\/[a-z0-9-]+$/;

/** Fail with a message that carries the seed and a preview of the input. */
export function fuzzFailure(what: string, context: { seed: number; input: string }, cause?: unknown): Error {
  const why =
    cause instanceof Error ? `${cause.name}: ${cause.message}\n${cause.stack ?? ''}` : String(cause ?? '');
  return new Error(
    `${what}\n  iteration seed: ${context.seed} (run with FUZZ_SEED=${BASE_SEED} to replay)\n  input: ${context.input}\n  ${why}`,
  );
}

/** Check that `err` is a well-formed EspflashError; throws a seed-carrying failure otherwise. */
export function assertCoded(err: unknown, context: { seed: number; input: string }): EspflashError {
  if (!(err instanceof EspflashError)) throw fuzzFailure('a non-EspflashError escaped', context, err);
  if (!CODE_PATTERN.test(err.code))
    throw fuzzFailure(`error code ${JSON.stringify(err.code)} is not namespaced`, context, err);
  if (typeof err.message !== 'string' || err.message.trim() === '')
    throw fuzzFailure(`error ${err.code} has an empty message`, context, err);
  return err;
}

/** Outcome of one guarded call. */
export type Guarded<T> = { ok: true; value: T } | { ok: false; error: EspflashError };

/** Run `fn`; return its value, or the coded error it threw (anything else fails the test). */
export function guard<T>(fn: () => T, context: { seed: number; input: string }): Guarded<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, error: assertCoded(err, context) };
  }
}

/** Async {@link guard}. */
export async function guardAsync<T>(
  fn: () => Promise<T>,
  context: { seed: number; input: string },
): Promise<Guarded<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, error: assertCoded(err, context) };
  }
}
