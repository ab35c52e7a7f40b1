// Test setup (every project): `toEqual` / `toStrictEqual` compare two integer typed arrays of the same
// kind (Uint8Array, Buffer, Uint32Array, ...) as bytes in one native call. Vitest's generic deep
// equality walks them element by element at about 3.5 µs a byte (4.7 s for one 1 MiB flash image);
// the verdict is the same, and a failure still goes to Vitest's own diff.
import { expect } from 'vitest';

const INTEGER_ARRAYS: ReadonlySet<unknown> = new Set([
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int8Array.prototype,
  Uint16Array.prototype,
  Int16Array.prototype,
  Uint32Array.prototype,
  Int32Array.prototype,
  BigUint64Array.prototype,
  BigInt64Array.prototype,
  Buffer.prototype,
]);

function asBytes(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Same prototype (so Buffer against Uint8Array, or Uint8Array against Int8Array, still gets Vitest's
 * own comparison and its strict type check), integer elements (so -0 and NaN never come into it):
 * equal exactly when the lengths and the bytes are. Anything else: undefined, Vitest decides.
 */
function integerArraysEqual(a: unknown, b: unknown): boolean | undefined {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return undefined;
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.getPrototypeOf(b) || !INTEGER_ARRAYS.has(proto)) return undefined;
  if (a.byteLength !== b.byteLength) return false;
  if (asBytes(a).equals(asBytes(b))) return true;
  // Unequal: let Vitest compare (and render its diff).
  return undefined;
}

// Once per worker: without isolation this file runs again for every test file in the same process.
const INSTALLED = Symbol.for('espflash.test.byteEquality');
const registry = globalThis as { [INSTALLED]?: true };
if (!registry[INSTALLED]) {
  expect.addEqualityTesters([integerArraysEqual]);
  registry[INSTALLED] = true;
}
