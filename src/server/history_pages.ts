/**
 * How big a page of history may be. History reaches a client in pages — the
 * welcome's history is one, and a client asks for the others with `history`
 * frames — and every page is bounded in records and in bytes, well below the
 * slow-consumer bound of a connection's queue: a reader catching up on a long
 * absence gets what it asks for, a page at a time, and is never mistaken for
 * one that stopped reading.
 *
 * @module
 */

import type { HistoryFrame, RoomRecord } from "../protocol/frames.ts";
import type { RoomLog } from "./rooms/room_log.ts";

/** Most records in one page (a client may ask for fewer). */
export const PAGE_RECORDS = 500;

/** Most bytes of records in one page when the queue bound allows it. */
const PAGE_BYTES = 64 * 1024;

/** A page takes at most this fraction of the slow-consumer bound. */
const QUEUE_SHARE = 8;

/** The byte budget of a page for connections whose queue holds at most `maxQueueBytes`. */
export function pageBytesFor(maxQueueBytes: number): number {
  return Math.max(1, Math.min(PAGE_BYTES, Math.floor(maxQueueBytes / QUEUE_SHARE)));
}

/**
 * The longest run of `records` (oldest first) whose JSON fits in `budget`
 * bytes, taken from the oldest end (`keep: "oldest"`, reading forward) or the
 * newest (`"newest"`, reading back). At least one record is kept, so paging
 * always moves on. `cut` says whether records were left out.
 */
export function fitToBytes(
  records: RoomRecord[],
  budget: number,
  keep: "oldest" | "newest",
): { records: RoomRecord[]; cut: boolean } {
  let used = 0;
  let count = 0;
  for (; count < records.length; count++) {
    const record = records[keep === "oldest" ? count : records.length - 1 - count];
    used += utf8Length(JSON.stringify(record)) + 1;
    if (used > budget && count > 0) break;
  }
  if (count === records.length) return { records, cut: false };
  const kept = keep === "oldest" ? records.slice(0, count) : records.slice(records.length - count);
  return { records: kept, cut: true };
}

/** Bytes of `text` in UTF-8, counted without encoding it. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // Two bytes up to U+07FF, three above; a surrogate pair (4 bytes) is two units of 2 each.
    if (unit >= 0x80) bytes += unit >= 0x800 && (unit < 0xd800 || unit > 0xdfff) ? 2 : 1;
  }
  return bytes;
}

/** What a page holds: records oldest first, the request's direction echoed, and whether more lie beyond. */
export interface PageOfLog {
  records: RoomRecord[];
  before?: number;
  after?: number;
  more: boolean;
}

/**
 * Reads the page of `log` a `history` frame asks for, as `viewer` may see
 * it, bounded by `pageRecords` and `pageBytes`; `shown` is applied to each
 * record before it is measured (a room adds its name).
 */
export async function readPage(
  log: RoomLog,
  request: HistoryFrame,
  viewer: string | undefined,
  bounds: { pageRecords: number; pageBytes: number },
  shown: (record: RoomRecord) => RoomRecord = (record) => record,
): Promise<PageOfLog> {
  const { pageRecords, pageBytes } = bounds;
  const limit = Math.max(1, Math.min(pageRecords, Math.floor(request.limit ?? pageRecords)));
  if (request.after !== undefined) {
    const found = await log.page({ after: request.after, limit }, viewer);
    const fitted = fitToBytes(found.records.map(shown), pageBytes, "oldest");
    return { records: fitted.records, after: request.after, more: found.more || fitted.cut };
  }
  const before = request.before ?? (await log.lastId()) + 1;
  const found = await log.page({ before, limit }, viewer);
  const fitted = fitToBytes(found.records.map(shown), pageBytes, "newest");
  return { records: fitted.records, before, more: found.more || fitted.cut };
}
