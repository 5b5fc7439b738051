/**
 * What the page says to get attention, as pure functions: the tab title with
 * the unread count, whether a record is addressed to the reader (a mention of
 * their name or a private message to them), and the text of a desktop
 * notification.
 *
 * @example
 * ```ts
 * titleWithUnread("chat", 3);            // "(3) chat"
 * ```
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { nameKey } from "../protocol/names.ts";
import { mentions } from "../text/mentions.ts";

/** The document title: `(N) base` while N records are unread, else `base`. */
export function titleWithUnread(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 999 ? "999+" : unread}) ${base}` : base;
}

/** True when `record` is someone else's, so it may count as unread. */
export function isFromOthers(record: RoomRecord, me: string): boolean {
  const from = record.type === "message" || record.type === "private" || record.type === "nick"
    ? record.from
    : record.type === "notice" || record.type === "presence"
    ? ""
    : record.name;
  return nameKey(from) !== nameKey(me);
}

/** True when `record` is for `me` in particular: a private message to them or a mention. */
export function isForMe(record: RoomRecord, me: string): boolean {
  if (!isFromOthers(record, me)) return false;
  if (record.type === "private") return nameKey(record.to) === nameKey(me);
  if (record.type === "message") return mentions(record.text, me);
  return false;
}

/** Title and body of a desktop notification for a record that is for the reader. */
export function notificationText(record: RoomRecord): { title: string; body: string } {
  if (record.type === "private") return { title: `${record.from} (private)`, body: record.text };
  if (record.type === "message") {
    return record.emote
      ? { title: "chat", body: `* ${record.from} ${record.text}` }
      : { title: record.from, body: record.text };
  }
  return { title: "chat", body: "" };
}
