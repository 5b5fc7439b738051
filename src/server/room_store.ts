/**
 * Everything a room remembers between connections, as one unit: the history
 * of records, the claims on names, and the private messages waiting for
 * absent members. {@linkcode memoryStore} forgets it all on exit
 * (`--no-history`); `openSqliteStore` (sqlite_store.ts) keeps it in a file.
 *
 * @module
 */

import { type HistoryStore, MemoryHistory } from "./history.ts";
import { type Mailbox, MemoryMailbox } from "./mailbox.ts";
import { type ClaimStore, MemoryClaims } from "./name_claims.ts";
import { DEFAULT_ROOM } from "./rooms/room_name.ts";
import { MemoryRoomTable, type RoomTable } from "./rooms/room_table.ts";
import type { RoomLog } from "./rooms/room_log.ts";

/** Conversation records kept unless `--history-limit` says otherwise. */
export const DEFAULT_HISTORY_LIMIT = 10_000;

/** Earlier messages shown on join unless `--history-on-join` says otherwise. */
export const DEFAULT_HISTORY_ON_JOIN = 50;

/** What the room remembers, and the one switch that makes it durable. */
export interface RoomStore {
  /** The default room's history (the one room of a server before rooms existed). */
  readonly history: HistoryStore;
  /** The history of the room with this key (its lower-case name), opened on first use. */
  roomHistory(key: string): HistoryStore;
  /**
   * Deletes a room's history (the room was closed or expired). Its ids are
   * not given again: a room created later under the same name continues
   * after the last one, so a member's last id of that name stays meaningful.
   */
  forgetRoom(key: string): void;
  /** The rooms remembered, with their topics. */
  readonly rooms: RoomTable;
  readonly claims: ClaimStore;
  readonly mailbox: Mailbox;
  /**
   * Makes every change so far durable. The server calls this before each
   * socket write, so no record reaches anyone before it is safely stored;
   * changes made between two writes are committed together.
   */
  flush(): void;
  /** Flushes and releases the store; it is not used afterwards. */
  close(): void;
  /**
   * Calls `listener` when changes could not be saved (at most once a
   * minute), so the members can be told their messages won't be kept.
   */
  onWriteFailure?(listener: () => void): void;
  /**
   * A store whose rooms' logs are not its histories (cluster/, Redis
   * Streams) gives each room's log here.
   */
  roomLog?(key: string): RoomLog;
  /** Calls `listener` with a sentence for every member when the store comes and goes (cluster/). */
  onStatus?(listener: (text: string) => void): void;
}

/**
 * A store that keeps the last `historyLimit` records of each room in memory
 * and nothing on disk.
 */
export function memoryStore(historyLimit: number, defaultRoom = DEFAULT_ROOM): RoomStore {
  const histories = new Map<string, HistoryStore>();
  /** The last id of each forgotten room, where its name continues if created again. */
  const lastIds = new Map<string, number>();
  const roomHistory = (key: string) => {
    let history = histories.get(key);
    if (history === undefined) {
      history = new MemoryHistory(historyLimit, lastIds.get(key));
      histories.set(key, history);
    }
    return history;
  };
  const forgetRoom = (key: string) => {
    const history = histories.get(key);
    if (history !== undefined) lastIds.set(key, history.lastId());
    histories.delete(key);
  };
  return {
    history: roomHistory(defaultRoom),
    roomHistory,
    forgetRoom,
    rooms: new MemoryRoomTable(),
    claims: new MemoryClaims(),
    mailbox: new MemoryMailbox(),
    flush() {},
    close() {},
  };
}
