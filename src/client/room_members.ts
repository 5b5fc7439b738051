/**
 * Who is in one room, as far as the client knows: the welcome's list, kept
 * up to date by the room's joins, leaves, renames and (big rooms) presence
 * records, and by `/who`. In a big room the list holds only who the client
 * has heard of, while `count` is the room's. Pure.
 *
 * @example
 * ```ts
 * const room = new RoomMembers(["alice", "bob"]);
 * room.apply({ type: "join", id: 7, ts, name: "carol", count: 3, room: "#general" });
 * room.members; // ["alice", "bob", "carol"]
 * room.count;   // 3
 * ```
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { nameKey } from "../protocol/names.ts";

/** One room's members. */
export class RoomMembers {
  /** Names, in the order heard of. */
  members: string[];
  /** How many are in the room (more than `members` in a big room). */
  count: number;

  /** Starts from a welcome's (or `joined`'s) `members` and `count`. */
  constructor(members: readonly string[], count = members.length) {
    this.members = [...members];
    this.count = count;
  }

  /** Replaces the list (an answer to `/who`). */
  set(members: readonly string[]): void {
    this.members = [...members];
    this.count = Math.max(members.length, this.count);
  }

  /** Follows a record of the room; true when it changed who is in it (or the count). */
  apply(record: RoomRecord): boolean {
    switch (record.type) {
      case "join":
        if (!this.members.some((m) => nameKey(m) === nameKey(record.name))) {
          this.members = [...this.members, record.name];
        }
        this.count = record.count;
        return true;
      case "leave":
        this.members = this.members.filter((m) => nameKey(m) !== nameKey(record.name));
        this.count = record.count;
        return true;
      case "presence": {
        const left = new Set(record.left.map(nameKey));
        const known = new Set(this.members.map(nameKey));
        this.members = [
          ...this.members.filter((m) => !left.has(nameKey(m))),
          ...record.joined.filter((name) => !known.has(nameKey(name))),
        ];
        this.count = record.count;
        return true;
      }
      case "nick":
        this.members = this.members.map((m) => nameKey(m) === nameKey(record.from) ? record.to : m);
        return true;
      default:
        return false;
    }
  }
}
