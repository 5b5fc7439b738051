/**
 * One chat room: who is in it, its topic, and its log. The room knows nothing
 * about sockets — a member is anything that can take delivery of a frame —
 * and nothing about who people are on the server (rooms/clients.ts checks
 * names, tokens and private messages). It stores every record through its
 * {@linkcode RoomLog}, which gives the ids, and relays it to its members.
 *
 * @module
 */

import type { ByeCode, Refusal } from "../protocol/errors.ts";
import { keyDigest, keyMatches } from "./rooms/room_key.ts";
import type {
  FileRecord,
  HistoryFrame,
  PageFrame,
  RoomRecord,
  RoomState,
  ServerFrame,
} from "../protocol/frames.ts";
import type { LeaveKind } from "../protocol/leave.ts";
import { nameKey } from "../protocol/names.ts";
import { fitToBytes, readPage } from "./history_pages.ts";
import { NameOrder } from "./name_order.ts";
import { Outgoing } from "./outgoing.ts";
import { afterAppend, type NewRecord, type RoomLog } from "./rooms/room_log.ts";

/** Anything that can be in a room. The server sets `name` when it admits or renames the member. */
export interface Member {
  /** Current name; assigned by the client registry. */
  name: string;
  /** The text of `/away`, while the member is marked away. */
  away?: string;
  /** Queues a frame for this member. Must not throw and must not block. */
  deliver(out: Outgoing): void;
  /**
   * Resolves true once every frame delivered so far has been written to the
   * connection (handed to the operating system), false when the connection
   * ended first. Members without it count as written at once.
   */
  delivered?(): Promise<boolean>;
  /**
   * Asks the member's transport to close: `message` is for the member, `leaveReason`
   * for the rooms (kick, session taken over).
   */
  disconnect(code: ByeCode, message: string, leaveReason?: string): void;
}

/**
 * A member's place in one room, handed out by {@linkcode Room.join}: the only
 * way out of the room. Whoever holds it must release it (`leave` or `forget`)
 * when the member leaves the room or its connection ends, whatever ended it;
 * releasing twice, or after a takeover gave the name to a new connection,
 * does nothing.
 */
export interface RoomMembership {
  /** The room. */
  readonly room: Room;
  /** Leaves the room; everyone hears it once, with `reason` and whose words it is (`kind`). */
  leave(reason?: string, kind?: LeaveKind): void;
  /** Leaves without any announcement (server shutdown). */
  forget(): void;
  /** One page of the history this member may see (private records only for their audience). */
  page(request: HistoryFrame): Promise<PageFrame>;
  /** The member was renamed from `oldName`: the room re-files it and announces it. */
  renamed(oldName: string): void;
}

/** What a member asks for when entering a room. */
export interface RoomJoinRequest {
  /** Last record id of this room the member saw, for a catch-up. */
  since?: number;
  /** The holder the member's private records are visible to. */
  viewer?: string;
  /**
   * Records of the member's own shown after the room's history on a fresh
   * join (not a catch-up): its recent private messages.
   */
  own?: Promise<RoomRecord[]>;
}

/** Settings of a room. */
export interface RoomOptions {
  /** The room's name as created (`#general`). */
  name: string;
  topic?: string;
  /** Private rooms: the SHA-256 digest of the key (room_key.ts). */
  keyDigest?: string;
  /** The holder of whoever created the room: its operator. */
  operator?: string;
  /** Only the operator may change the topic. */
  topicLocked?: boolean;
  /** Holders let in without the key (`/invite`), remembered from an earlier run. */
  invited?: string[];
  /** Where the room's records are kept; it gives their ids. */
  log: RoomLog;
  /** How many earlier messages a newcomer sees. */
  historyOnJoin: number;
  /** Most records in one page of history (the welcome's history is one page). */
  pageRecords: number;
  /**
   * Most bytes of records in one page, well below a connection's queue bound
   * (history_pages.ts), so no welcome or page ever makes a reader look slow.
   */
  pageBytes: number;
  /** Called with every record after it is stored (for the server log). */
  onRecord?: (record: RoomRecord, room: Room) => void;
  /** Called when the room is used (someone joined or spoke) or its topic changed. */
  onChange?: (room: Room) => void;
  /**
   * Above `threshold` members, joins and leaves are gathered for `intervalMs`
   * into one `presence` record, and newcomers get the member count instead
   * of the whole list (`/who` lists it). `schedule` runs a function later
   * (replaceable in tests).
   */
  presence?: {
    threshold: number;
    intervalMs: number;
    schedule?: (run: () => void, ms: number) => void;
  };
}

