/**
 * Encoded frames packed side by side in shared buffers. Broadcasts encoded
 * one after another land in consecutive bytes, so a connection that has
 * several of them waiting sends them all as one slice of one buffer: no
 * copy and no allocation per recipient (the {@linkcode OutboundQueue} joins
 * adjacent slices for free).
 *
 * @example
 * ```ts
 * const arena = new FrameArena();
 * const a = arena.place('{"type":"notice"}\n');
 * const b = arena.place('{"type":"notice"}\n');
 * // b.byteOffset === a.byteOffset + a.length, in the same buffer
 * ```
 *
 * @module
 */

/** Size of each shared buffer; a few of them are alive at a time. */
const SEGMENT_BYTES = 256 * 1024;

const utf8 = new TextEncoder();

/** Hands out UTF-8 encodings of strings as adjacent slices of shared buffers. */
export class FrameArena {
  #segment = new Uint8Array(SEGMENT_BYTES);
  #used = 0;

  /** Encodes `text` as UTF-8 right after the previous text and returns its bytes. */
  place(text: string): Uint8Array {
    // Only a text that fits even at 3 bytes per UTF-16 unit is sure to fit a fresh segment.
    if (text.length * 3 > SEGMENT_BYTES) return utf8.encode(text);
    let { read, written } = utf8.encodeInto(text, this.#segment.subarray(this.#used));
    if (read < text.length) {
      // Buffers are never reused: slices handed out earlier may still be queued.
      this.#segment = new Uint8Array(SEGMENT_BYTES);
      this.#used = 0;
      ({ written } = utf8.encodeInto(text, this.#segment));
    }
    const bytes = this.#segment.subarray(this.#used, this.#used + written);
    this.#used += written;
    return bytes;
  }
}
