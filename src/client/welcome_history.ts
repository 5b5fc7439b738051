/**
 * What the records of a welcome are, for a person: the recent messages of a
 * room you join afresh ("earlier messages", shown dimmed between two
 * markers), or what you missed since you were last here ("— 3 new messages
 * since you left —"). Shared by the full-screen and the plain client. Pure.
 *
 * The count of new messages counts conversation — messages, `/me` actions,
 * private messages and notices — not joins, leaves and renames, which are
 * shown but not counted. Your own leave and join while away are left out:
 * "since you left" already says so.
 *
 * @example
 * ```ts
 * const history = welcomeHistory(welcome, records);
 * if (history.kind === "catch-up") console.log(newMessagesPhrase(history.newMessages));
 * // "3 new messages since you left"
 * ```
 *
 * @module
 */

import { isConversation, type RoomRecord, type WelcomeFrame } from "../protocol/frames.ts";
import { nameKey } from "../protocol/names.ts";

/** A welcome's records, ready to show. */
export interface WelcomeHistory {
  /** `earlier`: recent messages from before you came; `catch-up`: what you missed. */
  kind: "earlier" | "catch-up";
  /** The records to show, oldest first. */
  records: RoomRecord[];
  /** For a catch-up: how many of `records` are conversation (see the module doc). */
  newMessages: number;
  /** For a catch-up: some of what you missed is no longer kept by the server. */
  gap: boolean;
}

/** The marker above earlier messages. */
export const EARLIER_MARKER = "earlier messages";

/** The marker below earlier messages, before live ones. */
export const END_OF_EARLIER_MARKER = "end of earlier messages";

/** Said under the catch-up marker when the server no longer had all that was missed. */
export const GAP_WARNING =
  "Some messages from while you were away are no longer kept by the server; the oldest ones are missing here.";

/** Said after reconnecting when the server's history is not the one seen before. */
export const ROOM_CHANGED = "The server was restarted; messages from before are gone.";

/** Sorts a welcome's records (already de-duplicated: `records`) into earlier history or a catch-up. */
export function welcomeHistory(welcome: WelcomeFrame, records: RoomRecord[]): WelcomeHistory {
  if (!welcome.catchUp) return { kind: "earlier", records, newMessages: 0, gap: false };
  const me = nameKey(welcome.name);
  const shown = records.filter((record) =>
    !((record.type === "join" || record.type === "leave") && nameKey(record.name) === me)
  );
  return {
    kind: "catch-up",
    records: shown,
    newMessages: shown.filter(isConversation).length,
    gap: welcome.gap === true,
  };
}

/** "no new messages since you left", "1 new message since you left", "3 new messages …". */
export function newMessagesPhrase(count: number): string {
  const messages = count === 0
    ? "no new messages"
    : count === 1
    ? "1 new message"
    : `${count} new messages`;
  return `${messages} since you left`;
}