/** Most invites a room keeps; past it the oldest goes. */
export const MAX_INVITES = 100;

/** Members above which a room gathers joins and leaves (and sends no member lists on join). */
export const PRESENCE_THRESHOLD = 100;
/** How long a big room gathers joins and leaves before announcing them in one record. */
export const PRESENCE_INTERVAL_MS = 1000;

/** Members, topic, broadcast and history of one chat room. */
export class Room {
  readonly #options: RoomOptions;
  readonly #log: RoomLog;
  readonly #members = new Map<string, Member>();
  readonly #order = new NameOrder();
  /**
   * Members whose room state is still being read from the log: what the room
   * relays meanwhile waits here, so it reaches them after their state, in order.
   */
  readonly #pending = new Map<Member, Outgoing[]>();
  #topic: string | undefined;
  #keyDigest: string | undefined;
  #topicLocked: boolean;
  /**
   * Holders let in without the key (`/invite`), oldest first: until the key
   * changes or they are kicked. Saved with the room (onChange).
   */
  readonly #invited: Set<string>;
  /** Joins and leaves being gathered in a big room, until the next `presence` record. */
  #gathered: { joined: string[]; left: string[] } | undefined;
  /** Records stored but not yet relayed, when the log answers later (afterAppend). */
  #tail: Promise<void> | undefined;
  /** The timer that will announce what was gathered (when not scheduled by `presence.schedule`). */
  #gatherTimer: ReturnType<typeof setTimeout> | undefined;
  /** True once the room was removed (closed, expired): nothing more goes into its log. */
  #closed = false;

