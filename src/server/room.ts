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
import type {
  HistoryFrame,
  PageFrame,
  PrivateRecord,
  RoomRecord,
  ServerFrame,
  WelcomeFrame,
} from "../protocol/frames.ts";
import type { LeaveKind } from "../protocol/leave.ts";
import { checkName, nameKey } from "../protocol/names.ts";
import type { PrivateAudience } from "./history.ts";
import { fitToBytes } from "./history_pages.ts";
import { mailboxRefusal } from "./mailbox.ts";
import { NameOrder } from "./name_order.ts";
import { isClaimFresh, isClaimUsed, type NameClaim, newClaim } from "./name_claims.ts";
import { lookAlikeRefusal } from "./look_alikes.ts";
import { CLAIM_TTL_MS } from "../protocol/limits.ts";
import { Outgoing } from "./outgoing.ts";
import type { RoomStore } from "./room_store.ts";

/** Anything that can be in the room. The room sets `name` when it admits or renames the member. */
export interface Member {
  /** Current name; assigned by the room. */
  name: string;
  /** The text of `/away`, while the member is marked away. */
  away?: string;
  /** Queues a frame for this member. Must not throw and must not block. */
  deliver(out: Outgoing): void;
  /**
   * Asks the member's transport to close: `message` is for the member, `leaveReason`
   * for the room (kick, session taken over).
   */
  disconnect(code: ByeCode, message: string, leaveReason?: string): void;
}

/**
 * A member's place in the room, handed out by {@linkcode Room.join}: the only
 * way out of the room. Whoever holds it must release it (`leave` or `forget`)
 * when the member's connection ends, whatever ended it; releasing twice, or
 * after a takeover gave the name to a new connection, does nothing.
 */
export interface Membership {
  /** Leaves the room; everyone hears it once, with `reason` and whose words it is (`kind`). */
  leave(reason?: string, kind?: LeaveKind): void;
  /** Leaves without any announcement (server shutdown). */
  forget(): void;
  /** One page of the history this member may see (private records only for their audience). */
  page(request: HistoryFrame): PageFrame;
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
  /**
   * False for clients that can't present a token later (plain text): no
   * private messages are kept for them while they are away.
   */
  canResume?: boolean;
  /** False: a name proven by `resume` but held by a live connection is refused, not taken over. */
  takeOver?: boolean;
}

/** Settings of a room. */
export interface RoomOptions {
  /** History, name claims and waiting private messages. */
  store: RoomStore;
  /** How many earlier messages a newcomer sees. */
  historyOnJoin: number;
  /** Most records in one page of history (the welcome's history is one page). */
  pageRecords: number;
  /**
   * Most bytes of records in one page, well below a connection's queue bound
   * (history_pages.ts), so no welcome or page ever makes a reader look slow.
   */
  pageBytes: number;
  /** Limits announced to clients in the welcome. */
  clientLimits: WelcomeFrame["limits"];
  motd?: string;
  /** Called with every record after it is stored (for the server log). */
  onRecord?: (record: RoomRecord) => void;
}

/** Distributive omit, so each record type keeps its own fields. */
type NewRecord = RoomRecord extends infer R ? R extends RoomRecord ? Omit<R, "id" | "ts"> : never
  : never;

/** Members, broadcast and history of one chat room. */
export class Room {
  readonly #options: RoomOptions;
  readonly #members = new Map<string, Member>();
  readonly #order = new NameOrder();
  /** The claim each present member holds its name by. */
  readonly #claims = new Map<Member, NameClaim>();
  /** How each present member has used its name, to tell a real claim from a throwaway. */
  readonly #use = new Map<Member, { spoke: boolean; resumed: boolean; joinedAt: number }>();
  readonly #store: RoomStore;
  #lastId: number;

  /** Creates a room continuing the ids of `options.store.history`. */
  constructor(options: RoomOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#lastId = options.store.history.lastId();
  }

