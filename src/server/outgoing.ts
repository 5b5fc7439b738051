/**
 * A frame on its way out, encoded at most once per wire format however many
 * members receive it: a broadcast to a thousand members costs one
 * `JSON.stringify` and one UTF-8 encode, not a thousand.
 *
 * @module
 */

import type { ServerFrame } from "../protocol/frames.ts";
import { encodeFrame } from "../protocol/codec.ts";
import { renderPlain } from "../text/plain_format.ts";

const utf8 = new TextEncoder();

/** A frame plus its lazily built, cached encodings. */
export class Outgoing<F extends ServerFrame = ServerFrame> {
  #json: Uint8Array | undefined;
  #plain: Uint8Array | undefined;

  /** @param frame the frame; it must not be changed after construction */
  constructor(readonly frame: F) {}

  /** The frame as a JSON line, for structured clients. */
  get json(): Uint8Array {
    return this.#json ??= utf8.encode(encodeFrame(this.frame));
  }

  /** The frame as CRLF-terminated text lines, for plain-text clients (may be empty). */
  get plain(): Uint8Array {
    if (this.#plain === undefined) {
      const lines = renderPlain(this.frame);
      this.#plain = utf8.encode(lines.length === 0 ? "" : lines.join("\r\n") + "\r\n");
    }
    return this.#plain;
  }
}
