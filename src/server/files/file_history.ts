/**
 * File records as the store's histories give them out: marked `expired`
 * once their file was deleted to make room, and a room's files deleted
 * with the room's history. A {@linkcode RoomStore} wrapped by
 * {@linkcode withFiles} does both, so neither the rooms nor the stores need
 * to know about files.
 *
 * @module
 */

import type { RoomRecord } from "../../protocol/frames.ts";
import type { HistoryStore } from "../history.ts";
import type { RoomStore } from "../room_store.ts";
import { type FileService, tokenOf } from "./file_service.ts";

/** `store`, with its file records' expiry filled in and rooms' files forgotten with them. */
export function withFiles(store: RoomStore, files: FileService): RoomStore {
  const wrapped = new WeakMap<HistoryStore, HistoryStore>();
  const wrap = (history: HistoryStore) => {
    let seen = wrapped.get(history);
    if (!seen) wrapped.set(history, seen = expiringHistory(history, files));
    return seen;
  };
  return {
    get history() {
      return wrap(store.history);
    },
    roomHistory: (key) => wrap(store.roomHistory(key)),
    forgetRoom: (key) => {
      files.forgetRoom(key);
      store.forgetRoom(key);
    },
    get rooms() {
      return store.rooms;
    },
    get claims() {
      return store.claims;
    },
    get mailbox() {
      return store.mailbox;
    },
    flush: () => store.flush(),
    close: () => {
      store.close();
      files.store.close();
    },
    ...(store.onWriteFailure
      ? { onWriteFailure: (listener) => store.onWriteFailure!(listener) }
      : {}),
    // A shared engine's logs (cluster/; files are off there, SCALING.md).
    ...(store.roomLog ? { roomLog: (key) => store.roomLog!(key) } : {}),
    ...(store.onStatus ? { onStatus: (listener) => store.onStatus!(listener) } : {}),
  };
}

/** A history whose reads mark file records of deleted files `expired`. */
function expiringHistory(history: HistoryStore, files: FileService): HistoryStore {
  const mark = (record: RoomRecord): RoomRecord => {
    if (record.type !== "file" || record.expired) return record;
    const token = tokenOf(record.url);
    return token !== undefined && files.store.expired(token)
      ? { ...record, expired: true }
      : record;
  };
  return {
    roomId: () => history.roomId(),
    lastId: () => history.lastId(),
    append: (record, audience) => history.append(record, audience),
    recent: (limit, viewer) => history.recent(limit, viewer).map(mark),
    since: (afterId, viewer, limit) => {
      const caught = history.since(afterId, viewer, limit);
      return { ...caught, records: caught.records.map(mark) };
    },
    page: (request, viewer) => {
      const page = history.page(request, viewer);
      return { ...page, records: page.records.map(mark) };
    },
  };
}
