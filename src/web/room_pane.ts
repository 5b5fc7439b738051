/**
 * One conversation's part of the page: its rows (earlier history and live
 * messages, each in its own element, the live one an ARIA log), which record
 * ids it shows, where the reader was scrolled, how many new rows are below,
 * and the "new messages" marker above what arrived while the reader was
 * elsewhere. Only the shown conversation's elements are in the document;
 * the others wait, whole, for the reader to come back.
 *
 * @module
 */

import type { RoomRecord, RoomState } from "../protocol/frames.ts";
import { element, markerRow } from "./record_view.ts";

/** How close to the bottom (px) still counts as "at the latest message". */
const STICK_PX = 48;

/** The text of the marker above messages that came while the reader looked elsewhere. */
export const UNREAD_MARKER = "new messages";

/** A welcome or `joined` whose records are being completed with `after` pages. */
export interface PendingCatchUp {
  state: RoomState;
  records: RoomRecord[];
  firstTime: boolean;
}

/** The rows and reading state of one room or private conversation. */
export class RoomPane {
  /** Above everything, even older pages: the message of the day. */
  readonly intro: HTMLElement = element("div", "intro");
  /** Records from before the reader came (not announced to screen readers). */
  readonly history: HTMLElement = element("div", "history");
  /** What arrives while the reader is here: an ARIA live log. */
  readonly messages: HTMLElement = element("div", "messages");
  /** Record ids shown (ids are per room; a private pane holds private-message ids). */
  readonly shownIds = new Set<number>();
  /** Highest record id shown: the `since` of the next hello or join. */
  lastId: number | undefined;
  /** Oldest record id shown, for `history before`. */
  oldestId: number | undefined;
  olderMore = false;
  olderPending = false;
  /** New rows below the visible part while the reader is scrolled up (or away). */
  newBelow = 0;
  /** Who is in the room, sorted as the server sends them. */
  members: string[] = [];
  /** The room's state has been shown once (so the next catch-up goes below it). */
  entered = false;
  catchUp: PendingCatchUp | undefined;
  /** Live records that arrived while a catch-up was still coming; shown after it. */
  readonly heldLive: RoomRecord[] = [];
  /** Last id of the catch-up so far, for the next `after`. */
  catchUpCursor = 0;
  /** Asks again for a catch-up page that did not come. */
  catchUpWatchdog: ReturnType<typeof setTimeout> | undefined;
  /** A row to show at the top when the pane is shown next ("3 new messages since you left"). */
  firstUnread: HTMLElement | undefined;
  /** Where the reader left this pane: `undefined` at the bottom. */
  #scrollTop: number | undefined;
  #unreadMarker: HTMLElement | undefined;

  constructor(label: string) {
    this.messages.setAttribute("role", "log");
    this.messages.setAttribute("aria-label", `New messages in ${label}`);
  }

  /** Marks a record as shown: never twice, and resume after it next time. */
  remember(record: RoomRecord): void {
    this.shownIds.add(record.id);
    if (this.lastId === undefined || record.id > this.lastId) this.lastId = record.id;
    if (this.oldestId === undefined || record.id < this.oldestId) this.oldestId = record.id;
  }

  /** Forgets every id (the server's history is another one now). */
  forgetIds(): void {
    this.shownIds.clear();
    this.lastId = undefined;
    this.oldestId = undefined;
  }

  /**
   * Inserts rows in id order (a catch-up page may come after newer live
   * records); `scroller` is given when this pane is the one shown. With
   * `unseen`, the first row gets the "new messages" marker above it.
   */
  addRows(rows: Array<[number, HTMLElement]>, scroller?: HTMLElement, unseen = false): void {
    const stick = scroller !== undefined && nearBottom(scroller);
    for (const [id, row] of rows) {
      let after: Element | null = this.messages.lastElementChild;
      while (after && Number((after as HTMLElement).dataset.id ?? -Infinity) > id) {
        after = after.previousElementSibling;
      }
      if (after) after.after(row);
      else this.messages.prepend(row);
    }
    if (unseen && !this.#unreadMarker && rows.length > 0) {
      this.#unreadMarker = markerRow(UNREAD_MARKER, "unread-marker");
      rows[0][1].before(this.#unreadMarker);
    }
    // A pane not shown has its marker instead: it is where the reader will be taken.
    if (!scroller) return;
    if (stick) this.scrollToBottom(scroller);
    else this.newBelow += rows.length;
  }

  /** Puts this pane's rows into `scroller` (after `before`), where the reader left them. */
  showIn(scroller: HTMLElement, before: HTMLElement): void {
    before.after(this.intro, this.history, this.messages);
    const top = this.#unreadMarker ?? this.firstUnread;
    this.firstUnread = undefined;
    if (top) {
      top.scrollIntoView({ block: "start" });
      scroller.scrollTop = Math.max(0, scroller.scrollTop - 8);
      this.newBelow = 0;
    } else if (this.#scrollTop === undefined) {
      this.scrollToBottom(scroller);
    } else {
      scroller.scrollTop = this.#scrollTop;
    }
  }

  /** Takes this pane's rows out of `scroller`, remembering where the reader was. */
  hideFrom(scroller: HTMLElement): void {
    this.#scrollTop = nearBottom(scroller) ? undefined : scroller.scrollTop;
    // What was new has been seen now; the next visit marks what comes after.
    this.#unreadMarker?.remove();
    this.#unreadMarker = undefined;
    this.intro.remove();
    this.history.remove();
    this.messages.remove();
  }

  /** Scrolls `scroller` (showing this pane) to the latest row. */
  scrollToBottom(scroller: HTMLElement): void {
    scroller.scrollTop = scroller.scrollHeight;
    this.newBelow = 0;
  }

  /** Empties the rows (`/clear`). */
  clear(): void {
    this.history.replaceChildren();
    this.messages.replaceChildren();
    this.#unreadMarker = undefined;
  }
}

/** True when `scroller` is at (or near) its latest row. */
export function nearBottom(scroller: HTMLElement): boolean {
  const { scrollHeight, scrollTop, clientHeight } = scroller;
  return scrollHeight - scrollTop - clientHeight < STICK_PX;
}
