/**
 * What a connection does with rooms, in one place the session hands room
 * frames and commands to: entering the server (name, then the first room and
 * the welcome), joining, moving, leaving, talking in a room, and paging a
 * room's history. A session holds one {@linkcode ClientRooms} from its
 * handshake until it ends.
 *
 * Clients that can be in one room at a time (plain text, and structured
 * clients that do not say `multiRoom`) move with `/join`; the others add
 * the room.
 *
 * @module
 */

import { PROTOCOL_VERSION } from "../../protocol/constants.ts";
import type { Refusal } from "../../protocol/errors.ts";
import type {
  FileRecord,
  HistoryFrame,
  PageFrame,
  PrivateRecord,
  RoomRecord,
  RoomState,
  ServerFrame,
  WelcomeFrame,
} from "../../protocol/frames.ts";
import type { LeaveKind } from "../../protocol/leave.ts";
import { fitToBytes, PAGE_RECORDS, pageBytesFor } from "../history_pages.ts";
import { DEFAULT_LIMITS } from "../../protocol/limits.ts";
import { nameKey } from "../../protocol/names.ts";
import { Outgoing } from "../outgoing.ts";
import type { Member, Room, RoomMembership } from "../room.ts";
import { type Client, type ClientRegistry, heldNotice } from "./clients.ts";
import type { RoomRegistry } from "./room_registry.ts";
import { roomKey } from "./room_name.ts";

/** What every connection on a server shares. */
export interface ServerPlaces {
  clients: ClientRegistry;
  rooms: RoomRegistry;
  /** Identity of the server's history (the welcome's `log`). */
  log: string;
  /** Earlier messages a newcomer sees (and as many of its private ones). */
  historyOnJoin: number;
  /** Most rooms one client may be in at once. */
  maxRoomsPerMember?: number;
  /** Limits announced in the welcome. */
  clientLimits: WelcomeFrame["limits"];
  /** Most bytes of records in one page (history_pages.ts): kept private messages go out in such pieces. */
  pageBytes?: number;
  motd?: string;
  /** Members on other nodes of a chat shared over Redis (cluster/remote_members.ts). */
  remote?: RemoteMembers;
}

/**
 * Moderation of members another node holds: each sends the deed to that
 * node and answers whether one does (undefined or false: no other node has the name).
 */
export interface RemoteMembers {
  /** Disconnects `name` as the operator's `/kick`. */
  kick(name: string, reason?: string): boolean;
  /** Disconnects `name` and bans their address everywhere, as the operator's `/ban`. */
  ban(name: string, durationMs?: number): boolean;
  /** Puts `name` out of the room called `room`, told `why`; gives their holder. */
  kickFromRoom(room: string, name: string, why: string): string | undefined;
  /** The name as held, and its holder. */
  find(name: string): { name: string; holder: string } | undefined;
  /** Tells `name` `text` (an invite). */
  tell(name: string, text: string): boolean;
}

/** What a connection asks for when it arrives. */
export interface EnterRequest {
  name: string;
  resume?: string;
  /** False for plain-text clients: they cannot present a token later. */
  canResume?: boolean;
  /** False: a name proven by `resume` but held by a live connection is refused, not taken over. */
  takeOver?: boolean;
  /** The room to enter first; the default room when absent. */
  room?: string;
  /** Last id of `room` seen, counted only when `log` is this server's. */
  since?: number;
  log?: string;
  /** True when `/join` adds a room instead of moving. */
  multiRoom?: boolean;
  /** Further rooms to enter (multi-room clients), each with the last id seen there. */
  rooms?: Array<{ room: string; since?: number }>;
  /** Told as an `info` right after the welcome (the TLS fingerprint, say). */
  note?: string;
  /** The connection's address (rooms it creates count against it). */
  address?: string;
}

/** Page budget of the default queue bound, when the server does not say. */
const DEFAULT_PAGE_BYTES = pageBytesFor(DEFAULT_LIMITS.maxQueueBytes);

/** Rooms one client may be in at once unless `--max-rooms-per-member` says otherwise. */
export const DEFAULT_MAX_ROOMS_PER_MEMBER = 20;

