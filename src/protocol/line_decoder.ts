/**
 * Splits a byte stream into lines. Lines end with `\n` (a `\r` before it is
 * dropped); they are decoded as UTF-8 with invalid bytes replaced by U+FFFD.
 * The unfinished tail is held in a buffer that never exceeds the line cap, so
 * a peer that never sends a newline cannot grow the receiver's memory.
 *
 * @example
 * ```ts
 * const decoder = new LineDecoder(16384);
 * const result = decoder.push(new TextEncoder().encode("hi\nthere"));
 * // result.lines is ["hi"]; "there" waits for its newline.
 * ```
 *
 * @module
 */

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

// One decoder for every LineDecoder: only whole lines are decoded, so it keeps
// no state between calls, and a server with thousands of connections saves
// one TextDecoder each.
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** What one call to {@linkcode LineDecoder.push} produced. */
export interface DecodeResult {
  /** Complete lines, in order. */
  lines: string[];
  /** True when a line exceeded the cap; the decoder must not be used again. */
  overflow: boolean;
}

/** Turns chunks of bytes into lines, holding at most `maxLineBytes` of an unfinished line. */
export class LineDecoder {
  readonly #maxLineBytes: number;
  #pending: Uint8Array | null = null;

  /** @param maxLineBytes longest accepted line in bytes, line ending excluded */
  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes of an unfinished line waiting for its newline. */
  get pendingBytes(): number {
    return this.#pending?.length ?? 0;
  }

  /** Feeds a chunk; returns the lines it completed. The chunk may be reused afterwards. */
  push(chunk: Uint8Array): DecodeResult {
    const lines: string[] = [];
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        if (!this.#hold(chunk.subarray(start))) return { lines, overflow: true };
        break;
      }
      const piece = chunk.subarray(start, end);
      const line = stripCarriageReturn(this.#pending ? concat(this.#pending, piece) : piece);
      this.#pending = null;
      if (line.length > this.#maxLineBytes) return { lines, overflow: true };
      lines.push(this.#decode(line));
      start = end + 1;
    }
    return { lines, overflow: false };
  }

  /** Returns the unfinished line as if it had ended, or `null` when there is none. */
  flushPartial(): string | null {
    if (!this.#pending) return null;
    const line = this.#decode(stripCarriageReturn(this.#pending));
    this.#pending = null;
    return line;
  }

  #hold(tail: Uint8Array): boolean {
    // One byte of slack for a `\r` that will be dropped when the `\n` arrives.
    if (this.pendingBytes + tail.length > this.#maxLineBytes + 1) {
      this.#pending = null;
      return false;
    }
    this.#pending = this.#pending ? concat(this.#pending, tail) : tail.slice();
    return true;
  }

  #decode(bytes: Uint8Array): string {
    return utf8.decode(bytes);
  }
}

function stripCarriageReturn(line: Uint8Array): Uint8Array {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN
    ? line.subarray(0, line.length - 1)
    : line;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
