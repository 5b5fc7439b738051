/**
 * Random test data of any size (`crypto.getRandomValues` gives at most
 * 64 KiB at a time).
 *
 * @module
 */

/** `count` random bytes. */
export function randomBytes(count: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(count);
  for (let at = 0; at < count; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(count, at + 65536)));
  }
  return bytes;
}