/** A connection's client and rooms. */
export class ClientRooms {
  readonly client: Client;
  readonly #places: ServerPlaces;
  readonly #multiRoom: boolean;
  readonly #address: string | undefined;
  /** The room plain input goes to: the one joined last. */
  #current: Room | undefined;

  private constructor(
    places: ServerPlaces,
    client: Client,
    multiRoom: boolean,
    address: string | undefined,
  ) {
    this.#places = places;
    this.client = client;
    this.#multiRoom = multiRoom;
    this.#address = address;
    client.owner = this;
  }

  /**
   * Admits a member under its name and puts it in its first room (the one
   * asked for, else the default; a bad room name falls back to the default);
   * the welcome goes out when the room's state is read. Returns the refusal
   * when the name is not accepted.
   */
  static enter(places: ServerPlaces, member: Member, request: EnterRequest): ClientRooms | Refusal {
    const client = places.clients.admit(member, request);
    if ("code" in client) return client;
    const rooms = new ClientRooms(places, client, request.multiRoom === true, request.address);
    // The first room is entered as /join enters it (creation counted, private rooms kept shut);
    // when it can't be, the default room is, and the refusal follows the welcome.
    const asked = request.room === undefined ? undefined : rooms.#openToEnter(request.room);
    const room = asked === undefined || "code" in asked ? places.rooms.defaultRoom : asked;
    // (A name that is no room name just means the default room, as it always did.)
    const refused = asked !== undefined && "code" in asked && asked.code !== "room_invalid"
      ? asked
      : undefined;
    const since = request.log === places.log ? request.since : undefined;
    // A fresh join shows the recent private messages too; a catch-up the ones kept meanwhile.
    const own = since === undefined
      ? places.clients.recentPrivate(client, places.historyOnJoin)
      : undefined;
    // Refusals of the other rooms follow the welcome: an error before it would read as the
    // hello's refusal.
    let welcomed = false;
    const afterWelcome: Array<() => void> = [];
    rooms.#enterRoom(room, since, (state) => {
      // Kept private messages end the welcome's history (they have ids of their own log), a
      // page's worth; the rest follow as frames, a page at a time, each once the one before was
      // written. When more pages of the room's catch-up follow the welcome, they all follow it.
      const shown = new Set(state.history.filter(isPrivate).map((record) => record.id));
      const pieces = inPieces(
        client.held.filter((record) => !shown.has(record.id)),
        places.pageBytes ?? DEFAULT_PAGE_BYTES,
      );
      const inWelcome = state.more ? [] : pieces.shift() ?? [];
      const history = [...state.history, ...inWelcome];
      member.deliver(new Outgoing(rooms.#welcome({ ...state, history })));
      if (client.held.length > 0 && pieces.length === 0) {
        member.deliver(new Outgoing({ type: "info", text: heldNotice(client.held) }));
      }
      if (request.note) member.deliver(new Outgoing({ type: "info", text: request.note }));
      if (refused) rooms.#refused(refused, request.room!);
      welcomed = true;
      for (const send of afterWelcome.splice(0)) send();
      if (client.held.length > 0) {
        void rooms.#handOver(
          client.held.filter((record) => shown.has(record.id) || inWelcome.includes(record)),
          pieces,
        );
      }
    }, own);
    // A multi-room client coming back enters its other rooms too, each caught up on its own.
    if (rooms.#multiRoom) {
      for (const entry of request.rooms ?? []) {
        if (typeof entry?.room !== "string") continue;
        const since = request.log === places.log && Number.isSafeInteger(entry.since)
          ? entry.since
          : undefined;
        const refused = rooms.join(entry.room, since);
        if (!refused) continue;
        if (welcomed) rooms.#refused(refused, entry.room);
        else afterWelcome.push(() => rooms.#refused(refused, entry.room));
      }
    }
    // Only now, once the new connection is in all its rooms, so that the rooms both were in see
    // no leave and no join: the name stayed.
    client.replaced?.member.disconnect(
      "replaced",
      "This name was taken over by a new connection (yours?).",
    );
    client.replaced = undefined;
    return rooms;
  }

