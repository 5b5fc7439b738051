/**
 * Where the room keeps what was said. The room talks to the
 * {@linkcode HistoryStore} interface; {@linkcode MemoryHistory} keeps records
 * in memory only (`--no-history`), {@linkcode SqliteHistory} keeps them on disk.
 *
 * Private messages are stored with the *holders* of the sender's and the
 * recipient's names (see name_claims.ts), not with the names: names are not
 * accounts, so a later "bob" must not read the earlier bob's private messages.
 *
 * @module
 */

import { isConversation, type RoomRecord } from "../protocol/frames.ts";

/** Records after an id, and whether some in between were no longer available. */
export interface CatchUp {
  records: RoomRecord[];
  /** True when the store no longer holds the oldest records the caller asked for. */
  gap: boolean;
}

/** Who may see a private record: the holders of the sender's and the recipient's names. */
export interface PrivateAudience {
  fromHolder: string;
  toHolder: string;
}

/** Persistence for room records. All reads are synchronous so a join sees a consistent snapshot. */
export interface HistoryStore {
  /** Identity of this history: ids are only comparable between records of the same room. */
  roomId(): string;
  /** Highest id ever stored (0 when empty); the room continues from it. */
  lastId(): number;
  /** Stores a record; `audience` is required for private records. Called in id order. */
  append(record: RoomRecord, audience?: PrivateAudience): void;
  /**
   * The last `limit` conversation records (messages, notices, and private
   * messages whose audience includes the holder `viewer`), oldest first.
   */
  recent(limit: number, viewer?: string): RoomRecord[];
  /** Every record after `afterId` visible to the holder `viewer`, oldest first, at most `limit`. */
  since(afterId: number, viewer: string | undefined, limit: number): CatchUp;
}

/** True when the holder `viewer` may see a record with this audience (public records have none). */
export function isVisibleTo(audience: PrivateAudience | undefined, viewer: string | undefined) {
  return audience === undefined ||
    (viewer !== undefined && (audience.fromHolder === viewer || audience.toHolder === viewer));
}

interface Entry {
  record: RoomRecord;
  audience?: PrivateAudience;
}

/** Keeps the last `capacity` records in memory; nothing survives a restart. */
export class MemoryHistory implements HistoryStore {
  readonly #capacity: number;
  #entries: Entry[] = [];
  #lastId = 0;
  readonly #roomId = crypto.randomUUID();

  /** @param capacity how many records to keep */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  roomId(): string {
    return this.#roomId;
  }

  lastId(): number {
    return this.#lastId;
  }

  append(record: RoomRecord, audience?: PrivateAudience): void {
    this.#entries.push(audience ? { record, audience } : { record });
    this.#lastId = record.id;
    // Trim in batches so appends stay O(1) amortised.
    if (this.#entries.length >= this.#capacity * 2) {
      this.#entries = this.#entries.slice(-this.#capacity);
    }
  }

  recent(limit: number, viewer?: string): RoomRecord[] {
    const found: RoomRecord[] = [];
    const oldest = Math.max(0, this.#entries.length - this.#capacity);
    for (let i = this.#entries.length - 1; i >= oldest && found.length < limit; i--) {
      const { record, audience } = this.#entries[i];
      if (isConversation(record) && isVisibleTo(audience, viewer)) found.push(record);
    }
    return found.reverse();
  }

  since(afterId: number, viewer: string | undefined, limit: number): CatchUp {
    const oldest = Math.max(0, this.#entries.length - this.#capacity);
    const kept = this.#entries.slice(oldest);
    const firstKept = kept[0]?.record.id ?? this.#lastId + 1;
    const records = kept
      .filter((e) => e.record.id > afterId && isVisibleTo(e.audience, viewer))
      .map((e) => e.record);
    const gap = afterId + 1 < firstKept && afterId < this.#lastId;
    return { records: records.slice(-limit), gap: gap || records.length > limit };
  }
}
