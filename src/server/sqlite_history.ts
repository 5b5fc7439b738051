/**
 * The room's records in SQLite: one row per record, the record itself as
 * JSON, plus what queries need (whether it is conversation, and for private
 * messages the holders allowed to see it). Writes go through the store's
 * open transaction (sqlite_store.ts), so reads on the same connection always
 * see them, committed or not.
 *
 * Retention keeps the newest `historyLimit` conversation records and, of
 * joins, leaves and renames, only the newest {@linkcode PRESENCE_LIMIT}, so a
 * connect–leave loop cannot grow the file however long it runs.
 *
 * Ids are never given twice, even after records were lost to a failed write
 * (a full disk): the file holds a reservation, {@linkcode ID_BLOCK} ids ahead
 * of the last record, renewed with ordinary commits every
 * {@linkcode ID_RENEW_AFTER} ids; a restart continues after the reservation
 * (a clean shutdown releases the unused part).
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { isConversation, type RoomRecord } from "../protocol/frames.ts";
import {
  type CatchUp,
  catchUpFrom,
  type HistoryPage,
  type HistoryStore,
  isGapAfter,
  type PageRequest,
  PRESENCE_LIMIT,
  type PrivateAudience,
} from "./history.ts";

/**
 * Tables and indexes of the history (part of the store's schema): every
 * room's records, each room with its own ids (its log), and the rooms
 * themselves (topic, last use).
 */
export const HISTORY_SCHEMA = `
  CREATE TABLE records (
    room TEXT NOT NULL,
    id INTEGER NOT NULL,
    conversation INTEGER NOT NULL,
    private_from TEXT,
    private_to TEXT,
    record TEXT NOT NULL,
    PRIMARY KEY (room, id)
  );
  CREATE INDEX records_by_kind ON records(room, conversation, id);
  CREATE TABLE rooms (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    topic TEXT,
    key_digest TEXT,
    operator TEXT,
    topic_locked INTEGER NOT NULL DEFAULT 0,
    invited TEXT,
    created_at INTEGER NOT NULL,
    used_at INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/** Schema version 1 had no index by kind: "the last N messages" scanned every join and leave. */
export const HISTORY_MIGRATION_FROM_1 =
  "CREATE INDEX records_by_kind ON records(conversation, id);";

/**
 * Schema version 2 had one room: its records become `room`'s (the default
 * room, `#general`), with their ids and id reservation, nothing dropped.
 */
export function migrateHistoryFromVersion2(db: DatabaseSync, room: string, now: number): void {
  db.exec("ALTER TABLE records RENAME TO records_v2");
  db.exec("DROP INDEX IF EXISTS records_by_kind");
  db.exec(HISTORY_SCHEMA);
  db.prepare(
    "INSERT INTO records (room, id, conversation, private_from, private_to, record) " +
      "SELECT ?, id, conversation, private_from, private_to, record FROM records_v2",
  ).run(room);
  db.exec("DROP TABLE records_v2");
  db.prepare("UPDATE meta SET key = ? WHERE key = 'reserved_id'").run(reservationKey(room));
  db.prepare("INSERT INTO rooms (key, name, topic, created_at, used_at) VALUES (?, ?, NULL, ?, ?)")
    .run(room, room, now, now);
}

/** Schema version 3 did not keep invites: they lasted until the server stopped. */
export const ROOMS_MIGRATION_FROM_3 = "ALTER TABLE rooms ADD COLUMN invited TEXT;";

/** The `meta` key holding a room's id reservation. */
function reservationKey(room: string): string {
  return `reserved_id:${room}`;
}

/** How many ids ahead of the last record the file reserves. */
export const ID_BLOCK = 100_000;
/** The reservation is renewed once this many of its ids are used (a tiny write, rarely). */
const ID_RENEW_AFTER = ID_BLOCK / 10;

const VISIBLE = "(private_from IS NULL OR private_from = ? OR private_to = ?)";
const IN_ROOM = "room = ?";

/** How many old records one retention step deletes, so a step never stalls the room. */
const TRIM_CHUNK = 500;

/**
 * {@linkcode HistoryStore} of one room (its own ids) on a SQLite connection
 * whose writes the store batches.
 */