  /**
   * Removes kept private messages from the mailbox as they are written to the
   * connection: `sent` are queued already, `pieces` go out one after another,
   * each once the one before was written. A connection that ends first leaves
   * the rest in the mailbox for the next one.
   */
  async #handOver(sent: PrivateRecord[], pieces: PrivateRecord[][]): Promise<void> {
    const { member } = this.client;
    const clients = this.#places.clients;
    for (let queued = sent;;) {
      const written = (await member.delivered?.()) ?? true;
      clients.handedOver(this.client, queued.map((record) => record.id), written);
      const next = pieces.shift();
      if (!written || next === undefined) break;
      for (const record of next) member.deliver(new Outgoing(record));
      if (pieces.length === 0) {
        member.deliver(new Outgoing({ type: "info", text: heldNotice(this.client.held) }));
      }
      queued = next;
    }
  }

  /** The room plain input and commands go to. */
  get current(): Room | undefined {
    return this.#current;
  }

  /** The room of this name this client is in (the current one when no name is given), or why not. */
  roomNamed(name: string | undefined): Room | Refusal {
    const membership = this.#membership(name);
    return "code" in membership ? membership : membership.room;
  }

  /** Names of the rooms this client is in. */
  roomNames(): string[] {
    return [...this.client.rooms.values()].map((membership) => membership.room.name);
  }

  /**
   * Enters a room, creating it if needed. A one-room client leaves its
   * current room first; joining a room one is already in just makes it current.
   */
  join(name: string, since?: number, key?: string): Refusal | undefined {
    const room = this.#openToEnter(name, key);
    if ("code" in room) return room;
    if (this.client.rooms.has(roomKey(room.name))) {
      this.#current = room;
      this.#send({ type: "info", text: `You are in ${room.name}.` });
      return undefined;
    }
    const max = this.#places.maxRoomsPerMember ?? DEFAULT_MAX_ROOMS_PER_MEMBER;
    if (this.#multiRoom && this.client.rooms.size >= max) {
      return {
        code: "too_many_rooms",
        // Named: after a reconnect this may answer a room the person did not just ask for.
        message: `You can't be in ${room.name} too: ${max} ${
          max === 1 ? "room is" : "rooms are"
        } the most one may be in; /part one first.`,
      };
    }
    if (!this.#multiRoom) {
      for (const membership of [...this.client.rooms.values()]) {
        this.#part(membership, `went to ${room.name}`);
      }
    }
    this.#enterRoom(room, since, (state) => this.#send({ type: "joined", ...state }));
    return undefined;
  }

  /**
   * The room this client may enter under `name`, created (with this client as
   * its operator, and `key` as its key) when new; or why not.
   */
  #openToEnter(name: string, key?: string): Room | Refusal {
    const holder = this.client.holder;
    const room = this.#places.rooms.open(name, false, { holder, key, address: this.#address });
    if ("code" in room) return room;
    const barred = this.#places.rooms.admits(room, { holder, address: this.#address }, key);
    if (barred) return barred;
    // Operating a room is a use of the name: its claim is kept, and with it the room.
    if (room.isOperator(holder)) this.client.spoke();
    // In with the key once, in again without it (coming back with the token), like an invite.
    else if (key !== undefined && room.keyDigest && this.client.claim.canResume) {
      room.invite(holder);
    }
    return room;
  }

  /** Leaves a room (the current one when no name is given); the last room can't be left. */
  part(name?: string): Refusal | undefined {
    const membership = this.#membership(name);
    if ("code" in membership) return membership;
    if (this.client.rooms.size === 1) {
      return {
        code: "bad_arguments",
        message: `${membership.room.name} is your only room: /join another first, or /quit.`,
      };
    }
    this.#part(membership, undefined);
    return undefined;
  }

  /** Says something in a room (the current one when no name is given). */
  say(text: string, roomName?: string, emote = false): Refusal | undefined {
    const membership = this.#membership(roomName);
    if ("code" in membership) return membership;
    this.client.spoke();
    membership.room.say(this.client.member, text, emote);
    return undefined;
  }

  /** Posts a shared file's record in a room we are in (files/file_service.ts). */
  shareFile(
    file: Pick<FileRecord, "name" | "size" | "mime" | "url">,
    room: Room,
  ): Refusal | undefined {
    if (this.client.rooms.get(roomKey(room.name))?.room !== room) {
      return { code: "not_in_room", message: `You left ${room.name} before the file arrived.` };
    }
    this.client.spoke();
    room.shareFile(this.client.member, file);
    return undefined;
  }

  /**
   * A page of a room's history (the current room when the frame names none),
   * or with `private`, of this client's private messages.
   */
  page(frame: HistoryFrame): Promise<PageFrame> | Refusal {
    if (frame.private === true) {
      const bounds = {
        pageRecords: PAGE_RECORDS,
        pageBytes: this.#places.pageBytes ?? DEFAULT_PAGE_BYTES,
      };
      return this.#places.clients.pagePrivate(this.client, frame, bounds);
    }
    const membership = this.#membership(frame.room);
    if ("code" in membership) return membership;
    return membership.page(frame);
  }

  /**
   * The room was closed under us (`/close`): we are out of it, told `reason`,
   * and a client left without a room goes to the default one.
   */
  removedFrom(room: Room, reason: string): void {
    const key = roomKey(room.name);
    const membership = this.client.rooms.get(key);
    if (!membership) return;
    this.client.rooms.delete(key);
    membership.forget();
    this.#send({ type: "parted", room: room.name, reason });
    if (this.#current === room) this.#current = [...this.client.rooms.values()].at(-1)?.room;
    if (this.client.rooms.size === 0) {
      const home = this.#places.rooms.defaultRoom;
      this.#enterRoom(home, undefined, (state) => this.#send({ type: "joined", ...state }));
    }
  }

  /**
   * Puts someone out of a room this client operates (`/kick`); everyone in
   * the room hears why.
   */
  kick(room: Room, name: string, reason: string | undefined): Refusal | undefined {
    const refused = this.mustOperate(room);
    if (refused) return refused;
    const target = this.#places.clients.find(name);
    const membership = target?.rooms.get(roomKey(room.name));
    const why = `kicked from ${room.name} by ${this.client.name}${reason ? `: ${reason}` : ""}`;
    if (!target?.owner || !membership) {
      // On another node: the room's member list is every node's.
      const inRoom = room.names().some((member) => nameKey(member) === nameKey(name));
      const holder = inRoom ? this.#places.remote?.kickFromRoom(room.name, name, why) : undefined;
      if (holder === undefined) {
        return { code: "no_such_member", message: `Nobody called "${name}" is in ${room.name}.` };
      }
      room.uninvite(holder);
      return undefined;
    }
    room.uninvite(target.holder); // a kick is not undone by an earlier invite
    target.owner.#removed(membership, why, "kicked");
    return undefined;
  }

  /** We are put out of `room` by its operator (on another node); false when not in it. */
  kickedOut(room: Room, why: string): boolean {
    const membership = this.client.rooms.get(roomKey(room.name));
    if (membership) this.#removed(membership, why, "kicked");
    return membership !== undefined;
  }

  /** Lets someone into a private room this client operates without the key (`/invite`). */
  invite(room: Room, name: string): Refusal | undefined {
    const refused = this.mustOperate(room);
    if (refused) return refused;
    const target = this.#places.clients.find(name);
    const text = `${this.client.name} invited you to ${room.name}: /join ${room.name} to go there.`;
    const invited = target ?? this.#places.remote?.find(name); // or on another node
    if (!invited) return { code: "no_such_member", message: `Nobody called "${name}" is here.` };
    // The invite is kept (across restarts too) for the holder of the name: their claim with it.
    target?.spoke();
    room.invite(invited.holder); // before the notice: another node hears of it first
    if (target) target.member.deliver(new Outgoing({ type: "info", text }));
    else this.#places.remote?.tell(name, text);
    this.#send({ type: "info", text: `${invited.name} may now join ${room.name}.` });
    return undefined;
  }

  /** Refuses what only the room's operator may do (undefined when this client operates it). */
  mustOperate(room: Room): Refusal | undefined {
    if (room.isOperator(this.client.holder)) return undefined;
    return {
      code: "not_room_operator",
      message: `Only the operator of ${room.name} (whoever created it) can do that.`,
    };
  }

  /** True when this client operates `room`. */
  operates(room: Room): boolean {
    return room.isOperator(this.client.holder);
  }

  /** We are put out of a room (kicked): told why, and sent home when it was our only room. */
  #removed(membership: RoomMembership, reason: string, kind: LeaveKind): void {
    const room = membership.room;
    this.client.rooms.delete(roomKey(room.name));
    membership.leave(reason, kind);
    this.#send({ type: "parted", room: room.name, reason });
    if (this.#current === room) this.#current = [...this.client.rooms.values()].at(-1)?.room;
    if (this.client.rooms.size === 0) {
      const home = this.#places.rooms.defaultRoom;
      this.#enterRoom(home, undefined, (state) => this.#send({ type: "joined", ...state }));
    }
  }

  /** Leaves every room, announced with `reason`, and gives up the name. */
  leave(reason?: string, kind?: LeaveKind): void {
    for (const membership of this.client.rooms.values()) membership.leave(reason, kind);
    this.client.rooms.clear();
    this.#places.clients.release(this.client);
  }

  /** Leaves every room without a word (server shutdown). */
  forget(): void {
    for (const membership of this.client.rooms.values()) membership.forget();
    this.client.rooms.clear();
    this.#places.clients.release(this.client);
  }

  #membership(name: string | undefined): RoomMembership | Refusal {
    const key = name === undefined
      ? this.#current && roomKey(this.#current.name)
      : roomKey(name.startsWith("#") ? name : `#${name}`);
    const membership = key === undefined ? undefined : this.client.rooms.get(key);
    if (membership) return membership;
    return {
      code: "not_in_room",
      message: `You are not in ${name ?? "a room"}; /join ${name ?? "#room"} first.`,
    };
  }

  #enterRoom(
    room: Room,
    since: number | undefined,
    deliver: (state: RoomState) => void,
    own?: Promise<RoomRecord[]>,
  ): void {
    const member = this.client.member;
    const membership = room.join(member, { since, viewer: this.client.holder, own }, deliver);
    this.client.rooms.set(roomKey(room.name), membership);
    this.#current = room;
  }

  #part(membership: RoomMembership, reason: string | undefined): void {
    const key = roomKey(membership.room.name);
    this.client.rooms.delete(key);
    membership.leave(reason, reason === undefined ? "quit" : "disconnected");
    this.#send({ type: "parted", room: membership.room.name });
    if (this.#current === membership.room) {
      this.#current = [...this.client.rooms.values()].at(-1)?.room;
    }
  }

  #welcome(state: RoomState): ServerFrame {
    const { log, clientLimits, motd } = this.#places;
    return {
      type: "welcome",
      version: PROTOCOL_VERSION,
      name: this.client.name,
      session: this.client.claim.token ?? "",
      log,
      limits: clientLimits,
      ...(motd ? { motd } : {}),
      ...state,
    };
  }

  #send(frame: ServerFrame): void {
    this.client.member.deliver(new Outgoing(frame));
  }

  /** Says that `room` could not be entered, naming it (the client drops it from its rooms). */
  #refused(refusal: Refusal, room: string): void {
    this.#send({ type: "error", code: refusal.code, message: refusal.message, room });
  }
}

function isPrivate(record: RoomRecord): boolean {
  return record.type === "private";
}

/** Records in consecutive pieces of at most `budget` bytes each (at least one record a piece). */
function inPieces(records: PrivateRecord[], budget: number): PrivateRecord[][] {
  const pieces: PrivateRecord[][] = [];
  for (let rest = records; rest.length > 0;) {
    const piece = fitToBytes(rest, budget, "oldest").records as PrivateRecord[];
    pieces.push(piece);
    rest = rest.slice(piece.length);
  }
  return pieces;
}
