/**
 * The rooms a server remembers between runs — name, topic, when each was
 * created and last used — so rooms survive restarts with their topics.
 * {@linkcode MemoryRoomTable} forgets them on exit (`--no-history`); the
 * SQLite file keeps them (sqlite_room_table.ts).
 *
 * @module
 */

/** One remembered room. */
export interface StoredRoom {
  /** Lower-case name, the room's identity. */
  key: string;
  /** The name as created. */
  name: string;
  topic?: string;
  /** SHA-256 (hex) of the room's key, for a private room. */
  keyDigest?: string;
  /** The holder (name_claims.ts) of whoever created the room: its operator. */
  operator?: string;
  /** True when only the operator may change the topic. */
  topicLocked?: boolean;
  /** Holders let into the private room without the key (`/invite`), oldest first. */
  invited?: string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** When someone last joined or spoke there (ms since the epoch). */
  usedAt: number;
}

/** Where rooms are remembered. */
export interface RoomTable {
  /** Every remembered room. */
  list(): StoredRoom[];
  /** Creates or updates a room. */
  save(room: StoredRoom): void;
  /** Forgets a room. */
  remove(key: string): void;
  /** A table shared by several servers (cluster/) tells of the others' changes; undefined: removed. */
  watch?(changed: (key: string, room: StoredRoom | undefined) => void): void;
}

/** Rooms in memory only. */
export class MemoryRoomTable implements RoomTable {
  readonly #rooms = new Map<string, StoredRoom>();

  list(): StoredRoom[] {
    return [...this.#rooms.values()];
  }

  save(room: StoredRoom): void {
    this.#rooms.set(room.key, { ...room });
  }

  remove(key: string): void {
    this.#rooms.delete(key);
  }
}
