/**
 * The rooms of a server: the default one everyone starts in, the ones
 * remembered from earlier runs (with their topics), and the ones members
 * create with `/join`. Each room gets its log from the store; the registry
 * remembers rooms as they are used.
 *
 * @module
 */

import type { Refusal } from "../../protocol/errors.ts";
import type { RoomRecord } from "../../protocol/frames.ts";
import { Room } from "../room.ts";
import type { RoomStore } from "../room_store.ts";
import { checkRoomName, roomKey } from "./room_name.ts";
import { StoreLog } from "./room_log.ts";
import type { StoredRoom } from "./room_table.ts";

/** How rooms are made. */
export interface RoomRegistryOptions {
  store: RoomStore;
  /** The room everyone starts in (`#general`). */
  defaultRoom: string;
  historyOnJoin: number;
  pageRecords: number;
  pageBytes: number;
  /** Called with every record a room stores (for the server log). */
  onRecord?: (record: RoomRecord, room: Room) => void;
  now?: () => number;
}

const USE_RESOLUTION_MS = 60_000;

/** A room as `/rooms` lists it. */
export interface RoomSummary {
  name: string;
  members: number;
  topic?: string;
}

/** Every room on the server, by key. */
export class RoomRegistry {
  readonly #options: RoomRegistryOptions;
  readonly #rooms = new Map<string, Room>();
  readonly #stored = new Map<string, StoredRoom>();
  readonly #now: () => number;
  /** The room everyone starts in. */
  readonly defaultRoom: Room;

  constructor(options: RoomRegistryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    for (const stored of options.store.rooms.list()) this.#stored.set(stored.key, stored);
    const checked = checkRoomName(options.defaultRoom);
    if ("code" in checked) throw new Error(checked.message);
    this.defaultRoom = this.#open(checked.name);
  }

  /** The room with this name (any case, with or without `#`), if it exists. */
  find(name: string): Room | undefined {
    const key = roomKey(name.startsWith("#") ? name : `#${name}`);
    return this.#rooms.get(key) ?? (this.#stored.has(key) ? this.#open(name) : undefined);
  }

  /** The room with this name, created when it does not exist yet; refuses invalid names. */
  open(name: string): Room | Refusal {
    const checked = checkRoomName(name);
    if ("code" in checked) return checked;
    return this.#open(checked.name);
  }

  /** Every room, remembered ones included, sorted by name. */
  list(): RoomSummary[] {
    const keys = new Set([...this.#stored.keys(), ...this.#rooms.keys()]);
    return [...keys].sort().map((key) => {
      const room = this.#rooms.get(key);
      const stored = this.#stored.get(key);
      const topic = room ? room.topic : stored?.topic;
      return {
        name: room?.name ?? stored!.name,
        members: room?.size ?? 0,
        ...(topic ? { topic } : {}),
      };
    });
  }

  /** Rooms opened in this run. */
  opened(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  #open(name: string): Room {
    const key = roomKey(name);
    const existing = this.#rooms.get(key);
    if (existing) return existing;
    const stored = this.#stored.get(key);
    const { store, historyOnJoin, pageRecords, pageBytes, onRecord } = this.#options;
    const room = new Room({
      name: stored?.name ?? name,
      topic: stored?.topic,
      log: new StoreLog(store.roomHistory(key), this.#now),
      historyOnJoin,
      pageRecords,
      pageBytes,
      onRecord,
      onChange: (changed) => this.#remember(key, changed),
    });
    this.#rooms.set(key, room);
    this.#remember(key, room);
    return room;
  }

  /** Writes a room's name, topic and last use to the store. */
  #remember(key: string, room: Room): void {
    const now = this.#now();
    const known = this.#stored.get(key);
    // Last use only matters to the day (expiry): a busy room is not rewritten every message.
    if (known && known.topic === room.topic && now - known.usedAt < USE_RESOLUTION_MS) return;
    const stored: StoredRoom = {
      key,
      name: room.name,
      ...(room.topic ? { topic: room.topic } : {}),
      createdAt: this.#stored.get(key)?.createdAt ?? now,
      usedAt: now,
    };
    this.#stored.set(key, stored);
    this.#options.store.rooms.save(stored);
  }
}
