/**
 * A frame on its way out, encoded at most once per wire format however many
 * members receive it: a broadcast to a thousand members costs one
 * `JSON.stringify` and one UTF-8 encode, not a thousand. Broadcasts are
 * encoded into shared {@linkcode FrameArena}s, so consecutive broadcasts are
 * consecutive bytes and reach each member in a single write without copying.
 *
 * @module
 */

import type { ServerFrame } from "../protocol/frames.ts";
import { encodeFrame } from "../protocol/codec.ts";
import { mentionsFiles, renderPlain } from "../text/plain_format.ts";
import { FrameArena } from "./frame_arena.ts";

const utf8 = new TextEncoder();
const jsonArena = new FrameArena();
const plainArena = new FrameArena();

/** A frame plus its lazily built, cached encodings. */
export class Outgoing<F extends ServerFrame = ServerFrame> {
  #json: Uint8Array | undefined;
  #plain: Uint8Array | undefined;
  readonly #broadcast: boolean;

  /**
   * @param frame the frame; it must not be changed after construction
   * @param broadcast true for frames sent to the whole room (their encodings share buffers)
   */
  constructor(readonly frame: F, broadcast = false) {
    this.#broadcast = broadcast;
  }

  /** The frame as a JSON line, for structured clients. */
  get json(): Uint8Array {
    return this.#json ??= this.#encode(encodeFrame(this.frame), jsonArena);
  }

  /** The frame as CRLF-terminated text lines, for plain-text clients (may be empty). */
  get plain(): Uint8Array {
    if (this.#plain === undefined) {
      const lines = renderPlain(this.frame);
      this.#plain = this.#encode(lines.length === 0 ? "" : lines.join("\r\n") + "\r\n", plainArena);
    }
    return this.#plain;
  }

  /**
   * The plain text for a reader who reached the server at `base`: frames
   * with file links are rendered for that address (not cached: the address
   * differs between readers), the rest as {@linkcode plain}.
   */
  plainAt(base: string | undefined): Uint8Array {
    if (base === undefined || !mentionsFiles(this.frame)) return this.plain;
    const lines = renderPlain(this.frame, base);
    return utf8.encode(lines.length === 0 ? "" : lines.join("\r\n") + "\r\n");
  }

  #encode(text: string, arena: FrameArena): Uint8Array {
    return this.#broadcast ? arena.place(text) : utf8.encode(text);
  }
}
