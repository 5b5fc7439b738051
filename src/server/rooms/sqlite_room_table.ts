/**
 * The `rooms` table of the history file (schema in sqlite_history.ts): each
 * room's name, topic, key digest, operator, invites and dates, written in the
 * store's open transaction.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { RoomTable, StoredRoom } from "./room_table.ts";

interface Row {
  key: string;
  name: string;
  topic: string | null;
  key_digest: string | null;
  operator: string | null;
  topic_locked: number;
  invited: string | null;
  created_at: number;
  used_at: number;
}

/** {@linkcode RoomTable} in the history file. */
export class SqliteRoomTable implements RoomTable {
  readonly #list: StatementSync;
  readonly #save: StatementSync;
  readonly #remove: StatementSync;
  readonly #write: (op: () => void) => void;

  /**
   * @param db an open connection with the `rooms` table in place
   * @param write runs a write inside the store's current transaction
   */
  constructor(db: DatabaseSync, write: (op: () => void) => void) {
    this.#write = write;
    this.#list = db.prepare(
      "SELECT key, name, topic, key_digest, operator, topic_locked, invited, created_at, used_at " +
        "FROM rooms",
    );
    this.#save = db.prepare(
      "INSERT INTO rooms (key, name, topic, key_digest, operator, topic_locked, invited, " +
        "created_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET " +
        "name = excluded.name, topic = excluded.topic, key_digest = excluded.key_digest, " +
        "operator = excluded.operator, topic_locked = excluded.topic_locked, " +
        "invited = excluded.invited, used_at = excluded.used_at",
    );
    this.#remove = db.prepare("DELETE FROM rooms WHERE key = ?");
  }

  list(): StoredRoom[] {
    return (this.#list.all() as unknown as Row[]).map((row) => ({
      key: row.key,
      name: row.name,
      ...(row.topic === null ? {} : { topic: row.topic }),
      ...(row.key_digest === null ? {} : { keyDigest: row.key_digest }),
      ...(row.operator === null ? {} : { operator: row.operator }),
      ...(row.topic_locked ? { topicLocked: true } : {}),
      ...(row.invited === null ? {} : { invited: JSON.parse(row.invited) as string[] }),
      createdAt: Number(row.created_at),
      usedAt: Number(row.used_at),
    }));
  }

  save(room: StoredRoom): void {
    this.#write(() =>
      this.#save.run(
        room.key,
        room.name,
        room.topic ?? null,
        room.keyDigest ?? null,
        room.operator ?? null,
        room.topicLocked ? 1 : 0,
        room.invited?.length ? JSON.stringify(room.invited) : null,
        room.createdAt,
        room.usedAt,
      )
    );
  }

  remove(key: string): void {
    this.#write(() => this.#remove.run(key));
  }
}
