/**
 * The full-screen chat's windows: one per room the member is in and one per
 * private conversation, in the order they were opened (Alt-1 is the first).
 * Each has its own {@linkcode Scrollback}; a window that is not shown counts
 * what arrived in it (unread messages, and whether one of them called for
 * you: a mention or a private message), which the status bar lists as the
 * activity list. Pure: no terminal, no connection.
 *
 * @example
 * ```ts
 * const windows = new WindowList();
 * windows.openRoom("#general");
 * const homework = windows.openRoom("#homework");
 * windows.noteActivity(homework, true);
 * windows.activity(); // [{ label: "#homework", unread: 1, alert: true }]
 * windows.select(1);  // homework is current; its counts are cleared
 * ```
 *
 * @module
 */

import { nameKey } from "../protocol/names.ts";
import { roomKey } from "../server/rooms/room_name.ts";
import { Scrollback } from "./scrollback.ts";

/** One window: a room's, or a private conversation's with one person. */
export interface ChatWindow {
  kind: "room" | "private";
  /** The room (`#homework`) or the other person's name (`bob`). */
  name: string;
  /** Messages that arrived while another window was shown. */
  unread: number;
  /** True when one of them mentioned you or was a private message to you. */
  alert: boolean;
  /** Its entries and scroll position. */
  scrollback: Scrollback;
}

/** One window with unread messages, as the status bar lists it. */
export interface Activity {
  /** `#homework`, or `@bob` for a private conversation. */
  label: string;
  unread: number;
  alert: boolean;
}

/** The windows, and which one is shown. */
export class WindowList {
  #windows: ChatWindow[] = [];
  #current = 0;

  /** Every window, in order. */
  get all(): readonly ChatWindow[] {
    return this.#windows;
  }

  /** The window shown (undefined before the first is opened). */
  get current(): ChatWindow | undefined {
    return this.#windows[this.#current];
  }

  /** The room window of `room`, if open. */
  room(room: string): ChatWindow | undefined {
    return this.#windows.find((w) => w.kind === "room" && roomKey(w.name) === roomKey(room));
  }

  /** The private window with `name`, if open. */
  private(name: string): ChatWindow | undefined {
    return this.#windows.find((w) => w.kind === "private" && nameKey(w.name) === nameKey(name));
  }

  /**
   * The window `/switch` means by `text`: `#room` (or a room name without
   * `#`), a name or `@name`, or a window number; rooms first.
   */
  find(text: string): ChatWindow | undefined {
    const word = text.trim();
    if (/^\d+$/.test(word)) return this.#windows[Number(word) - 1];
    if (word.startsWith("@")) return this.private(word.slice(1));
    if (word.startsWith("#")) return this.room(word);
    return this.room(`#${word}`) ?? this.private(word);
  }

  /** The room's window, opened at the end of the list when it is not open yet. */
  openRoom(room: string): ChatWindow {
    const open = this.room(room);
    if (open) {
      open.name = room; // as the server spells it
      return open;
    }
    return this.#add({ kind: "room", name: room });
  }

  /** The private window with `name`, opened at the end of the list when it is not open yet. */
  openPrivate(name: string): ChatWindow {
    return this.private(name) ?? this.#add({ kind: "private", name });
  }

  /** Shows the window at `index` (0-based); false when there is none there. */
  select(index: number): boolean {
    if (index < 0 || index >= this.#windows.length) return false;
    this.#current = index;
    const window = this.#windows[index];
    window.unread = 0;
    window.alert = false;
    return true;
  }

  /** Shows `window`. */
  show(window: ChatWindow): void {
    this.select(this.#windows.indexOf(window));
  }

  /** Shows the next window (after the last, the first). */
  next(): void {
    if (this.#windows.length > 0) this.select((this.#current + 1) % this.#windows.length);
  }

  /** Shows the previous window (before the first, the last). */
  previous(): void {
    const count = this.#windows.length;
    if (count > 0) this.select((this.#current - 1 + count) % count);
  }

  /** Closes `window`; the one before it is shown if it was the current one. */
  close(window: ChatWindow): void {
    const index = this.#windows.indexOf(window);
    if (index < 0) return;
    const current = this.current;
    this.#windows.splice(index, 1);
    if (current === window) this.select(Math.max(0, index - 1));
    else this.#current = Math.max(0, this.#windows.indexOf(current!));
  }

  /** A private window's person changed name (`/nick`). */
  rename(from: string, to: string): void {
    const window = this.private(from);
    if (window && !this.private(to)) window.name = to;
  }

  /**
   * Counts a message that arrived in `window` when it is not the one shown;
   * `alert` when it mentions you or is a private message to you.
   */
  noteActivity(window: ChatWindow, alert: boolean, count = 1): void {
    if (window === this.current || count <= 0) return;
    window.unread += count;
    window.alert ||= alert;
  }

  /** The windows not shown that have unread messages, in window order. */
  activity(): Activity[] {
    return this.#windows
      .filter((window) => window !== this.current && window.unread > 0)
      .map((window) => ({
        label: windowLabel(window),
        unread: window.unread,
        alert: window.alert,
      }));
  }

  #add(window: Omit<ChatWindow, "unread" | "alert" | "scrollback">): ChatWindow {
    const added = { ...window, unread: 0, alert: false, scrollback: new Scrollback() };
    this.#windows.push(added);
    return added;
  }
}

/** How a window is named in the status bar: `#homework`, or `@bob` for a private conversation. */
export function windowLabel(window: Pick<ChatWindow, "kind" | "name">): string {
  return window.kind === "room" ? window.name : `@${window.name}`;
}
