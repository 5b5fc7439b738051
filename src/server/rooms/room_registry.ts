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
import { Room, type RoomOptions } from "../room.ts";
import type { RoomStore } from "../room_store.ts";
import { checkRoomName, roomKey } from "./room_name.ts";
import { StoreLog } from "./room_log.ts";
import { keyDigest } from "./room_key.ts";
import type { StoredRoom } from "./room_table.ts";
import { type CreationLimit, CreationRate, type Creator } from "./creation_rate.ts";
import { KeyedRate } from "./keyed_rate.ts";
import { addressKey } from "../address_key.ts";
import { formatDuration } from "../../text/time.ts";

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
  /** Rooms created at start, and kept however long nobody uses them (`--rooms`). */
  preset?: string[];
  /** False when only the operator creates rooms (`--no-room-creation`). */
  creation?: boolean;
  /** Most rooms on the server (`--max-rooms`). */
  maxRooms?: number;
  /** Days after which a room nobody used is removed with its history (`--room-expiry`). */
  expiryDays?: number;
  /** When rooms gather joins and leaves into one record (room.ts). */
  presence?: RoomOptions["presence"];
  /** How many rooms a member, and an address, may create (creation_rate.ts). */
  creationRate?: { perMember?: CreationLimit; perAddress?: CreationLimit };
  /** Moves this server's members out of a room another server closed (a shared table's news). */
  closedElsewhere?: (room: Room) => void;
}

/** Rooms a server holds unless `--max-rooms` says otherwise. */
export const DEFAULT_MAX_ROOMS = 1000;

/** Days a room nobody uses is kept unless `--room-expiry` says otherwise. */
export const DEFAULT_ROOM_EXPIRY_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

const USE_RESOLUTION_MS = 60_000;

/** Wrong room keys one address (or member without one) may try: 5 at once, then one a minute. */
export const WRONG_KEYS = { burst: 5, perHour: 60 };

/** Who is creating a room: they become its operator; with a key, it is private. */
export interface RoomCreator extends Creator {
  key?: string;
}

/** A room as `/rooms` lists it. */
export interface RoomSummary {
  name: string;
  members: number;
  topic?: string;
  /** True when the room needs a key. */
  private?: boolean;
}

/** Every room on the server, by key. */
export class RoomRegistry {
  readonly #options: RoomRegistryOptions;
  readonly #rooms = new Map<string, Room>();
  readonly #stored = new Map<string, StoredRoom>();
  readonly #now: () => number;
  /** Rooms that never expire: the default one and `--rooms`. */
  readonly #kept = new Set<string>();
  readonly #creations: CreationRate;
  readonly #wrongKeys = new KeyedRate(WRONG_KEYS);
  /** The room everyone starts in. */
  readonly defaultRoom: Room;

