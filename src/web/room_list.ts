/**
 * The page's list of conversations, as pure state: the rooms the member is in
 * and their private conversations, which one is shown, and how many unread
 * messages each holds (and whether one of them is for the reader). No DOM:
 * the view draws what this says, and tests check it without a browser.
 *
 * @example
 * ```ts
 * const list = new RoomList();
 * list.add(roomEntry("#general"));
 * list.add(roomEntry("#homework"));
 * list.select("#general");
 * list.arrived("#homework", { type: "message", id: 1, ts: 0, from: "bob", text: "hi alice" }, "alice", true);
 * list.get("#homework")?.unread; // 1, and `mentioned` is true
 * list.totalUnread; // 1
 * ```
 *
 * @module
 */

import { isPrivateRecord } from "../protocol/private_record.ts";
import { isConversation, type RoomRecord } from "../protocol/frames.ts";
import { nameKey } from "../protocol/names.ts";
import { isForMe, isFromOthers } from "./attention_text.ts";

/** One entry: a room the member is in, or a private conversation with one person. */
export interface Conversation {
  /** `#homework` (lower case) for a room, `@bob` (the name's key) for a private conversation. */
  key: string;
  /** What the list shows: the room's name as created, or the other person's name. */
  label: string;
  kind: "room" | "private";
  /** The room's topic, when one is set. */
  topic?: string;
  /** Messages from others that arrived while the reader was not looking at this one. */
  unread: number;
  /** True when an unread one mentions the reader or is a private message to them. */
  mentioned: boolean;
}

/** The key of a room: its name, lower case, with the `#`. */
export function roomKeyOf(room: string): string {
  return (room.startsWith("#") ? room : `#${room}`).toLowerCase();
}

/** The key of the private conversation with `name`. */
export function privateKeyOf(name: string): string {
  return `@${nameKey(name)}`;
}

/** A fresh entry for a room. */
export function roomEntry(room: string, topic?: string): Conversation {
  return { key: roomKeyOf(room), label: room, kind: "room", topic, unread: 0, mentioned: false };
}

/** A fresh entry for the private conversation with `name`. */
export function privateEntry(name: string): Conversation {
  return { key: privateKeyOf(name), label: name, kind: "private", unread: 0, mentioned: false };
}

/**
 * The conversation a record belongs to, seen by `me`: its room, or for a
 * private message the other person (yourself, for a note to self).
 */
export function conversationOf(record: RoomRecord, me: string): Conversation | undefined {
  if (isPrivateRecord(record)) {
    const other = nameKey(record.from) === nameKey(me) ? record.to : record.from;
    return privateEntry(other);
  }
  return record.room === undefined ? undefined : roomEntry(record.room);
}

/** Rooms first (in the order joined), then private conversations (in the order begun). */
export class RoomList {
  #entries: Conversation[] = [];
  #current: string | undefined;

  /** Every entry, in the order the list shows them. */
  get entries(): readonly Conversation[] {
    return [
      ...this.#entries.filter((entry) => entry.kind === "room"),
      ...this.#entries.filter((entry) => entry.kind === "private"),
    ];
  }

  /** The key of the conversation shown. */
  get current(): string | undefined {
    return this.#current;
  }

  /** The entry shown, if any. */
  get currentEntry(): Conversation | undefined {
    return this.#current === undefined ? undefined : this.get(this.#current);
  }

  /** The entry for `key`. */
  get(key: string): Conversation | undefined {
    return this.#entries.find((entry) => entry.key === key);
  }

  /** Adds an entry (an existing one with the same key is kept, its label and topic updated). */
  add(entry: Conversation): Conversation {
    const known = this.get(entry.key);
    if (known) {
      known.label = entry.label;
      if (entry.kind === "room") known.topic = entry.topic;
      return known;
    }
    this.#entries.push(entry);
    this.#current ??= entry.key;
    return entry;
  }

