/**
 * Folds runs of joins and leaves into one line, as weechat and irssi users
 * expect when bots or flaky connections come and go: "bot1, bot2 and 8
 * others joined; carol left (12 here)". Pure: the last entry on screen and a
 * new one in, the entry that replaces the last one out (or `null` when they
 * do not fold).
 *
 * @example
 * ```ts
 * const first = { kind: "record", record: { type: "join", name: "bot1", count: 2, … } };
 * foldPresence(first, { kind: "record", record: { type: "join", name: "bot2", count: 3, … } });
 * // { kind: "presence", ts, joined: ["bot1", "bot2"], left: [], cameAndWent: [], count: 3 }
 * ```
 *
 * @module
 */

import type { JoinRecord, LeaveRecord } from "../protocol/frames.ts";
import { nameKey } from "../protocol/names.ts";
import type { Entry } from "./render.ts";

/** A folded run of joins and leaves. */
export type PresenceEntry = Extract<Entry, { kind: "presence" }>;

/**
 * The entry that replaces `last` when `next` folds into it: both live joins
 * or leaves of other members (or `last` an earlier fold). `null` otherwise.
 * Your own join never folds, so it stays visible.
 */
export function foldPresence(
  last: Entry | undefined,
  next: Entry,
  me: string,
): PresenceEntry | null {
  const record = presenceRecord(next, me);
  if (!last || !record) return null;
  const lastRecord = presenceRecord(last, me);
  const base = last.kind === "presence" ? last : lastRecord ? asPresence(lastRecord) : null;
  if (!base) return null;
  const folded: PresenceEntry = {
    ...base,
    joined: [...base.joined],
    left: [...base.left],
    cameAndWent: [...base.cameAndWent],
    count: record.count,
  };
  if (record.type === "join") {
    // Back again after leaving within the run: simply here (and named once).
    folded.left = without(folded.left, record.name);
    folded.cameAndWent = without(folded.cameAndWent, record.name);
    folded.joined.push(record.name);
  } else if (folded.joined.some((name) => nameKey(name) === nameKey(record.name))) {
    folded.joined = without(folded.joined, record.name);
    folded.cameAndWent.push(record.name);
  } else {
    folded.left.push(record.name);
  }
  return folded;
}

/** The record of a live join or leave of someone else; `undefined` for any other entry. */
function presenceRecord(entry: Entry, me: string): JoinRecord | LeaveRecord | undefined {
  if (entry.kind !== "record" || entry.replayed || entry.earlier) return undefined;
  const { record } = entry;
  if (record.type !== "join" && record.type !== "leave") return undefined;
  // Moderation stays visible on its own line, with its reason: never "came and went".
  if (record.type === "leave" && (record.kind === "kicked" || record.kind === "banned")) {
    return undefined;
  }
  return nameKey(record.name) === nameKey(me) ? undefined : record;
}

function asPresence(record: JoinRecord | LeaveRecord): PresenceEntry {
  return {
    kind: "presence",
    ts: record.ts,
    joined: record.type === "join" ? [record.name] : [],
    left: record.type === "leave" ? [record.name] : [],
    cameAndWent: [],
    count: record.count,
  };
}

function without(names: string[], name: string): string[] {
  return names.filter((other) => nameKey(other) !== nameKey(name));
}
