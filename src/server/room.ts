/**
 * The chat room: who is in it, what they say, and what was said before. The
 * room knows nothing about sockets — a member is anything that can take
 * delivery of a frame — so it can be tested without I/O and any transport can
 * adapt a connection to it.
 *
 * @module
 */

import { PROTOCOL_VERSION } from "../protocol/constants.ts";
import type { ByeCode, Refusal } from "../protocol/errors.ts";
import type { RoomRecord, ServerFrame, WelcomeFrame } from "../protocol/frames.ts";
import { checkName, nameKey } from "../protocol/names.ts";
import type { HistoryStore } from "./history.ts";
import { Outgoing } from "./outgoing.ts";

/** Anything that can be in the room. The room sets `name` when it admits or renames the member. */
export interface Member {
  /** Current name; assigned by the room. */
  name: string;
  /** Queues a frame for this member. Must not throw and must not block. */
  deliver(out: Outgoing): void;
  /**
   * Asks the member's transport to close: `message` is for the member, `leaveReason`
   * for the room (kick, session taken over).
   */
  disconnect(code: ByeCode, message: string, leaveReason?: string): void;
}

/** What a member asks for when joining. */
export interface JoinRequest {
  name: string;
  /** Session token from an earlier welcome. */
  resume?: string;
  /** Last record id the member saw. */
  since?: number;
  /** The room `since` refers to; `since` counts only if it is this room. */
  room?: string;
}

/** Settings of a room. */
export interface RoomOptions {
  history: HistoryStore;
  /** How many earlier messages a newcomer sees. */
  historyOnJoin: number;
  /** Most records sent on catch-up after a reconnect. */
  catchUpLimit: number;
  /** Limits announced to clients in the welcome. */
  clientLimits: WelcomeFrame["limits"];
  motd?: string;
  /** Called with every record after it is stored (for the server log). */
  onRecord?: (record: RoomRecord) => void;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

/** Distributive omit, so each record type keeps its own fields. */
type NewRecord = RoomRecord extends infer R ? R extends RoomRecord ? Omit<R, "id" | "ts"> : never
  : never;

/** Members, broadcast and history of one chat room. */
export class Room {
  readonly #options: RoomOptions;
  readonly #members = new Map<string, Member>();
  /** Last session token issued per name key; presenting it proves you held the name. */
  readonly #tokens = new Map<string, string>();
  readonly #now: () => number;
  #lastId: number;

  /** Creates a room continuing the ids of `options.history`. */
  constructor(options: RoomOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#lastId = options.history.lastId();
  }

  /** Number of members. */
  get size(): number {
    return this.#members.size;
  }

  /** Id of the latest record. */
  get lastId(): number {
    return this.#lastId;
  }

  /** Member names, sorted case-insensitively. */
  names(): string[] {
    return [...this.#members.values()].map((m) => m.name).sort((a, b) =>
      nameKey(a).localeCompare(nameKey(b))
    );
  }

