/**
 * The people on a server, whatever rooms they are in: each admitted
 * connection is a {@linkcode Client} with a name unique on the whole server,
 * the claim that name is held by (its resume token), the private messages
 * kept while they were away, and the rooms they are in. Private messages are
 * between clients, not rooms: they are logged in a log of their own (ids
 * from it, no room) and reach their sender and recipient wherever they are.
 *
 * @module
 */

import type { Refusal } from "../../protocol/errors.ts";
import type {
  FileRecord,
  HistoryFrame,
  PageFrame,
  PrivateRecord,
  RoomRecord,
} from "../../protocol/frames.ts";
import { readPage } from "../history_pages.ts";
import { checkName, nameKey } from "../../protocol/names.ts";
import { CLAIM_TTL_MS } from "../../protocol/limits.ts";
import { lookAlikeRefusal } from "../look_alikes.ts";
import { mailboxRefusal } from "../mailbox.ts";
import { isClaimFresh, isClaimUsed, type NameClaim, newClaim } from "../name_claims.ts";
import { Outgoing } from "../outgoing.ts";
import type { Member, RoomMembership } from "../room.ts";
import type { RoomStore } from "../room_store.ts";
import { afterAppend, RecipientAway, type RoomLog } from "./room_log.ts";
import type { ClientRooms } from "./client_rooms.ts";

/** The key the private messages' log is kept under: not a room name, so no room can have it. */
export const PRIVATE_LOG = "@private";

/** What a connection asks for when it arrives. */
export interface AdmitRequest {
  name: string;
  /** Session token from an earlier welcome. */
  resume?: string;
  /** False for clients that can't present a token later (plain text): nothing is kept for them. */
  canResume?: boolean;
  /** False: a name proven by `resume` but held by a live connection is refused, not taken over. */
  takeOver?: boolean;
}

/** One person on the server, for as long as their connection lasts. */
export class Client {
  /** The connection. */
  readonly member: Member;
  /** The rooms this client is in, by room key, in the order joined. */
  readonly rooms = new Map<string, RoomMembership>();
  /** The claim the name is held by (holder, token). */
  claim: NameClaim;
  /** True when the name was taken back with its token. */
  readonly resumed: boolean;
  /**
   * Private messages kept while the client was away, handed over on arrival;
   * they stay in the mailbox until written to the connection ({@linkcode ClientRegistry.handedOver}).
   */
  readonly held: PrivateRecord[];
  /**
   * The connection that held the name until this one took it back with its
   * token; told so once this one has taken its place in the rooms.
   */
  replaced: Client | undefined;
  /** What moves this client between rooms (set once it is admitted). */
  owner: ClientRooms | undefined;
  readonly #joinedAt: number;
  #spoke = false;

  constructor(
    member: Member,
    claim: NameClaim,
    resumed: boolean,
    held: PrivateRecord[],
    now: number,
  ) {
    this.member = member;
    this.claim = claim;
    this.resumed = resumed;
    this.held = held;
    this.#joinedAt = now;
  }

  /** The client's name. */
  get name(): string {
    return this.member.name;
  }

  /** The holder id private messages are visible to. */
  get holder(): string {
    return this.claim.holder;
  }

  /** Notes that the client used its name (spoke, or was spoken to privately). */
  spoke(): void {
    this.#spoke = true;
  }

