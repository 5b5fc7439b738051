/**
 * Turns room records and the page's own notes into DOM elements, the way the
 * terminal client shows them: a time, the name in its colour, the text.
 * Everything people typed goes in as text (`textContent`), never as HTML.
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { nameKey } from "../protocol/names.ts";
import { NAME_PALETTE_SIZE, nameColorIndex } from "../text/name_colour.ts";
import { formatStamp } from "../text/time.ts";
import { noticeAuthor, presenceWords, presentCount as here } from "../text/plain_format.ts";
import { isForMe } from "./attention_text.ts";
import { leaveWords } from "../text/leave_words.ts";
import { fileView } from "./file_record_view.ts";

/**
 * The CSS class of `name`'s colour: the slot of the palette shared with the
 * terminal client (green, cyan, magenta, bright blue, bright green, bright
 * cyan, bright magenta, blue), so a name has the same hue in both. The classes
 * `name-0` … `name-7` give each a light and a dark shade.
 */
export function nameClass(name: string): string {
  return `name-${nameColorIndex(name, NAME_PALETTE_SIZE)}`;
}

/** Creates an element with classes and, optionally, text. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function stamp(ts: number, now: number): HTMLTimeElement {
  const time = element("time", "stamp", formatStamp(ts, now));
  time.dateTime = new Date(ts).toISOString();
  return time;
}

function nameSpan(name: string, me: string): HTMLSpanElement {
  const own = nameKey(name) === nameKey(me);
  return element("span", `who ${nameClass(name)}${own ? " own-name" : ""}`, name);
}

/** The row for a room record; `me` is the reader's current name. */
export function recordRow(record: RoomRecord, me: string, now = Date.now()): HTMLElement {
  const row = element("div", `entry entry-${record.type}`);
  row.dataset.id = String(record.id);
  row.append(stamp(record.ts, now));
  const isMe = (name: string) => nameKey(name) === nameKey(me);
  const body = element("span", "body");
  switch (record.type) {
    case "message":
      if (record.emote) {
        row.classList.add("emote");
        body.append("* ", nameSpan(record.from, me), " ", element("span", "text", record.text));
      } else {
        body.append(
          nameSpan(record.from, me),
          element("span", "sep", ": "),
          element("span", "text", record.text),
        );
      }
      if (isMe(record.from)) row.classList.add("own");
      break;
    case "private": {
      const outgoing = isMe(record.from) && !isMe(record.to);
      const label = element("span", "private-label");
      if (outgoing) label.append("private to ", nameSpan(record.to, me));
      else label.append("private from ", nameSpan(record.from, me));
      body.append(label, element("span", "sep", ": "), element("span", "text", record.text));
      if (outgoing) row.classList.add("own");
      break;
    }
    case "join":
      body.textContent = isMe(record.name)
        ? `You joined as ${record.name} (${here(record.count)})`
        : `${record.name} joined (${here(record.count)})`;
      row.classList.add("system");
      break;
    case "leave":
      // Whose words the reason is shows (a member's own /quit text can't pass for a kick).
      body.textContent = `${record.name} ${leaveWords(record)} (${here(record.count)})`;
      row.classList.add("system");
      break;
    case "presence":
      body.textContent = `${presenceWords(record)} (${here(record.count)})`;
      row.classList.add("system");
      break;
    case "nick":
      body.textContent = isMe(record.to)
        ? `You are now known as ${record.to}`
        : `${record.from} is now known as ${record.to}`;
      row.classList.add("system");
      break;
    case "file": {
      // Who shared it (privately: with whom), then its picture or card (file_record_view.ts).
      const outgoing = isMe(record.from) && record.to !== undefined && !isMe(record.to);
      if (record.to === undefined) body.append(nameSpan(record.from, me), " shared ");
      else if (outgoing) body.append("private file to ", nameSpan(record.to, me), " ");
      else body.append("private file from ", nameSpan(record.from, me), " ");
      body.append(fileView(record));
      if (record.to !== undefined) row.classList.add("entry-private");
      if (isMe(record.from)) row.classList.add("own");
      break;
    }
    case "notice":
      body.append(
        element("span", "notice-label", `Notice: ${noticeAuthor(record)}`),
        element("span", "text", record.text),
      );
      break;
  }
  if (isForMe(record, me)) row.classList.add("for-me");
  row.append(body);
  return row;
}

/** Kinds of the page's own lines: answers, refusals, connection notes. */
export type NoteKind = "welcome" | "info" | "error" | "note";

/** A line for this reader only: `/help`, a refusal, "Reconnecting…". */
export function noteRow(kind: NoteKind, text: string, now = Date.now()): HTMLElement {
  const row = element("div", `entry entry-${kind}`);
  row.append(stamp(now, now), element("span", "body text", text));
  return row;
}

/** A centred marker between parts of the conversation ("earlier messages"). */
export function markerRow(text: string, className = ""): HTMLElement {
  const row = element("div", `marker ${className}`.trim());
  row.append(element("span", "", text));
  return row;
}

/** The message of the day, as a card at the top of the conversation. */
export function motdCard(text: string): HTMLElement {
  const card = element("div", "motd");
  card.append(element("strong", "motd-title", "Message of the day"), element("p", "", text));
  return card;
}