export class SqliteHistory implements HistoryStore {
  readonly #roomId: string;
  readonly #room: string;
  readonly #write: (op: () => void) => void;
  readonly #appended: (history: SqliteHistory) => void;
  readonly #insert: StatementSync;
  readonly #recent: StatementSync;
  readonly #since: StatementSync;
  readonly #firstId: StatementSync;
  readonly #pageAfter: StatementSync;
  readonly #pageBefore: StatementSync;
  readonly #firstKept: StatementSync;
  readonly #trim: StatementSync;
  readonly #firstPresenceKept: StatementSync;
  readonly #trimPresence: StatementSync;
  readonly #reserve: StatementSync;
  #lastId: number;
  /** Ids up to this one are reserved in the file (committed). */
  #reserved: number;
  /** A reservation written in the open transaction, not yet committed. */
  #reserving: number | undefined;
  /** Joins, leaves and renames stored. */
  #presence: number;
  /** Conversation records stored, so retention knows how many are too many without counting. */
  #conversations: number;

  /**
   * @param db an open connection with {@linkcode HISTORY_SCHEMA} in place
   * @param roomId the persistent identity of the server's history
   * @param room the room's key (its lower-case name)
   * @param write runs a write inside the store's current transaction
   * @param appended told of each append, so the store looks only at rooms that changed
   */
  constructor(
    db: DatabaseSync,
    roomId: string,
    room: string,
    write: (op: () => void) => void,
    appended: (history: SqliteHistory) => void = () => {},
  ) {
    this.#roomId = roomId;
    this.#room = room;
    this.#write = write;
    this.#appended = appended;
    this.#insert = db.prepare(
      "INSERT INTO records (room, id, conversation, private_from, private_to, record) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#recent = db.prepare(
      `SELECT record FROM records WHERE ${IN_ROOM} AND conversation = 1 AND ${VISIBLE} ORDER BY id DESC LIMIT ?`,
    );
    this.#since = db.prepare(
      `SELECT record FROM records WHERE ${IN_ROOM} AND id > ? AND ${VISIBLE} ORDER BY id DESC LIMIT ?`,
    );
    this.#firstId = db.prepare(`SELECT min(id) AS id FROM records WHERE ${IN_ROOM}`);
    this.#pageAfter = db.prepare(
      `SELECT record FROM records WHERE ${IN_ROOM} AND id > ? AND ${VISIBLE} ORDER BY id LIMIT ?`,
    );
    this.#pageBefore = db.prepare(
      `SELECT record FROM records WHERE ${IN_ROOM} AND id < ? AND ${VISIBLE} ORDER BY id DESC LIMIT ?`,
    );
    this.#firstKept = db.prepare(
      `SELECT id FROM records WHERE ${IN_ROOM} AND conversation = 1 ORDER BY id LIMIT 1 OFFSET ?`,
    );
    this.#trim = db.prepare(`DELETE FROM records WHERE ${IN_ROOM} AND id < ?`);
    this.#firstPresenceKept = db.prepare(
      `SELECT id FROM records WHERE ${IN_ROOM} AND conversation = 0 ORDER BY id LIMIT 1 OFFSET ?`,
    );
    this.#trimPresence = db.prepare(
      `DELETE FROM records WHERE ${IN_ROOM} AND conversation = 0 AND id < ?`,
    );
    this.#reserve = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    const last = db.prepare(`SELECT max(id) AS id FROM records WHERE ${IN_ROOM}`).get(room) as {
      id: number | null;
    };
    const reserved = db.prepare("SELECT value FROM meta WHERE key = ?").get(
      reservationKey(room),
    ) as
      | { value: string }
      | undefined;
    this.#reserved = Number(reserved?.value ?? 0);
    // Ids up to the reservation may have been given out by a run whose writes failed.
    this.#lastId = Math.max(last.id ?? 0, this.#reserved);
    const count = (conversation: number) =>
      Number(
        (db.prepare(`SELECT count(*) AS n FROM records WHERE ${IN_ROOM} AND conversation = ?`)
          .get(room, conversation) as { n: number }).n,
      );
    this.#conversations = count(1);
    this.#presence = count(0);
  }

  roomId(): string {
    return this.#roomId;
  }

  lastId(): number {
    return this.#lastId;
  }

  append(record: RoomRecord, audience?: PrivateAudience): void {
    this.#lastId = record.id;
    const json = JSON.stringify(record);
    const conversation = isConversation(record) ? 1 : 0;
    this.#conversations += conversation;
    this.#presence += 1 - conversation;
    const renew = record.id > this.#reserved - ID_BLOCK + ID_RENEW_AFTER;
    this.#appended(this);
    this.#write(() => {
      if (renew && (this.#reserving ?? 0) < record.id) {
        this.#reserving = record.id + ID_BLOCK;
        this.#reserve.run(reservationKey(this.#room), String(this.#reserving));
      }
      this.#insert.run(
        this.#room,
        record.id,
        conversation,
        audience?.fromHolder ?? null,
        audience?.toHolder ?? null,
        json,
      );
    });
  }

  /** The open transaction was committed: a reservation written in it now holds. */
  committed(): void {
    if (this.#reserving !== undefined) this.#reserved = Math.max(this.#reserved, this.#reserving);
    this.#reserving = undefined;
  }

  /** The open transaction was rolled back: its reservation is to be written again. */
  rolledBack(): void {
    this.#reserving = undefined;
  }

  /**
   * Gives back the unused reservation on a clean shutdown (ids continue right
   * after the last one given). Run in the last transaction.
   */
  releaseReservation(): void {
    this.#reserve.run(reservationKey(this.#room), String(this.#lastId));
    this.#reserving = this.#lastId;
  }

  recent(limit: number, viewer?: string): RoomRecord[] {
    if (limit <= 0) return [];
    const v = viewer ?? "";
    return parseNewestFirst(this.#recent.all(this.#room, v, v, limit));
  }

  since(afterId: number, viewer: string | undefined, limit: number): CatchUp {
    const v = viewer ?? "";
    const records = parseNewestFirst(this.#since.all(this.#room, afterId, v, v, limit + 1));
    const firstId = (this.#firstId.get(this.#room) as { id: number | null }).id ?? this.#lastId + 1;
    return catchUpFrom(records, afterId, limit, { firstId, lastId: this.#lastId });
  }

  page(request: PageRequest, viewer: string | undefined): HistoryPage {
    const v = viewer ?? "";
    // One row more than asked shows whether the page is the last one.
    const wanted = request.limit + 1;
    if ("before" in request) {
      const records = parseNewestFirst(
        this.#pageBefore.all(this.#room, request.before, v, v, wanted),
      );
      const more = records.length > request.limit;
      return { records: more ? records.slice(1) : records, more, gap: false };
    }
    const rows = this.#pageAfter.all(this.#room, request.after, v, v, wanted);
    const more = rows.length > request.limit;
    const records = (more ? rows.slice(0, -1) : rows).map((row) =>
      JSON.parse((row as { record: string }).record) as RoomRecord
    );
    const firstId = (this.#firstId.get(this.#room) as { id: number | null }).id ??
      this.#lastId + 1;
    return { records, more, gap: isGapAfter(request.after, { firstId, lastId: this.#lastId }) };
  }

  /**
   * Deletes the oldest conversation records beyond the newest `keep` (with
   * the joins and leaves between them), and the oldest joins, leaves and
   * renames beyond the newest {@linkcode PRESENCE_LIMIT}, at most
   * {@linkcode TRIM_CHUNK} of each at a time. Returns true when more are left
   * to delete. Costs a scan of the records it deletes only (by index). The
   * caller runs it in a transaction.
   */
  trimStep(keep: number): boolean {
    let more = false;
    const excess = this.#conversations - Math.max(1, keep);
    if (excess > 0) {
      const step = Math.min(excess, TRIM_CHUNK);
      const first = this.#firstKept.get(this.#room, step) as { id: number } | undefined;
      if (first !== undefined) {
        const { changes } = this.#trim.run(this.#room, first.id);
        this.#conversations -= step;
        this.#presence -= Number(changes) - step;
        more ||= excess > step;
      }
    }
    const presenceExcess = this.#presence - PRESENCE_LIMIT;
    if (presenceExcess > 0) {
      const step = Math.min(presenceExcess, TRIM_CHUNK);
      const first = this.#firstPresenceKept.get(this.#room, step) as { id: number } | undefined;
      if (first !== undefined) {
        this.#presence -= Number(this.#trimPresence.run(this.#room, first.id).changes);
        more ||= presenceExcess > step;
      }
    }
    return more;
  }
}

/** Rows selected newest first, as records oldest first. */
function parseNewestFirst(rows: unknown[]): RoomRecord[] {
  const records = new Array<RoomRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    records[rows.length - 1 - i] = JSON.parse((rows[i] as { record: string }).record);
  }
  return records;
}