  /** Creates a room over its log. */
  constructor(options: RoomOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#topic = options.topic;
    this.#keyDigest = options.keyDigest;
    this.#topicLocked = options.topicLocked === true;
    this.#invited = new Set(options.invited);
    options.log.follow?.((record) => this.#relay(record));
  }

  /**
   * The room was removed with its log (`/close`, expiry; its members were
   * moved out first): a gathering under way is dropped, its timer stopped,
   * and nothing more is stored or relayed.
   */
  close(): void {
    this.#closed = true;
    this.#gathered = undefined;
    clearTimeout(this.#gatherTimer);
    this.#gatherTimer = undefined;
    this.#log.unfollow?.();
  }

  /** The key's digest, for a private room. */
  get keyDigest(): string | undefined {
    return this.#keyDigest;
  }

  /** The holder of the room's operator (its creator), if known. */
  get operator(): string | undefined {
    return this.#options.operator;
  }

  /** True when only the operator may change the topic. */
  get topicLocked(): boolean {
    return this.#topicLocked;
  }

  /** True when `holder` is the room's operator. */
  isOperator(holder: string): boolean {
    return this.#options.operator === holder;
  }

  /**
   * Whether the holder `holder` may come in: always into an open room; into
   * a private one as its operator, when invited, or with the right key.
   */
  admits(holder: string, key: string | undefined): Refusal | undefined {
    const digest = this.#keyDigest;
    if (digest === undefined || this.isOperator(holder) || this.#invited.has(holder)) {
      return undefined;
    }
    if (key === undefined) {
      return {
        code: "key_needed",
        message:
          `${this.name} is private: join with its key (/join ${this.name} KEY), or ask its operator to /invite you.`,
      };
    }
    if (!keyMatches(key, digest)) {
      return {
        code: "wrong_key",
        message: `That is not the key of ${this.name}. Check it with the room's operator.`,
      };
    }
    return undefined;
  }

  /** Takes the topic, key, lock and invites another server gave the room (it announced the change). */
  adopt(
    settings: { topic?: string; keyDigest?: string; topicLocked?: boolean; invited?: string[] },
  ): void {
    this.#topic = settings.topic;
    this.#keyDigest = settings.keyDigest;
    this.#topicLocked = settings.topicLocked === true;
    this.#invited.clear();
    for (const holder of settings.invited ?? []) this.#invited.add(holder);
  }

  /** Lets `holder` in without the key, until the key changes or they are kicked. */
  invite(holder: string): void {
    if (this.#invited.has(holder)) return;
    this.#invited.add(holder);
    if (this.#invited.size > MAX_INVITES) {
      this.#invited.delete(this.#invited.values().next().value!);
    }
    this.#options.onChange?.(this);
  }

  /** Takes back an invite (the holder was kicked). */
  uninvite(holder: string): void {
    if (this.#invited.delete(holder)) this.#options.onChange?.(this);
  }

  /** Holders invited, oldest first. */
  get invited(): string[] {
    return [...this.#invited];
  }

  /** Sets the key (the room becomes private) or, with none, removes it; invites end with the old key. */
  setKey(key: string | undefined): void {
    this.#keyDigest = key === undefined ? undefined : keyDigest(key);
    this.#invited.clear();
    this.#options.onChange?.(this);
  }

  /** Locks or unlocks the topic. */
  lockTopic(locked: boolean): void {
    this.#topicLocked = locked;
    this.#options.onChange?.(this);
  }

  /** The room's name as created. */
  get name(): string {
    return this.#options.name;
  }

  /** The topic, if one is set. */
  get topic(): string | undefined {
    return this.#topic;
  }

  /** Number of members. */
  get size(): number {
    // A log shared by several servers knows the members on all of them.
    return this.#log.members?.count(this.#order.names()) ?? this.#members.size;
  }

  /** Member names, sorted case-insensitively. */
  names(): string[] {
    return this.#log.members?.names(this.#order.names()) ?? this.#order.names();
  }

  /** The member with this name (case-insensitive), if present. */
  find(name: string): Member | undefined {
    return this.#members.get(nameKey(name));
  }

  /** The members, in no particular order. */
  members(): Member[] {
    return [...this.#members.values()];
  }

  /**
   * Puts a member in the room. `deliverState` gets the room's state (members,
   * topic, history or catch-up) as soon as it is read from the log; records
   * relayed meanwhile follow it. A member whose name is already in the room
   * takes that place silently (a connection taking its name back); otherwise
   * everyone hears the join.
   *
   * The member is in the room from here until it releases the membership,
   * so no way of failing can leave one behind.
   */
  join(
    member: Member,
    request: RoomJoinRequest,
    deliverState: (state: RoomState) => void,
  ): RoomMembership {
    const key = nameKey(member.name);
    const previous = this.#members.get(key);
    if (previous) {
      this.#pending.delete(previous);
      this.#order.remove(previous.name);
    }
    this.#members.set(key, member);
    this.#order.add(member.name);
    const waiting: Outgoing[] = [];
    this.#pending.set(member, waiting);
    // A big room's newcomer gets the count, not ten thousand names: /who lists them.
    const big = this.size > this.#threshold;
    const members = big ? [member.name] : this.names();
    const count = big ? { count: this.size } : {};
    const topic = this.#topic;
    void this.#state(request).then((state) => {
      if (this.#pending.get(member) !== waiting) return; // gone (or replaced) meanwhile
      this.#pending.delete(member);
      // A shared log knows the other servers' members and topic once read: as of then.
      const shared = this.#log.members !== undefined;
      const listed = shared && !big ? this.names() : members;
      const told = shared ? this.#topic : topic;
      deliverState({
        room: this.name,
        ...(told ? { topic: told } : {}),
        members: listed,
        ...count,
        ...state,
      });
      const seen = state.lastId ?? lastIdOf(state.history);
      for (const out of waiting) {
        if ((out.frame as { id?: number }).id === undefined || recordId(out) > seen) {
          member.deliver(out);
        }
      }
    }, () => {
      // The log could not be read: the member can't be welcomed, and must not wait forever.
      if (this.#pending.get(member) !== waiting) return;
      this.#pending.delete(member);
      member.disconnect(
        "room_unavailable",
        "This room's history could not be read; reconnect to try again.",
      );
    });
    if (!previous && !this.#gather("joined", member.name)) {
      this.#broadcast({ type: "join", name: member.name, count: this.size });
    }
    this.#options.onChange?.(this);
    return this.#membership(member, key, request.viewer);
  }

  /**
   * A member's hold on its place here. Made apart from `join`, so that it
   * keeps only these three for as long as the member stays, not what the join
   * needed (its request, the member list, the state callback).
   */
  #membership(member: Member, key: string, viewer: string | undefined): RoomMembership {
    let oldKey = key;
    return {
      room: this,
      leave: (reason, kind) => this.#leave(member, reason, kind),
      forget: () => void this.#remove(member),
      page: (frame) => this.#page(frame, viewer),
      renamed: (oldName) => {
        if (this.#members.get(oldKey) !== member) return;
        this.#members.delete(oldKey);
        oldKey = nameKey(member.name);
        this.#members.set(oldKey, member);
        this.#order.remove(oldName);
        this.#order.add(member.name);
        this.#broadcast({ type: "nick", from: oldName, to: member.name });
      },
    };
  }

  /** Relays a message (or `/me` action) to everyone in the room, the sender included. */
  say(member: Member, text: string, emote = false): void {
    if (!this.#contains(member)) return;
    this.#broadcast(
      emote
        ? { type: "message", from: member.name, text, emote: true }
        : { type: "message", from: member.name, text },
      member,
    );
    this.#options.onChange?.(this);
  }

  /** Posts the record of a file a member shared (files/file_service.ts) to everyone in the room. */
  shareFile(member: Member, file: Pick<FileRecord, "name" | "size" | "mime" | "url">): void {
    if (!this.#contains(member)) return;
    this.#broadcast({ type: "file", from: member.name, ...file });
    this.#options.onChange?.(this);
  }

  /** Announces something to the room on behalf of the server, or of `by`. */
  notice(text: string, by?: "operator"): void {
    this.#broadcast(by ? { type: "notice", text, by } : { type: "notice", text });
  }

  /** Sets (or, with an empty text, clears) the topic and announces who did. */
  setTopic(text: string, by: string): void {
    this.#topic = text === "" ? undefined : text;
    this.#options.onChange?.(this); // first: other servers have the topic when they see the notice
    this.notice(text === "" ? `${by} cleared the topic.` : `${by} set the topic: ${text}`);
  }

  /** Sends a frame to every member (not logged: presence lists, room-wide info). */
  tell(frame: ServerFrame): void {
    const out = new Outgoing(frame);
    for (const member of this.#members.values()) this.#deliver(member, out);
  }

  get #threshold(): number {
    return this.#options.presence?.threshold ?? PRESENCE_THRESHOLD;
  }

  /**
   * In a big room (or while a gathering is under way), adds a join or leave
   * to the next `presence` record instead of announcing it alone; says whether it did.
   */
  #gather(kind: "joined" | "left", name: string): boolean {
    if (this.#gathered === undefined && this.size <= this.#threshold) return false;
    if (this.#gathered === undefined) {
      const gathering: { joined: string[]; left: string[] } = { joined: [], left: [] };
      this.#gathered = gathering;
      const { intervalMs = PRESENCE_INTERVAL_MS, schedule } = this.#options.presence ?? {};
      // Announced early (a kick), this gathering is over: a later one keeps its own time.
      const flush = () => {
        if (this.#gathered === gathering) this.#announceGathered();
      };
      if (schedule) schedule(flush, intervalMs);
      else this.#gatherTimer = setTimeout(flush, intervalMs);
    }
    this.#gathered[kind].push(name);
    return true;
  }

  /** Announces what was gathered so far, if anything, and ends the gathering. */
  #announceGathered(): void {
    const gathered = this.#gathered;
    this.#gathered = undefined;
    clearTimeout(this.#gatherTimer);
    this.#gatherTimer = undefined;
    if (!gathered) return;
    this.#broadcast({ type: "presence", ...gathered, count: this.size });
  }

  #contains(member: Member): boolean {
    return this.#members.get(nameKey(member.name)) === member;
  }

  /**
   * Removes a member and announces it once, saying whose `reason` it is (`kind`).
   * Does nothing if it is not (or no longer) in the room.
   */
  #leave(member: Member, reason?: string, kind: LeaveKind = "disconnected"): void {
    if (!this.#remove(member)) return;
    // Even a big room announces a kick or ban on its own, with the server's
    // reason, after what it gathered before it: members see who was put out.
    if (kind === "kicked" || kind === "banned") this.#announceGathered();
    else if (this.#gather("left", member.name)) return;
    this.#broadcast({ type: "leave", name: member.name, count: this.size, kind, reason });
  }

  #remove(member: Member): boolean {
    if (!this.#contains(member)) return false;
    this.#members.delete(nameKey(member.name));
    this.#order.remove(member.name);
    this.#pending.delete(member);
    return true;
  }

  /** The history part of a member's state: a catch-up after `since`, or recent messages. */
  async #state(request: RoomJoinRequest): Promise<Omit<RoomState, "room" | "members">> {
    const { historyOnJoin, pageRecords, pageBytes } = this.#options;
    const lastId = await this.#log.lastId();
    const since = request.since;
    if (since !== undefined && since >= 0 && since <= lastId) {
      // The first page of the catch-up; the client asks for the rest, up to `lastId`.
      const found = await this.#log.page({ after: since, limit: pageRecords }, request.viewer);
      const upTo = found.records.filter((record) => record.id <= lastId);
      const { records, cut } = fitToBytes(upTo.map(this.#inRoom), pageBytes, "oldest");
      return {
        history: records,
        catchUp: true,
        more: (found.more && upTo.length === found.records.length) || cut,
        lastId,
        ...(found.gap ? { gap: true } : {}),
      };
    }
    const recent = (await this.#log.recent(historyOnJoin, request.viewer))
      .filter((record) => record.id <= lastId).map(this.#inRoom);
    const own = (await request.own) ?? [];
    return {
      history: [...fitToBytes(recent, pageBytes, "newest").records, ...own],
      catchUp: false,
      lastId,
    };
  }

  /** A page of history for a member, bounded in records and bytes. */
  async #page(request: HistoryFrame, viewer: string | undefined): Promise<PageFrame> {
    const page = await readPage(this.#log, request, viewer, this.#options, this.#inRoom);
    return { type: "page", room: this.name, ...page };
  }

  /** A stored record as sent: with its room (records kept before rooms existed have none). */
  #inRoom = (record: RoomRecord): RoomRecord =>
    record.room === this.name ? record : { ...record, room: this.name };

  /** Stores a record; `from` (who said it) hears if it could not be stored, and so was not sent. */
  #broadcast(fields: NewRecord, from?: Member): void {
    if (this.#closed) return; // its log is gone: a record now would land in a new room's
    const stored = this.#log.append({ ...fields, room: this.name } as NewRecord);
    if (this.#log.follow) {
      // A shared log relays the record when it comes back, in the order all servers see.
      Promise.resolve(stored).catch(() => from?.deliver(new Outgoing(NOT_SENT)));
      return;
    }
    this.#tail = afterAppend(this.#tail, stored, (record) => this.#relay(record));
  }

  #relay(record: RoomRecord): void {
    this.#options.onRecord?.(record, this);
    const out = new Outgoing(record as ServerFrame, true);
    for (const member of this.#members.values()) this.#deliver(member, out);
  }

  #deliver(member: Member, out: Outgoing): void {
    const waiting = this.#pending.get(member);
    if (waiting) waiting.push(out);
    else member.deliver(out);
  }
}

/** Told to whoever spoke when the shared log could not store their message: it went to nobody. */
const NOT_SENT: ServerFrame = {
  type: "error",
  code: "not_sent",
  message: "Your message was not sent: the chat's storage cannot be reached right now. " +
    "Send it again in a moment.",
};

function lastIdOf(records: RoomRecord[]): number {
  return records.length === 0 ? 0 : records[records.length - 1].id;
}

function recordId(out: Outgoing): number {
  return (out.frame as { id: number }).id;
}

/** The refusal for a name that is not on the server. */
export function noSuchMember(name: string) {
  return {
    code: "no_such_member" as const,
    message: `Nobody called "${name}" is here. /who lists members.`,
  };
}
