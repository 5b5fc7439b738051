/**
 * Where the room keeps what was said. The room talks to the
 * {@linkcode HistoryStore} interface; {@linkcode MemoryHistory} keeps records
 * in memory only (`--no-history`), a database-backed store keeps them on disk.
 *
 * @module
 */

import type { RoomRecord } from "../protocol/frames.ts";
import { nameKey } from "../protocol/names.ts";

/** Records after an id, and whether some in between were no longer available. */
export interface CatchUp {
  records: RoomRecord[];
  /** True when the store no longer holds the oldest records the caller asked for. */
  gap: boolean;
}

/** Persistence for room records. All reads are synchronous so a join sees a consistent snapshot. */
export interface HistoryStore {
  /** Identity of this history: ids are only comparable between records of the same room. */
  roomId(): string;
  /** Highest id ever stored (0 when empty); the room continues from it. */
  lastId(): number;
  /** Stores a record. Called once per record, in id order. */
  append(record: RoomRecord): void;
  /**
   * The last `limit` conversation records (messages, private messages visible
   * to `viewer`, notices), oldest first.
   */
  recent(limit: number, viewer?: string): RoomRecord[];
  /** Every record after `afterId` visible to `viewer`, oldest first, at most `limit`. */
  since(afterId: number, viewer: string | undefined, limit: number): CatchUp;
  /** Releases resources; the store is not used afterwards. */
  close(): void;
}

/** True when `viewer` may see the record: everything public, and private messages they sent or got. */
export function isVisibleTo(record: RoomRecord, viewer: string | undefined): boolean {
  if (record.type !== "private") return true;
  if (viewer === undefined) return false;
  const key = nameKey(viewer);
  return nameKey(record.from) === key || nameKey(record.to) === key;
}

/** True for the records shown as "earlier messages" on join (not joins, leaves or renames). */
export function isConversation(record: RoomRecord): boolean {
  return record.type === "message" || record.type === "private" || record.type === "notice";
}

/** Keeps the last `capacity` records in memory; nothing survives a restart. */
export class MemoryHistory implements HistoryStore {
  readonly #capacity: number;
  #records: RoomRecord[] = [];
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

  append(record: RoomRecord): void {
    this.#records.push(record);
    this.#lastId = record.id;
    // Trim in batches so appends stay O(1) amortised.
    if (this.#records.length >= this.#capacity * 2) {
      this.#records = this.#records.slice(-this.#capacity);
    }
  }

  recent(limit: number, viewer?: string): RoomRecord[] {
    const found: RoomRecord[] = [];
    const oldest = Math.max(0, this.#records.length - this.#capacity);
    for (let i = this.#records.length - 1; i >= oldest && found.length < limit; i--) {
      const record = this.#records[i];
      if (isConversation(record) && isVisibleTo(record, viewer)) found.push(record);
    }
    return found.reverse();
  }

  since(afterId: number, viewer: string | undefined, limit: number): CatchUp {
    const oldest = Math.max(0, this.#records.length - this.#capacity);
    const kept = this.#records.slice(oldest);
    const firstKept = kept[0]?.id ?? this.#lastId + 1;
    const records = kept.filter((r) => r.id > afterId && isVisibleTo(r, viewer));
    const gap = afterId + 1 < firstKept && afterId < this.#lastId;
    return { records: records.slice(-limit), gap: gap || records.length > limit };
  }

  close(): void {
    this.#records = [];
  }
}
