/**
 * Room names: `#` followed by 1–32 letters, digits, `-` and `_`, compared
 * without regard to case. A room is stored and looked up by its key, the
 * lower-case name; it is shown as it was first written.
 *
 * @module
 */

import type { Refusal } from "../../protocol/errors.ts";

/** The room everyone starts in unless `--default-room` names another. */
export const DEFAULT_ROOM = "#general";

const ROOM_NAME = /^#[A-Za-z0-9_-]{1,32}$/;

/** A valid room name and the key it is stored under. */
export interface RoomName {
  /** As written, with its `#`. */
  name: string;
  /** Lower case: the same room however it is written. */
  key: string;
}

/** Checks a room name; a missing `#` is added (`/join homework` means `#homework`). */
export function checkRoomName(text: string): RoomName | Refusal {
  const name = text.startsWith("#") ? text : `#${text}`;
  if (!ROOM_NAME.test(name)) {
    return {
      code: "room_invalid",
      message: `"${
        text.slice(0, 40)
      }" is not a room name: use # and 1 to 32 letters, digits, - or _ (like #homework).`,
    };
  }
  return { name, key: roomKey(name) };
}

/** The key of a room name: the same for every way of writing it. */
export function roomKey(name: string): string {
  return name.toLowerCase();
}