  /** True when the claim is worth keeping after the client goes (see name_claims.ts). */
  used(now: number): boolean {
    return isClaimUsed(
      { spoke: this.#spoke, resumed: this.resumed, joinedAt: this.#joinedAt },
      now,
    );
  }
}

/** Settings of a {@linkcode ClientRegistry}. */
export interface ClientRegistryOptions {
  /** Claims and mailbox. */
  store: RoomStore;
  /** The log private messages are kept in. */
  privateLog: RoomLog;
  now?: () => number;
  /** The other nodes' clients, when several nodes share one chat (cluster/). */
  otherNodes?: OtherNodes;
}

/** Names held by clients of other nodes: a name is unique across all of them. */
export interface OtherNodes {
  /** Who holds this name ({@linkcode nameKey}) on another node, if anyone. */
  holderOf(key: string): { name: string; holder: string } | undefined;
  /** This node's client now holds the name (admitted, or renamed to it). */
  hold(client: Client): void;
  /** This node's client no longer holds the name `name`. */
  release(client: Client, name: string): void;
}

/** Every client on the server, by name. */
export class ClientRegistry {
  readonly #clients = new Map<string, Client>();
  readonly #store: RoomStore;
  readonly #privateLog: RoomLog;
  readonly #now: () => number;
  /** Private messages stored but not yet delivered, when the log answers later. */
  #tail: Promise<void> | undefined;
  /**
   * Kept private messages (by id) on their way to a connection: no other
   * connection is handed them meanwhile, so none is delivered twice.
   */
  readonly #inFlight = new Map<number, Client>();
  readonly #others: OtherNodes | undefined;

  constructor(options: ClientRegistryOptions) {
    this.#store = options.store;
    this.#privateLog = options.privateLog;
    this.#now = options.now ?? Date.now;
    this.#others = options.otherNodes;
    this.#privateLog.follow?.((record) => this.#relayPrivate(record as PrivateRecord));
  }

  /** Number of clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** The client with this name (case-insensitive), if present. */
  find(name: string): Client | undefined {
    return this.#clients.get(nameKey(name));
  }

  /** Every client. */
  all(): IterableIterator<Client> {
    return this.#clients.values();
  }

  /**
   * Admits a connection under a name, unique on the whole server. Presenting
   * the token of the name's holder takes the name back: a connection still
   * holding it is told it was replaced (its rooms pass to the new one as it
   * enters them, silently), and private messages kept meanwhile are handed
   * over in {@linkcode Client.held}. Refuses invalid, taken and look-alike names.
   */
  admit(member: Member, request: AdmitRequest): Client | Refusal {
    const checked = checkName(request.name);
    if ("code" in checked) return checked;
    const key = nameKey(checked.name);
    const now = this.#now();
    const holder = this.#clients.get(key) ?? this.#others?.holderOf(key);
    const presented = request.resume === undefined
      ? undefined
      : this.#store.claims.byToken(request.resume);
    const proven = presented !== undefined && nameKey(presented.name) === key &&
      (holder ? holder.holder === presented.holder : isClaimFresh(presented, now));
    if (holder && proven && request.takeOver === false) {
      return {
        code: "name_open",
        message: `${holder.name} is open in another window.`,
      };
    }
    if (holder && !proven) return nameTaken(holder.name);
    const lookAlike = this.#lookAlike(checked.name, proven ? presented : undefined);
    if (lookAlike) return lookAlike;
    const claim = proven
      ? { ...presented, name: checked.name, seenAt: now }
      : newClaim(checked.name, now, request.canResume !== false);
    this.#store.claims.save(claim);
    const held = proven
      ? this.#store.mailbox.peek(claim.holder).filter((record) => !this.#inFlight.has(record.id))
      : [];
    member.name = checked.name;
    const client = new Client(member, claim, proven, held, now);
    for (const record of held) this.#inFlight.set(record.id, client);
    this.#clients.set(key, client);
    client.replaced = holder instanceof Client ? holder : undefined;
    this.#others?.hold(client);
    return client;
  }