  /** Removes an entry; when it was shown, its neighbour is shown instead. Returns the new current. */
  remove(key: string): string | undefined {
    const shown = this.entries;
    const index = shown.findIndex((entry) => entry.key === key);
    if (index < 0) return this.#current;
    this.#entries = this.#entries.filter((entry) => entry.key !== key);
    if (this.#current === key) {
      const rest = this.entries;
      this.#current = rest[Math.min(index, rest.length - 1)]?.key;
      if (this.#current) this.#read(this.#current);
    }
    return this.#current;
  }

  /** Shows `key`: its unread messages count as read. False when there is no such entry. */
  select(key: string): boolean {
    if (!this.get(key)) return false;
    this.#current = key;
    this.#read(key);
    return true;
  }

  /** The reader looks at the page again (the tab came back): the shown entry is read. */
  lookedAt(): void {
    if (this.#current) this.#read(this.#current);
  }

  /**
   * Counts a record that arrived in `key`: unread when it is someone else's
   * conversation and the reader is not looking at it (another entry is shown,
   * or `looking` is false: the tab is in the background). True when it counted.
   */
  arrived(key: string, record: RoomRecord, me: string, looking: boolean): boolean {
    const entry = this.get(key);
    if (!entry || !isConversation(record) || !isFromOthers(record, me)) return false;
    if (looking && this.#current === key) return false;
    entry.unread += 1;
    if (isForMe(record, me)) entry.mentioned = true;
    return true;
  }

  /** Unread messages in every entry together: what the title shows. */
  get totalUnread(): number {
    return this.#entries.reduce((sum, entry) => sum + entry.unread, 0);
  }

  /** The key `steps` entries after the current one (before, when negative), wrapping around. */
  neighbour(steps: number): string | undefined {
    const shown = this.entries;
    if (shown.length === 0) return undefined;
    const index = shown.findIndex((entry) => entry.key === this.#current);
    return shown[(((index + steps) % shown.length) + shown.length) % shown.length].key;
  }

  /** The key of the entry at `position` (0 is the first), if there is one. */
  at(position: number): string | undefined {
    return this.entries[position]?.key;
  }

  /** The key `/switch TARGET` means: its number in the list (from 1), `#room`, `NAME` or `@NAME`. */
  find(target: string): string | undefined {
    if (/^[1-9][0-9]*$/.test(target)) return this.at(Number(target) - 1);
    const key = target.startsWith("#") ? roomKeyOf(target) : privateKeyOf(target.replace(/^@/, ""));
    return this.get(key)?.key ?? this.get(roomKeyOf(target))?.key;
  }

  #read(key: string): void {
    const entry = this.get(key);
    if (!entry) return;
    entry.unread = 0;
    entry.mentioned = false;
  }
}

/**
 * The topic a server notice announces ("bob set the topic: TEXT", "bob
 * cleared the topic."): the new topic, `""` when cleared, `undefined` when the
 * notice is about something else. Only notices from the server itself (no
 * `by`) count, so nothing the operator says can pass for a topic.
 */
export function topicFromNotice(record: RoomRecord): string | undefined {
  if (record.type !== "notice" || record.by !== undefined) return undefined;
  const set = /^\S+ set the topic: ([^]*)$/.exec(record.text);
  if (set) return set[1];
  return /^\S+ cleared the topic\.$/.test(record.text) ? "" : undefined;
}

/** One room of a `/rooms` answer: its name and the line describing it. */
export interface ListedRoom {
  room: string;
  line: string;
}

/** The rooms of a `/rooms` answer (`info` text "Rooms:\n#a: 2 here — topic"), else `undefined`. */
export function roomsInInfo(text: string): ListedRoom[] | undefined {
  const [first, ...lines] = text.split("\n");
  if (first.trim() !== "Rooms:") return undefined;
  const rooms: ListedRoom[] = [];
  for (const line of lines) {
    const match = /^\s*(#[A-Za-z0-9_-]{1,32}): /.exec(line);
    if (match) rooms.push({ room: match[1], line: line.trim() });
  }
  return rooms;
}
