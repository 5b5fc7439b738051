/**
 * A room's ordered log: the only way a room stores and reads its records.
 * The log gives each record its id, so an engine shared by several servers
 * (Redis Streams, say) can order a room's records for all of them; every
 * call returns a promise for the same reason, and a room never assumes the
 * answer comes at once. {@linkcode StoreLog} is the embedded implementation,
 * over the history of a {@linkcode RoomStore} (SQLite, or memory with
 * `--no-history`).
 *
 * @module
 */

import type { RoomRecord } from "../../protocol/frames.ts";
import type { HistoryPage, HistoryStore, PageRequest, PrivateAudience } from "../history.ts";

/** A record before the log gave it an id and a time (distributive, so each type keeps its fields). */
export type NewRecord = RoomRecord extends infer R
  ? R extends RoomRecord ? Omit<R, "id" | "ts"> : never
  : never;

/**
 * One room's records, in order, with ids that only grow. Reads answer with a
 * promise; `append` may answer at once (an embedded engine) or with a promise
 * (a remote one), and the room handles both, in order.
 */
export interface RoomLog {
  /**
   * Stores a record, giving it the room's next id and the current time, and
   * returns the stored record. Records appended one after another are stored,
   * and resolve, in that order.
   */
  append(
    fields: NewRecord,
    audience?: PrivateAudience,
    condition?: AppendCondition,
  ): RoomRecord | Promise<RoomRecord>;
  /** The highest id given so far (0 for an empty log). */
  lastId(): Promise<number>;
  /** The newest `limit` conversation records visible to the holder `viewer`, oldest first. */
  recent(limit: number, viewer: string | undefined): Promise<RoomRecord[]>;
  /** A page of records visible to `viewer` after or before an id (history.ts). */
  page(request: PageRequest, viewer: string | undefined): Promise<HistoryPage>;
  /**
   * A log shared by several servers (cluster/redis_log.ts) hands every record
   * appended by any of them, in the log's order, to `relay`; the room then
   * relays records from here instead of after its own appends.
   */
  follow?(relay: (record: RoomRecord, audience?: PrivateAudience) => void): void;
  /** Stops relaying (the room is closed). */
  unfollow?(): void;
  /** A shared log knows the room's members on every server (cluster/room_members.ts). */
  readonly members?: SharedMembers;
}

/**
 * A shared log's check made in the same step as the append: a private
 * message to a member on another server is stored only while that member
 * still holds the name there; otherwise the append rejects with
 * {@linkcode RecipientAway} and nothing is stored.
 */
export interface AppendCondition {
  recipientPresent: { key: string; holder: string };
}

/** The recipient of a conditional append had left (see {@linkcode AppendCondition}). */
export class RecipientAway extends Error {
  constructor() {
    super("The recipient left before the message was stored.");
    this.name = "RecipientAway";
  }
}

/** The members of a room on every server, with this server's (`local`) not heard of yet. */
export interface SharedMembers {
  /** Every member's name, in display order. */
  names(local: string[]): string[];
  /** How many members. */
  count(local: string[]): number;
}

/** {@linkcode RoomLog} over a store's history of one room; answers at once. */
export class StoreLog implements RoomLog {
  readonly #history: HistoryStore;
  readonly #now: () => number;

  /**
   * @param history the room's history in the store
   * @param now clock for the records' timestamps
   */
  constructor(history: HistoryStore, now: () => number = Date.now) {
    this.#history = history;
    this.#now = now;
  }

  append(fields: NewRecord, audience?: PrivateAudience): RoomRecord {
    const { type, ...rest } = fields;
    const id = this.#history.lastId() + 1;
    const record = { type, id, ts: this.#now(), ...rest } as RoomRecord;
    this.#history.append(record, audience);
    return record;
  }

  lastId(): Promise<number> {
    return Promise.resolve(this.#history.lastId());
  }

  recent(limit: number, viewer: string | undefined): Promise<RoomRecord[]> {
    return Promise.resolve(this.#history.recent(limit, viewer));
  }

  page(request: PageRequest, viewer: string | undefined): Promise<HistoryPage> {
    return Promise.resolve(this.#history.page(request, viewer));
  }
}

/**
 * Runs `then` with a log's answer: at once when it came at once, else when
 * the promise resolves, after everything chained before it (`tail`), so
 * records go out in the order they were appended. Returns the new tail.
 */
export function afterAppend(
  tail: Promise<void> | undefined,
  stored: RoomRecord | Promise<RoomRecord>,
  then: (record: RoomRecord) => void,
): Promise<void> | undefined {
  if (!(stored instanceof Promise) && tail === undefined) {
    then(stored);
    return undefined;
  }
  return (tail ?? Promise.resolve()).then(() => stored).then(then);
}
