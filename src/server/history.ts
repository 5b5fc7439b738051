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

/**
 * Joins, leaves and renames kept (the newest); older ones are deleted with
 * retention, so a connect–leave loop cannot grow the history.
 */
export const PRESENCE_LIMIT = 1000;

/** Records after an id, and whether some in between were no longer available. */
export interface CatchUp {
  records: RoomRecord[];
  /** True when the store no longer holds the oldest records the caller asked for. */
  gap: boolean;
}

/**
 * Which page of history to read: the oldest `limit` records with an id above
 * `after` (the rest of a catch-up), or the newest `limit` below `before`
 * (scrolling back).
 */
export type PageRequest = { after: number; limit: number } | { before: number; limit: number };

/** One page of records visible to a viewer, oldest first. */
export interface HistoryPage {
  records: RoomRecord[];
  /** True when more visible records lie beyond the page, in the direction asked. */
  more: boolean;
  /** For `after`: true when records just after `after` are no longer kept (retention). */
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
  /**
   * Highest id given out, or that may have been given by an earlier run
   * whose last writes failed (0 when empty); the room continues after it.
   */
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
  /**
   * One page of the records visible to the holder `viewer` (every kind:
   * joins and leaves too), oldest first; the reads behind history paging.
   */
  page(request: PageRequest, viewer: string | undefined): HistoryPage;
}

/** True when the holder `viewer` may see a record with this audience (public records have none). */
export function isVisibleTo(audience: PrivateAudience | undefined, viewer: string | undefined) {
  return audience === undefined ||
    (viewer !== undefined && (audience.fromHolder === viewer || audience.toHolder === viewer));
}

/** True when some records right after `afterId` were deleted by retention. */
export function isGapAfter(afterId: number, kept: { firstId: number; lastId: number }): boolean {
  return afterId + 1 < kept.firstId && afterId < kept.lastId;
}

/**
 * Builds a catch-up from the visible records after `afterId`, oldest first
 * (up to `limit` + 1 of them, so an overflow shows): it keeps the newest
 * `limit` and reports a gap when some were cut off or no longer kept.
 */
export function catchUpFrom(
  records: RoomRecord[],
  afterId: number,
  limit: number,
  kept: { firstId: number; lastId: number },
): CatchUp {
  const overflow = records.length > limit;
  const missing = isGapAfter(afterId, kept);
  return { records: overflow ? records.slice(-limit) : records, gap: missing || overflow };
}

interface Entry {
  record: RoomRecord;
  audience?: PrivateAudience;
}

/**
 * Keeps the last `limit` conversation records (with the newest
 * {@linkcode PRESENCE_LIMIT} joins, leaves and renames among them) in memory,
 * as the database keeps them on disk; nothing survives a restart.
 */
export class MemoryHistory implements HistoryStore {
  readonly #limit: number;
  /** Retention runs once this many conversation records too many have piled up. */
  readonly #slack: number;
  #entries: Entry[] = [];
  #conversations = 0;
  #presence = 0;
  #lastId = 0;
  readonly #roomId = crypto.randomUUID();

  /**
   * @param limit how many conversation records to keep
   * @param lastId the id ids continue after (a room created again under a name)
   */
  constructor(limit: number, lastId = 0) {
    this.#lastId = lastId;
    this.#limit = Math.max(1, limit);
    this.#slack = Math.max(1, Math.floor(this.#limit / 100));
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
    if (!isConversation(record)) {
      if (++this.#presence >= PRESENCE_LIMIT + this.#slack) this.#trimPresence();
      return;
    }
    // Trim in batches so appends stay O(1) amortised.
    if (++this.#conversations >= this.#limit + this.#slack) this.#trim();
  }

  recent(limit: number, viewer?: string): RoomRecord[] {
    const found: RoomRecord[] = [];
    for (let i = this.#entries.length - 1; i >= 0 && found.length < limit; i--) {
      const { record, audience } = this.#entries[i];
      if (isConversation(record) && isVisibleTo(audience, viewer)) found.push(record);
    }
    return found.reverse();
  }

  since(afterId: number, viewer: string | undefined, limit: number): CatchUp {
    const records = this.#entries
      .filter((e) => e.record.id > afterId && isVisibleTo(e.audience, viewer))
      .map((e) => e.record);
    const firstId = this.#entries[0]?.record.id ?? this.#lastId + 1;
    return catchUpFrom(records, afterId, limit, { firstId, lastId: this.#lastId });
  }

  page(request: PageRequest, viewer: string | undefined): HistoryPage {
    const entries = this.#entries;
    const firstId = entries[0]?.record.id ?? this.#lastId + 1;
    const found: RoomRecord[] = [];
    // Ids increase along the array: find where the page starts, then walk away from it.
    const forward = "after" in request;
    const start = forward
      ? firstIndexAbove(entries, request.after)
      : firstIndexAbove(entries, request.before - 1) - 1;
    let more = false;
    for (let i = start; i >= 0 && i < entries.length; i += forward ? 1 : -1) {
      if (!isVisibleTo(entries[i].audience, viewer)) continue;
      if (found.length === request.limit) {
        more = true;
        break;
      }
      found.push(entries[i].record);
    }
    if (!forward) found.reverse();
    const gap = forward && isGapAfter(request.after, { firstId, lastId: this.#lastId });
    return { records: found, more, gap };
  }

  /** Drops everything before the oldest of the newest `limit` conversation records. */
  #trim(): void {
    let excess = this.#conversations - this.#limit;
    let cut = 0;
    while (excess > 0) {
      if (isConversation(this.#entries[cut].record)) excess--;
      cut++;
    }
    while (cut < this.#entries.length && !isConversation(this.#entries[cut].record)) cut++;
    for (let i = 0; i < cut; i++) if (!isConversation(this.#entries[i].record)) this.#presence--;
    this.#entries = this.#entries.slice(cut);
    this.#conversations = this.#limit;
  }

  /** Drops the oldest joins, leaves and renames beyond the newest {@linkcode PRESENCE_LIMIT}. */
  #trimPresence(): void {
    let excess = this.#presence - PRESENCE_LIMIT;
    this.#entries = this.#entries.filter(({ record }) => isConversation(record) || excess-- <= 0);
    this.#presence = PRESENCE_LIMIT;
  }
}

/** Index of the first entry with an id above `id` (the length when there is none). */
function firstIndexAbove(entries: Entry[], id: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries[middle].record.id > id) high = middle;
    else low = middle + 1;
  }
  return low;
}