  constructor(options: RoomRegistryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#creations = new CreationRate(
      options.creationRate?.perMember,
      options.creationRate?.perAddress,
    );
    for (const stored of options.store.rooms.list()) this.#stored.set(stored.key, stored);
    if (options.store.rooms.watch) {
      options.store.rooms.watch((key, stored) => this.#adopt(key, stored));
      // Shared with other servers: every room is followed, so its members on all of them count.
      for (const stored of this.#stored.values()) this.#open(stored.name, undefined, false);
    }
    const checked = checkRoomName(options.defaultRoom);
    if ("code" in checked) throw new Error(checked.message);
    this.defaultRoom = this.#open(checked.name);
    this.#kept.add(roomKey(checked.name));
    for (const name of options.preset ?? []) {
      const preset = checkRoomName(name);
      if ("code" in preset) throw new Error(preset.message);
      this.#open(preset.name);
      this.#kept.add(preset.key);
    }
    this.expire();
  }

  /** The room with this name (any case, with or without `#`), if it exists. */
  find(name: string): Room | undefined {
    const checked = checkRoomName(name);
    if ("code" in checked) return undefined;
    const { key } = checked;
    return this.#rooms.get(key) ?? (this.#stored.has(key) ? this.#open(checked.name) : undefined);
  }

  /**
   * The room with this name, created when it does not exist yet (unless
   * creating is the operator's alone and `byOperator` is false); refuses
   * invalid names, rooms beyond the cap, and a `creator` who created too
   * many lately (creation_rate.ts; the operator is not counted).
   */
  open(name: string, byOperator = false, creator?: RoomCreator): Room | Refusal {
    const checked = checkRoomName(name);
    if ("code" in checked) return checked;
    const exists = this.#rooms.has(checked.key) || this.#stored.has(checked.key);
    if (!exists && this.#options.creation === false && !byOperator) {
      return {
        code: "no_such_room",
        message:
          `There is no room ${checked.name}, and only the operator creates rooms here; /rooms lists them.`,
      };
    }
    const max = this.#options.maxRooms ?? DEFAULT_MAX_ROOMS;
    if (!exists && this.#count() >= max) {
      return {
        code: "too_many_rooms",
        // Named: a reconnect may ask for rooms the person did not just type.
        message: `${checked.name} can't be made: this server has ${max} rooms, the most ` +
          "it allows; join one of them (/rooms lists them).",
      };
    }
    if (!exists && !byOperator && creator) {
      const tooOften = this.#creations.take(creator, this.#now());
      if (tooOften) return tooOften;
    }
    return this.#open(checked.name, exists ? undefined : creator);
  }

  /**
   * Whether `entrant` may come into `room` with `key` (see `Room.admits`);
   * wrong keys are limited per address, so a private room's key can't be
   * guessed at the speed of typing: past the limit, keys are not even checked.
   */
  admits(room: Room, entrant: Creator, key: string | undefined): Refusal | undefined {
    const needed = room.admits(entrant.holder, undefined);
    if (needed === undefined || key === undefined) return needed;
    const who = entrant.address === undefined
      ? `holder ${entrant.holder}`
      : addressKey(entrant.address);
    const now = this.#now();
    const wait = this.#wrongKeys.waitMs(who, now);
    if (wait > 0) {
      return {
        code: "too_many_attempts",
        message: `Too many wrong room keys from your address; wait ${
          formatDuration(wait)
        } before trying one again.`,
      };
    }
    const barred = room.admits(entrant.holder, key);
    if (barred?.code === "wrong_key") this.#wrongKeys.take(who, now);
    return barred;
  }

  /**
   * Removes a room with its history: its members are told with `reason`
   * by `evict` (which moves or parts them) first. The default room can't be closed.
   */
  close(name: string, evict: (room: Room) => void): Refusal | undefined {
    const room = this.find(name);
    if (!room) {
      return { code: "no_such_room", message: `There is no room ${name}. /rooms lists them.` };
    }
    if (room === this.defaultRoom) {
      return {
        code: "bad_arguments",
        message: `${room.name} is where everyone starts; it can't be closed.`,
      };
    }
    evict(room);
    this.#forget(roomKey(room.name));
    return undefined;
  }

  /**
   * Removes rooms nobody has used for `expiryDays`, with their history
   * (not the default room, `--rooms`, or a room with members). Returns their names.
   */
  expire(): string[] {
    const days = this.#options.expiryDays ?? DEFAULT_ROOM_EXPIRY_DAYS;
    const before = this.#now() - days * DAY_MS;
    const removed: string[] = [];
    for (const stored of [...this.#stored.values()]) {
      if (this.#kept.has(stored.key) || stored.usedAt >= before) continue;
      if ((this.#rooms.get(stored.key)?.size ?? 0) > 0) continue;
      removed.push(stored.name);
      this.#forget(stored.key);
    }
    return removed;
  }

  #forget(key: string): void {
    this.#rooms.get(key)?.close();
    this.#rooms.delete(key);
    this.#stored.delete(key);
    this.#options.store.rooms.remove(key);
    this.#options.store.forgetRoom(key);
  }

  #count(): number {
    return new Set([...this.#stored.keys(), ...this.#rooms.keys()]).size;
  }

  /** Every room, remembered ones included, sorted by name. */
  list(): RoomSummary[] {
    const keys = new Set([...this.#stored.keys(), ...this.#rooms.keys()]);
    return [...keys].sort().map((key) => {
      const room = this.#rooms.get(key);
      const stored = this.#stored.get(key);
      const topic = room ? room.topic : stored?.topic;
      const locked = room ? room.keyDigest !== undefined : stored?.keyDigest !== undefined;
      return {
        name: room?.name ?? stored!.name,
        members: room?.size ?? 0,
        ...(topic ? { topic } : {}),
        ...(locked ? { private: true } : {}),
      };
    });
  }

  /** Rooms opened in this run. */
  opened(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  #open(name: string, creator?: RoomCreator, save = true): Room {
    const key = roomKey(name);
    const existing = this.#rooms.get(key);
    if (existing) return existing;
    const stored = this.#stored.get(key);
    const made = creator?.key === undefined ? {} : { keyDigest: keyDigest(creator.key) };
    const { store, historyOnJoin, pageRecords, pageBytes, onRecord } = this.#options;
    const room = new Room({
      name: stored?.name ?? name,
      topic: stored?.topic,
      keyDigest: stored?.keyDigest ?? made.keyDigest,
      operator: stored?.operator ?? creator?.holder,
      topicLocked: stored?.topicLocked,
      invited: stored?.invited,
      log: store.roomLog?.(key) ?? new StoreLog(store.roomHistory(key), this.#now),
      historyOnJoin,
      pageRecords,
      pageBytes,
      onRecord,
      onChange: (changed) => this.#remember(key, changed),
      presence: this.#options.presence,
    });
    this.#rooms.set(key, room);
    if (save) this.#remember(key, room);
    return room;
  }

  /** Takes in a change another server made to a room (its topic, key, lock). */
  #adopt(key: string, stored: StoredRoom | undefined): void {
    if (stored === undefined) return this.#closedElsewhere(key);
    this.#stored.set(key, stored);
    const room = this.#rooms.get(key);
    if (room) return room.adopt(stored);
    // A room made on another server is followed here too, so `/rooms` counts its members.
    this.#open(stored.name, undefined, false);
  }

  /**
   * Another server closed the room (and removed its log): our members are
   * moved out (closedElsewhere) and the room forgotten here, nothing stored.
   */
  #closedElsewhere(key: string): void {
    this.#stored.delete(key);
    const room = this.#rooms.get(key);
    if (!room) return;
    this.#options.closedElsewhere?.(room);
    room.close();
    this.#rooms.delete(key);
  }

  /** Writes a room's name, topic and last use to the store. */
  #remember(key: string, room: Room): void {
    const now = this.#now();
    const known = this.#stored.get(key);
    // Last use only matters to the day (expiry): a busy room is not rewritten every message.
    const invited = room.invited;
    const same = known && known.topic === room.topic && known.keyDigest === room.keyDigest &&
      (known.topicLocked ?? false) === room.topicLocked &&
      (known.invited ?? []).join("\n") === invited.join("\n");
    if (same && now - known.usedAt < USE_RESOLUTION_MS) return;
    const stored: StoredRoom = {
      key,
      name: room.name,
      ...(room.topic ? { topic: room.topic } : {}),
      ...(room.keyDigest ? { keyDigest: room.keyDigest } : {}),
      ...(room.operator ? { operator: room.operator } : {}),
      ...(room.topicLocked ? { topicLocked: true } : {}),
      ...(invited.length > 0 ? { invited } : {}),
      createdAt: this.#stored.get(key)?.createdAt ?? now,
      usedAt: now,
    };
    this.#stored.set(key, stored);
    this.#options.store.rooms.save(stored);
  }
}
