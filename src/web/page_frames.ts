/**
 * The frames the page exchanges over its WebSocket: exactly the structured
 * protocol's frames (src/protocol/frames.ts), one JSON frame per WebSocket
 * text message, plus history paging (`history` → `page`, agreed in TEAM.md
 * and documented in docs/PROTOCOL.md), which this module types and checks
 * itself until the protocol module has them. Pure.
 *
 * @module
 */

import { parseServerFrame } from "../protocol/codec.ts";
import type { RoomRecord, ServerFrame, WelcomeFrame } from "../protocol/frames.ts";

/** Asks for older records (`before`) or the rest of a catch-up (`after`). */
export type HistoryRequest =
  | { type: "history"; before: number; limit: number }
  | { type: "history"; after: number; limit: number };

/** The answer to a `history` request: records oldest first, and whether more exist that way. */
export interface PageFrame {
  type: "page";
  records: RoomRecord[];
  before?: number;
  after?: number;
  more: boolean;
}

/** A welcome that may say its catch-up continues (`more`) and where it ends (`lastId`). */
export type PagedWelcome = WelcomeFrame & { more?: boolean; lastId?: number };

/** Anything the page understands from the server. */
export type IncomingFrame = ServerFrame | PageFrame;

/**
 * Decodes one WebSocket message from the server; `null` for anything
 * malformed or unknown (a newer server may send frames the page does not
 * know). Records inside a page are checked like the welcome's history.
 */
export function parseIncoming(text: string): IncomingFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const object = value as Record<string, unknown>;
  if (object.type !== "page") return parseServerFrame(text);
  if (!Array.isArray(object.records) || typeof object.more !== "boolean") return null;
  // Checks the records through the welcome's decoder, which validates every record.
  const check = parseServerFrame(JSON.stringify({
    type: "welcome",
    version: 1,
    name: "",
    members: [],
    history: object.records,
    catchUp: false,
    session: "",
    room: "",
    limits: {},
  }));
  if (check === null || check.type !== "welcome") return null;
  const page: PageFrame = { type: "page", records: check.history, more: object.more };
  if (typeof object.before === "number") page.before = object.before;
  if (typeof object.after === "number") page.after = object.after;
  return page;
}
