/**
 * Telling a room that shared files of it were deleted to make room for
 * newer ones (`--max-files-gb`). Records already on members' screens keep
 * their links (clients learn `expired` at their next read), so each room
 * open now gets one notice naming its files; a private file's two members
 * learn it from the record at their next read or from its link's 410.
 *
 * @module
 */

import type { Room } from "../room.ts";
import { roomKey } from "../rooms/room_name.ts";
import type { FileShare } from "./file_store.ts";

/** Posts one notice in each open room that lost files among `shares`. */
export function announceExpired(shares: FileShare[], rooms: Iterable<Room>): void {
  const names = new Map<string, string[]>();
  for (const share of shares) names.set(share.room, [...names.get(share.room) ?? [], share.name]);
  for (const room of rooms) {
    const lost = names.get(roomKey(room.name));
    if (lost) room.notice(expiredNotice(lost));
  }
}

/** "holiday.jpg was deleted to make room for newer files; its link no longer works." */
export function expiredNotice(names: string[]): string {
  const list = names.length === 1
    ? names[0]
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return names.length === 1
    ? `${list} was deleted to make room for newer files; its link no longer works.`
    : `${list} were deleted to make room for newer files; their links no longer work.`;
}