  /** Number of members. */
  get size(): number {
    return this.#members.size;
  }

  /** Member names, sorted case-insensitively. */
  names(): string[] {
    return this.#order.names();
  }

  /** The member with this name (case-insensitive), if present. */
  find(name: string): Member | undefined {
    return this.#members.get(nameKey(name));
  }

  /** True when `member` is in the room. */
  #contains(member: Member): boolean {
    return this.#members.get(nameKey(member.name)) === member;
  }

  /**
   * Admits a member: validates and reserves the name, delivers the welcome,
   * then announces the join. A member presenting the token of the name's
   * holder takes the name back: a connection still holding it is replaced
   * silently, and private messages kept while it was away are handed over.
   * Returns the member's {@linkcode Membership}, or a refusal when the name
   * is invalid or taken.
   *
   * The member is in the room from here until it releases the membership:
   * even when delivering the welcome ends the member's connection, it gets
   * the membership, and its own exit path (which every ending goes through)
   * takes it out. So no way of failing can leave a member behind.
   */
  join(member: Member, request: JoinRequest): Membership | Refusal {
    const checked = checkName(request.name);
    if ("code" in checked) return checked;
    const key = nameKey(checked.name);
    const now = Date.now();
    const holder = this.#members.get(key);
    const presented = request.resume === undefined
      ? undefined
      : this.#store.claims.byToken(request.resume);
    const proven = presented !== undefined && nameKey(presented.name) === key &&
      (holder
        ? this.#claims.get(holder)?.holder === presented.holder
        : isClaimFresh(presented, now));
    if (holder && proven && request.takeOver === false) {
      return {
        code: "name_open",
        message: `${holder.name} is open in another window.`,
      };
    }
    if (holder && !proven) {
      return {
        code: "name_taken",
        message: `Someone here is already called "${holder.name}". Pick another name.`,
      };
    }
    const lookAlike = this.#lookAlike(checked.name, proven ? presented : undefined);
    if (lookAlike) return lookAlike;
    const claim = proven
      ? { ...presented, name: checked.name, seenAt: now }
      : newClaim(checked.name, now, request.canResume !== false);
    this.#store.claims.save(claim);
    if (holder) this.#claims.delete(holder);
    if (holder) this.#use.delete(holder);
    this.#members.set(key, member);
    this.#claims.set(member, claim);
    this.#use.set(member, { spoke: false, resumed: proven, joinedAt: now });
    if (holder) this.#order.remove(holder.name);
    member.name = checked.name;
    this.#order.add(member.name);
    const held = proven ? this.#store.mailbox.take(claim.holder) : [];
    member.deliver(new Outgoing(this.#welcome(checked.name, claim, request, held)));
    if (held.length > 0) member.deliver(new Outgoing({ type: "info", text: heldNotice(held) }));
    if (holder) {
      holder.disconnect("replaced", "This name was taken over by a new connection (yours?).");
    } else {
      this.#broadcast({ type: "join", name: checked.name, count: this.#members.size });
    }
    return {
      leave: (reason, kind) => this.#leave(member, reason, kind),
      forget: () => void this.#remove(member),
      page: (request) => this.#page(member, request),
    };
  }

  /**
   * Removes a member and announces it once, saying whose `reason` it is (`kind`).
   * Does nothing if it is not (or no longer) in the room.
   */
  #leave(member: Member, reason?: string, kind: LeaveKind = "disconnected"): void {
    if (!this.#remove(member)) return;
    this.#broadcast({ type: "leave", name: member.name, count: this.#members.size, kind, reason });
  }

  /** A page of history for `member`, bounded in records and bytes. */
  #page(member: Member, request: HistoryFrame): PageFrame {
    const { pageRecords, pageBytes } = this.#options;
    const viewer = this.#claims.get(member)?.holder;
    const limit = Math.max(1, Math.min(pageRecords, Math.floor(request.limit ?? pageRecords)));
    if (request.after !== undefined) {
      const found = this.#store.history.page({ after: request.after, limit }, viewer);
      const fitted = fitToBytes(found.records, pageBytes, "oldest");
      return {
        type: "page",
        records: fitted.records,
        after: request.after,
        more: found.more || fitted.cut,
      };
    }
    const before = request.before ?? this.#lastId + 1;
    const found = this.#store.history.page({ before, limit }, viewer);
    const fitted = fitToBytes(found.records, pageBytes, "newest");
    return { type: "page", records: fitted.records, before, more: found.more || fitted.cut };
  }

  /** Relays a message (or `/me` action) to everyone, the sender included. */
  say(member: Member, text: string, emote = false): void {
    this.#markSpoke(member);
    this.#broadcast(
      emote
        ? { type: "message", from: member.name, text, emote: true }
        : { type: "message", from: member.name, text },
    );
  }

  /**
   * Sends a private message; the sender gets a copy. To someone who is away
   * (but held the name within the claim lifetime) it is kept and handed over
   * when they come back with their token; the sender is told so.
   */
  whisper(member: Member, to: string, text: string): Refusal | undefined {
    const from = this.#claims.get(member);
    if (!from) return undefined;
    this.#markSpoke(member);
    const recipient = this.find(to);
    if (recipient) {
      const audience = { fromHolder: from.holder, toHolder: this.#claims.get(recipient)!.holder };
      const out = this.#record(
        { type: "private", from: member.name, to: recipient.name, text },
        audience,
      );
      this.#markSpoke(recipient); // their claim now guards private history
      recipient.deliver(out);
      if (recipient !== member) member.deliver(out);
      return undefined;
    }
    const absent = this.#store.claims.latest(nameKey(to));
    if (!absent || !isClaimFresh(absent, Date.now())) {
      return {
        code: "no_such_member",
        message:
          `Nobody called "${to}" is here or was here in the last ${ttlDays()} days. /who lists members.`,
      };
    }
    if (!absent.canResume) {
      return {
        code: "no_such_member",
        message:
          `${absent.name} is not here, and their client can't receive messages kept for later.`,
      };
    }
    const full = mailboxRefusal(this.#store.mailbox, absent, from.holder);
    if (full) return full;
    const audience = { fromHolder: from.holder, toHolder: absent.holder };
    const out = this.#record(
      { type: "private", from: member.name, to: absent.name, text },
      audience,
    );
    this.#store.mailbox.hold(absent.holder, out.frame as PrivateRecord, from.holder);
    member.deliver(out);
    member.deliver(
      new Outgoing({
        type: "info",
        text:
          `${absent.name} is not here now; they will get your message when they next join (it is kept for ${ttlDays()} days).`,
      }),
    );
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
    const lookAlike = this.#lookAlike(checked.name, this.#claims.get(member));
    if (lookAlike) return lookAlike;
    this.#members.delete(oldKey);
    this.#members.set(newKey, member);
    this.#order.remove(oldName);
    this.#order.add(checked.name);
    const claim = this.#claims.get(member);
    if (claim) {
      const renamed = { ...claim, name: checked.name };
      this.#claims.set(member, renamed);
      this.#store.claims.save(renamed);
    }
    member.name = checked.name;
    this.#broadcast({ type: "nick", from: oldName, to: checked.name });
    return undefined;
  }

  /** Announces something to the whole room on behalf of the server, or of `by`. */
  notice(text: string, by?: "operator"): void {
    this.#broadcast(by ? { type: "notice", text, by } : { type: "notice", text });
  }

  /** Refuses a name that looks like a present member's or a claimed one (look_alikes.ts). */
  #lookAlike(name: string, own: NameClaim | undefined): Refusal | undefined {
    const presentName = (other: string) => this.find(other)?.name;
    return lookAlikeRefusal(name, {
      presentName,
      claims: this.#store.claims,
      own,
      now: Date.now(),
    });
  }

  /** Takes a member out of the room, remembering when its holder was last here. */
  #remove(member: Member): boolean {
    if (!this.#contains(member)) return false;
    this.#members.delete(nameKey(member.name));
    this.#order.remove(member.name);
    const claim = this.#claims.get(member);
    this.#claims.delete(member);
    const use = this.#use.get(member);
    this.#use.delete(member);
    const now = Date.now();
    if (claim && use && !isClaimUsed(use, now)) this.#store.claims.forget(claim.holder);
    else if (claim) this.#store.claims.save({ ...claim, seenAt: now });
    return true;
  }

  #markSpoke(member: Member): void {
    const use = this.#use.get(member);
    if (use) use.spoke = true;
  }

  #welcome(
    name: string,
    claim: NameClaim,
    request: JoinRequest,
    held: PrivateRecord[],
  ): WelcomeFrame {
    const { historyOnJoin, pageRecords, pageBytes, clientLimits, motd } = this.#options;
    const history = this.#store.history;
    // Private messages are only shown to their sender's and recipient's holders.
    const viewer = claim.holder;
    const base = {
      type: "welcome" as const,
      version: PROTOCOL_VERSION,
      name,
      members: this.names(),
      session: claim.token ?? "",
      room: history.roomId(),
      limits: clientLimits,
      ...(motd ? { motd } : {}),
    };
    const sameRoom = request.room === history.roomId() && request.since !== undefined &&
      request.since >= 0 && request.since <= this.#lastId;
    if (sameRoom) {
      // The first page of the catch-up; the client asks for the rest, up to `lastId`.
      const found = history.page({ after: request.since!, limit: pageRecords }, viewer);
      const { records, cut } = fitToBytes(found.records, pageBytes, "oldest");
      const more = found.more || cut;
      // Held messages newer than this page come with a later one (they are history too).
      const upTo = more ? records[records.length - 1].id : Infinity;
      return {
        ...base,
        history: mergeById(records, held.filter((record) => record.id <= upTo)),
        catchUp: true,
        more,
        lastId: this.#lastId,
        ...(found.gap ? { gap: true } : {}),
      };
    }
    const recent = fitToBytes(history.recent(historyOnJoin, viewer), pageBytes, "newest").records;
    return { ...base, history: mergeById(recent, held), catchUp: false };
  }

  #record(fields: NewRecord, audience?: PrivateAudience, broadcast = false): Outgoing {
    const { type, ...rest } = fields;
    const record = { type, id: ++this.#lastId, ts: Date.now(), ...rest } as RoomRecord;
    this.#store.history.append(record, audience);
    this.#options.onRecord?.(record);
    return new Outgoing(record as ServerFrame, broadcast);
  }

  #broadcast(fields: NewRecord): void {
    const out = this.#record(fields, undefined, true);
    for (const member of this.#members.values()) member.deliver(out);
  }
}

/** Records in id order without repeats: history plus held private messages it may already hold. */
function mergeById(records: RoomRecord[], extra: RoomRecord[]): RoomRecord[] {
  if (extra.length === 0) return records;
  const byId = new Map<number, RoomRecord>();
  for (const record of [...records, ...extra]) byId.set(record.id, record);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** "While you were away, alice and bob sent you 3 private messages …" */
function heldNotice(held: PrivateRecord[]): string {
  const senders = [...new Set(held.map((record) => record.from))];
  const who = senders.length === 1
    ? senders[0]
    : `${senders.slice(0, -1).join(", ")} and ${senders[senders.length - 1]}`;
  const count = held.length === 1 ? "a private message" : `${held.length} private messages`;
  return `While you were away, ${who} sent you ${count} (shown above).`;
}

function ttlDays(): number {
  return Math.round(CLAIM_TTL_MS / (24 * 60 * 60 * 1000));
}

/** The refusal for a name that is not in the room. */
export function noSuchMember(name: string): Refusal {
  return {
    code: "no_such_member",
    message: `Nobody called "${name}" is here. /who lists members.`,
  };
}
