/**
 * Draws the room list: one button per room and private conversation, with
 * its unread count and a marker for mentions and private conversations, and
 * an accessible name that says all of it. Also the clickable list a `/rooms`
 * answer becomes. Pure DOM building; the page wires the clicks.
 *
 * @module
 */

import type { Conversation, ListedRoom } from "./room_list.ts";
import { element } from "./record_view.ts";

/** What a screen reader says for an entry: "#homework, 3 unread, mentions you". */
export function entryName(entry: Conversation, position?: number): string {
  const parts = [entry.kind === "private" ? `${entry.label}, private conversation` : entry.label];
  if (entry.unread > 0) parts.push(`${entry.unread} unread`);
  if (entry.mentioned) {
    parts.push(entry.kind === "private" ? "new private message" : "mentions you");
  }
  if (position !== undefined && position < 9) parts.push(`Alt+${position + 1}`);
  return parts.join(", ");
}

/**
 * Fills `list` with one button per entry; `choose` is called with the key of
 * a clicked one. Buttons of entries that stay are updated in place, so a
 * button keeps the keyboard focus while counts change around it.
 */
export function drawRoomList(
  list: HTMLElement,
  entries: readonly Conversation[],
  current: string | undefined,
  choose: (key: string) => void,
): void {
  const buttons = [...list.querySelectorAll<HTMLButtonElement>("button.room-item")];
  const sameEntries = buttons.length === entries.length &&
    buttons.every((button, position) => button.dataset.key === entries[position].key);
  if (!sameEntries) {
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.key;
    list.replaceChildren(...entries.map((entry) => {
      const item = element("li");
      const button = element("button");
      button.type = "button";
      button.dataset.key = entry.key;
      button.addEventListener("click", () => choose(entry.key));
      item.append(button);
      return item;
    }));
    if (focused) list.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }
  const drawn = [...list.querySelectorAll<HTMLButtonElement>("li > button")];
  entries.forEach((entry, position) => fillButton(drawn[position], entry, position, current));
}

/** Shows `entry` on its button: marker, name, mention mark, unread count, accessible name. */
function fillButton(
  button: HTMLButtonElement,
  entry: Conversation,
  position: number,
  current: string | undefined,
): void {
  button.className = `room-item room-${entry.kind}`;
  button.setAttribute("aria-label", entryName(entry, position));
  if (entry.key === current) button.setAttribute("aria-current", "true");
  else button.removeAttribute("aria-current");
  button.title = entry.topic ?? "";
  const marker = element("span", "room-marker", entry.kind === "private" ? "@" : "#");
  marker.setAttribute("aria-hidden", "true");
  const label = element(
    "span",
    "room-label",
    entry.kind === "room" ? entry.label.replace(/^#/, "") : entry.label,
  );
  const parts: HTMLElement[] = [marker, label];
  if (entry.mentioned) parts.push(element("span", "room-mention", "!"));
  if (entry.unread > 0) {
    parts.push(element("span", "room-unread", entry.unread > 99 ? "99+" : String(entry.unread)));
  }
  button.replaceChildren(...parts);
}

/**
 * The rows of a `/rooms` answer: each room a button that joins it (or shows
 * it, for one the reader is in).
 */
export function roomsAnswer(rooms: ListedRoom[], join: (room: string) => void): HTMLElement {
  const box = element("div", "entry entry-info rooms-answer");
  const body = element("div", "body");
  body.append(element("p", "rooms-title", rooms.length === 0 ? "No rooms yet." : "Rooms:"));
  const list = element("ul", "rooms-listed");
  for (const { room, line } of rooms) {
    const item = element("li");
    const button = element("button", "rooms-join", line);
    button.type = "button";
    button.setAttribute("aria-label", `Join ${line}`);
    button.addEventListener("click", () => join(room));
    item.append(button);
    list.append(item);
  }
  body.append(list);
  box.append(body);
  return box;
}
