/**
 * The client's door for server data: a line becomes a validated frame with
 * every string cleaned again by the shared sanitiser. The server already
 * cleans what it relays, but the client cannot know it is talking to an
 * honest server: nothing received may reach the terminal as an escape
 * sequence, a control character or a bidi override.
 *
 * @example
 * ```ts
 * readServerFrame('{"type":"info","text":"\\u001b]0;pwned\\u0007hi"}');
 * // { type: "info", text: "hi" }
 * ```
 *
 * @module
 */

import { parseServerFrame } from "../protocol/codec.ts";
import type { ServerFrame } from "../protocol/frames.ts";
import { sanitizeText } from "../text/sanitize.ts";

/** Fields whose text may span several lines; every other string is kept on one line. */
const MULTILINE_FIELDS = new Set(["text", "motd", "message"]);

/** Parses and cleans one line from the server; `null` for anything not a valid frame. */
export function readServerFrame(line: string): ServerFrame | null {
  const frame = parseServerFrame(line);
  return frame === null ? null : cleanValue(frame, false) as ServerFrame;
}

function cleanValue(value: unknown, multiline: boolean): unknown {
  if (typeof value === "string") return sanitizeText(value, { multiline });
  if (Array.isArray(value)) return value.map((item) => cleanValue(item, false));
  if (typeof value === "object" && value !== null) {
    // fromEntries defines own properties, so a "__proto__" key stays an inert field.
    return Object.fromEntries(
      Object.entries(value).map((
        [key, field],
      ) => [key, cleanValue(field, MULTILINE_FIELDS.has(key))]),
    );
  }
  return value;
}