  /** Every member (for the server's shutdown and operator commands). */
  members(): Member[] {
    return [...this.#members.values()];
  }

  /** The member with this name (case-insensitive), if present. */
  find(name: string): Member | undefined {
    return this.#members.get(nameKey(name));
  }

  /** True when `member` is in the room. */
  contains(member: Member): boolean {
    return this.#members.get(nameKey(member.name)) === member;
  }

  /**
   * Admits a member: validates and reserves the name, delivers the welcome,
   * then announces the join. A member presenting the token of a session that
   * still holds the name takes that session over silently. Returns a refusal
   * when the name is invalid or taken.
   */
  join(member: Member, request: JoinRequest): Refusal | undefined {
    const checked = checkName(request.name);
    if ("code" in checked) return checked;
    const key = nameKey(checked.name);
    const provenOwner = request.resume !== undefined && this.#tokens.get(key) === request.resume;
    const holder = this.#members.get(key);
    if (holder && !provenOwner) {
      return {
        code: "name_taken",
        message: `Someone here is already called "${holder.name}". Pick another name.`,
      };
    }
    const session = crypto.randomUUID();
    this.#tokens.set(key, session);
    this.#members.set(key, member);
    member.name = checked.name;
    member.deliver(new Outgoing(this.#welcome(checked.name, session, request, provenOwner)));
    if (holder) {
      holder.disconnect("replaced", "This name was taken over by a new connection (yours?).");
    } else {
      this.#broadcast({ type: "join", name: checked.name, count: this.#members.size });
    }
    return undefined;
  }

  /** Removes a member and announces it once. Does nothing if it is not (or no longer) in the room. */
  leave(member: Member, reason?: string): void {
    if (!this.contains(member)) return;
    this.#members.delete(nameKey(member.name));
    this.#broadcast({ type: "leave", name: member.name, count: this.#members.size, reason });
  }

  /** Removes a member without any announcement (server shutdown). */
  forget(member: Member): void {
    if (this.contains(member)) this.#members.delete(nameKey(member.name));
  }

  /** Relays a message (or `/me` action) to everyone, the sender included. */
  say(member: Member, text: string, emote = false): void {
    this.#broadcast(
      emote
        ? { type: "message", from: member.name, text, emote: true }
        : { type: "message", from: member.name, text },
    );
  }

  /** Sends a private message to one member; the sender gets a copy. */
  whisper(member: Member, to: string, text: string): Refusal | undefined {
    const recipient = this.find(to);
    if (!recipient) return noSuchMember(to);
    const out = this.#record({ type: "private", from: member.name, to: recipient.name, text });
    recipient.deliver(out);
    if (recipient !== member) member.deliver(out);
    return undefined;
  }

  /** Renames a member and announces it; refuses invalid or taken names. */
  rename(member: Member, requested: string): Refusal | undefined {
    const checked = checkName(requested);
    if ("code" in checked) return checked;
    const oldName = member.name;
    const oldKey = nameKey(oldName);
    const newKey = nameKey(checked.name);
    if (checked.name === oldName) {
      return { code: "bad_arguments", message: `You are already called "${oldName}".` };
    }
    if (newKey !== oldKey && this.#members.has(newKey)) {
      return {
        code: "name_taken",
        message: `Someone here is already called "${checked.name}". Pick another name.`,
      };
    }
    this.#members.delete(oldKey);
    this.#members.set(newKey, member);
    const token = this.#tokens.get(oldKey);
    if (token !== undefined) this.#tokens.set(newKey, token);
    member.name = checked.name;
    this.#broadcast({ type: "nick", from: oldName, to: checked.name });
    return undefined;
  }

  /** Announces something to the whole room on behalf of the server. */
  notice(text: string): void {
    this.#broadcast({ type: "notice", text });
  }

  #welcome(
    name: string,
    session: string,
    request: JoinRequest,
    provenOwner: boolean,
  ): WelcomeFrame {
    const { history, historyOnJoin, catchUpLimit, clientLimits, motd } = this.#options;
    // Private messages are only replayed to whoever proves they held the name.
    const viewer = provenOwner ? name : undefined;
    const base = {
      type: "welcome" as const,
      version: PROTOCOL_VERSION,
      name,
      members: this.names(),
      session,
      room: history.roomId(),
      limits: clientLimits,
      ...(motd ? { motd } : {}),
    };
    const sameRoom = request.room === history.roomId() && request.since !== undefined &&
      request.since >= 0 && request.since <= this.#lastId;
    if (sameRoom) {
      const { records, gap } = history.since(request.since!, viewer, catchUpLimit);
      return { ...base, history: records, catchUp: true, ...(gap ? { gap } : {}) };
    }
    return { ...base, history: history.recent(historyOnJoin, viewer), catchUp: false };
  }

  #record(fields: NewRecord): Outgoing {
    const { type, ...rest } = fields;
    const record = { type, id: ++this.#lastId, ts: this.#now(), ...rest } as RoomRecord;
    this.#options.history.append(record);
    this.#options.onRecord?.(record);
    return new Outgoing(record as ServerFrame);
  }

  #broadcast(fields: NewRecord): void {
    const out = this.#record(fields);
    for (const member of this.#members.values()) member.deliver(out);
  }
}

/** The refusal for a name that is not in the room. */
export function noSuchMember(name: string): Refusal {
  return {
    code: "no_such_member",
    message: `Nobody called "${name}" is here. /who lists members.`,
  };
}