  /** A page of a client's private messages (to and from it: nobody else's), bounded like a room's. */
  async pagePrivate(
    client: Client,
    request: HistoryFrame,
    bounds: { pageRecords: number; pageBytes: number },
  ): Promise<PageFrame> {
    const page = await readPage(this.#privateLog, request, client.holder, bounds);
    return { type: "page", private: true, ...page };
  }

  /** The newest `limit` private messages to or from a client, oldest first. */
  recentPrivate(client: Client, limit: number): Promise<PrivateRecord[]> {
    return this.#privateLog.recent(limit, client.holder) as Promise<PrivateRecord[]>;
  }

  /**
   * Kept private messages of `client` were written to its connection
   * (`written`), and leave the mailbox; or they were not (the connection
   * ended first), and stay for the next connection presenting the token.
   */
  handedOver(client: Client, ids: number[], written: boolean): void {
    for (const id of ids) if (this.#inFlight.get(id) === client) this.#inFlight.delete(id);
    if (written) this.#store.mailbox.remove(client.holder, ids);
  }

  /** Takes a client off the server (after it left its rooms), remembering when it was last here. */
  release(client: Client): void {
    // Kept messages not handed over yet stay in the mailbox, free for the next connection.
    for (const record of client.held) {
      if (this.#inFlight.get(record.id) === client) this.#inFlight.delete(record.id);
    }
    const key = nameKey(client.name);
    if (this.#clients.get(key) !== client) return; // taken over: the claim is the new client's
    this.#clients.delete(key);
    this.#others?.release(client, client.name);
    const now = this.#now();
    if (!client.used(now)) this.#store.claims.forget(client.holder);
    else this.#store.claims.save({ ...client.claim, seenAt: now });
  }

  /**
   * Renames a client everywhere: checks the name against the whole server,
   * then each of its rooms announces it.
   */
  rename(client: Client, requested: string): Refusal | undefined {
    const checked = checkName(requested);
    if ("code" in checked) return checked;
    const oldName = client.name;
    const oldKey = nameKey(oldName);
    const newKey = nameKey(checked.name);
    if (checked.name === oldName) {
      return { code: "bad_arguments", message: `You are already called "${oldName}".` };
    }
    if (newKey !== oldKey && (this.#clients.has(newKey) || this.#others?.holderOf(newKey))) {
      return nameTaken(checked.name);
    }
    const lookAlike = this.#lookAlike(checked.name, client.claim);
    if (lookAlike) return lookAlike;
    this.#clients.delete(oldKey);
    this.#clients.set(newKey, client);
    client.claim = { ...client.claim, name: checked.name };
    this.#store.claims.save(client.claim);
    client.member.name = checked.name;
    this.#others?.release(client, oldName);
    this.#others?.hold(client);
    for (const membership of client.rooms.values()) membership.renamed(oldName);
    return undefined;
  }

  /**
   * Sends a private message; the sender gets a copy. To someone who is away
   * (but held the name within the claim lifetime) it is kept and handed over
   * when they come back with their token; the sender is told so. Refusals
   * come at once; the message goes out once its log has stored it.
   */
  whisper(from: Client, to: string, text: string): Refusal | undefined {
    from.spoke();
    const recipient = this.find(to);
    const remote = recipient ? undefined : this.#others?.holderOf(nameKey(to));
    if (recipient || remote) {
      recipient?.spoke(); // their claim now guards private history
      const toHolder = recipient?.holder ?? remote!.holder;
      const audience = { fromHolder: from.holder, toHolder };
      const stored = this.#privateLog.append(
        { type: "private", from: from.name, to: recipient?.name ?? remote!.name, text },
        audience,
        // Someone on another server may have just left: then it is kept for later instead.
        remote && { recipientPresent: { key: nameKey(to), holder: remote.holder } },
      );
      if (this.#privateLog.follow || !recipient) {
        // The shared log relays it to both, on whichever nodes they are.
        Promise.resolve(stored).catch((error) => {
          const refusal = error instanceof RecipientAway
            ? this.#keepForLater(from, to, text)
            : PRIVATE_NOT_SENT;
          if (refusal) from.member.deliver(new Outgoing({ type: "error", ...refusal }));
        });
        return undefined;
      }
      this.#tail = afterAppend(this.#tail, stored, (record) => {
        const out = new Outgoing(record);
        recipient.member.deliver(out);
        if (recipient !== from) from.member.deliver(out);
      });
      return undefined;
    }
    return this.#keepForLater(from, to, text);
  }

  /**
   * A private message to someone who is away: kept in the mailbox for when
   * they come back with their token (refused when they can't, or it is full).
   */
  #keepForLater(from: Client, to: string, text: string): Refusal | undefined {
    const absent = this.#store.claims.latest(nameKey(to));
    if (!absent || !isClaimFresh(absent, this.#now())) {
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
    const stored = this.#privateLog.append(
      { type: "private", from: from.name, to: absent.name, text },
      audience,
    );
    const keep = (record: RoomRecord) => {
      this.#store.mailbox.hold(absent.holder, record as PrivateRecord, from.holder);
      if (!this.#privateLog.follow) from.member.deliver(new Outgoing(record));
      from.member.deliver(
        new Outgoing({
          type: "info",
          text:
            `${absent.name} is not here now; they will get your message when they next join (it is kept for ${ttlDays()} days).`,
        }),
      );
    };
    if (this.#privateLog.follow) {
      // The shared log relays the record itself; a failed append is told, not chained.
      Promise.resolve(stored).then(
        keep,
        () => from.member.deliver(new Outgoing({ type: "error", ...PRIVATE_NOT_SENT })),
      );
    } else {
      this.#tail = afterAppend(this.#tail, stored, keep);
    }
    return undefined;
  }

  /**
   * Shares a file privately with a member who is here (files/file_service.ts):
   * the record reaches both, and only their holders can read it later.
   */
  shareFile(
    from: Client,
    to: string,
    file: Pick<FileRecord, "name" | "size" | "mime" | "url">,
  ): Refusal | undefined {
    const recipient = this.find(to);
    if (!recipient) {
      return {
        code: "no_such_member",
        message:
          `Nobody called "${to}" is here; private files go to members who are. /who lists them.`,
      };
    }
    from.spoke();
    recipient.spoke();
    const stored = this.#privateLog.append(
      { type: "file", from: from.name, to: recipient.name, ...file },
      { fromHolder: from.holder, toHolder: recipient.holder },
    );
    if (this.#privateLog.follow) {
      // The shared log relays it to both (#relayPrivate).
      Promise.resolve(stored).catch(() => {
        from.member.deliver(new Outgoing({ type: "error", ...PRIVATE_NOT_SENT }));
      });
      return undefined;
    }
    this.#tail = afterAppend(this.#tail, stored, (record) => {
      const out = new Outgoing(record);
      recipient.member.deliver(out);
      if (recipient !== from) from.member.deliver(out);
    });
    return undefined;
  }

  /** A private record from the shared log: to its sender and recipient, where they are on this node. */
  #relayPrivate(record: PrivateRecord): void {
    const out = new Outgoing(record);
    const recipient = this.find(record.to);
    const sender = this.find(record.from);
    recipient?.member.deliver(out);
    if (sender && sender !== recipient) sender.member.deliver(out);
  }

  /** Refuses a name that looks like a present client's or a claimed one (look_alikes.ts). */
  #lookAlike(name: string, own: NameClaim | undefined): Refusal | undefined {
    return lookAlikeRefusal(name, {
      presentName: (other) => this.find(other)?.name,
      claims: this.#store.claims,
      own,
      now: this.#now(),
    });
  }
}

/** Someone has the name, here or on another node. */
function nameTaken(name: string): Refusal {
  return {
    code: "name_taken",
    message: `Someone here is already called "${name}". Pick another name.`,
  };
}

/** Told to the sender when the shared log could not store a private message. */
const PRIVATE_NOT_SENT: Refusal = {
  code: "not_sent",
  message: "Your private message was not sent: the chat's storage cannot be reached right now. " +
    "Send it again in a moment.",
};

/** "While you were away, alice and bob sent you 3 private messages." */
export function heldNotice(held: PrivateRecord[]): string {
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
