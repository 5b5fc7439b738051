/**
 * A room's log in Redis: one Stream per room, appended by a small script
 * that takes the room's next id from a counter in the same step, so every
 * node stores and delivers the room's records in one order, with the same
 * ids. Each node reads the stream once ({@linkcode LogFollower}) and relays
 * the records to its own members; reads answer up to the last record this
 * node relayed, so what a member is shown and what reaches them next join
 * up exactly.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { isConversation, type RoomRecord } from "../../protocol/frames.ts";
import {
  type HistoryPage,
  isVisibleTo,
  type PageRequest,
  type PrivateAudience,
} from "../history.ts";
import {
  type AppendCondition,
  type NewRecord,
  RecipientAway,
  type RoomLog,
} from "../rooms/room_log.ts";
import { RoomMembers } from "./room_members.ts";
import { type LogFollower, sequence, type StreamEntry } from "./log_follower.ts";

/** Keys of one room's log: the stream, the counter its ids come from, and its members. */
export function logKeys(roomKey: string): { stream: string; counter: string; members: string } {
  return {
    stream: `chat:log:${roomKey}`,
    counter: `chat:seq:${roomKey}`,
    members: `chat:members:${roomKey}`,
  };
}

/**
 * KEYS: stream, counter, the room's members (name key → `node<TAB>Name`).
 * ARGV: record JSON (no id), audience, node, stream length to keep, room key,
 * member changes (`+Name` joined, `-Name` left, one a line), and for a
 * conditional private message the recipient's name key and holder: unless
 * `chat:names` still gives the key to that holder, nothing is stored and the
 * script answers -1.
 * The id, the append and the member changes are one step: no other node's
 * record comes between them. Each node's members are also kept in
 * `chat:node:<node>:members` (`roomKey<TAB>Name`), for announcing them gone
 * if the node dies; a leave counts only from the node the member is on (a
 * member who moved to another node stays). The record's member count is
 * the room's on every node.
 */
const APPEND_SCRIPT = `
if ARGV[7] ~= '' then
  local held = redis.call('HGET', 'chat:names', ARGV[7])
  if not held or not string.find(held, '"holder":"' .. ARGV[8] .. '"', 1, true) then return {-1, ''} end
end
local id = redis.call('INCR', KEYS[2])
local count = ''
if ARGV[6] ~= '' then
  for change in string.gmatch(ARGV[6], '[^\\n]+') do
    local name = string.sub(change, 2)
    local field = string.lower(name)
    local entry = ARGV[5] .. '\\t' .. name
    local was = redis.call('HGET', KEYS[3], field)
    local wasNode = was and string.match(was, '^[^\\t]*')
    if string.sub(change, 1, 1) == '+' then
      if was then redis.call('SREM', 'chat:node:' .. wasNode .. ':members', ARGV[5] .. string.sub(was, #wasNode + 1)) end
      redis.call('HSET', KEYS[3], field, ARGV[3] .. '\\t' .. name)
      redis.call('SADD', 'chat:node:' .. ARGV[3] .. ':members', entry)
    elseif wasNode == ARGV[3] then
      redis.call('HDEL', KEYS[3], field)
      redis.call('SREM', 'chat:node:' .. ARGV[3] .. ':members', entry)
    end
  end
  count = redis.call('HLEN', KEYS[3])
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], id .. '-0', 'r', ARGV[1], 'a', ARGV[2], 'n', ARGV[3], 'c', count)
return {id, count}`;

/** KEYS: counter. ARGV: an id. Raises the counter to the id if it is below. */
const RAISE_SCRIPT = `
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`;

/** The script, loaded once per connection (ioredis sends it by hash, and in full when missing). */
export function defineAppend(redis: Redis): void {
  redis.defineCommand("chatAppend", { numberOfKeys: 3, lua: APPEND_SCRIPT });
}

type AppendCommand = (
  stream: string,
  counter: string,
  members: string,
  record: string,
  audience: string,
  node: string,
  keep: number,
  roomKey: string,
  changes: string,
  recipientKey: string,
  recipientHolder: string,
) => Promise<[number, number | ""]>;

/** The member changes a record makes, for the append script. */
function memberChanges(record: { type: string; [field: string]: unknown }): string {
  switch (record.type) {
    case "join":
      return `+${record.name}`;
    case "leave":
      return `-${record.name}`;
    case "nick":
      return `-${record.from}\n+${record.to}`;
    case "presence":
      return [
        ...(record.joined as string[]).map((name) => `+${name}`),
        ...(record.left as string[]).map((name) => `-${name}`),
      ].join("\n");
    default:
      return "";
  }
}

/** What an append needs besides the record. */
export interface AppendTarget {
  redis: Redis;
  roomKey: string;
  /** The node the record's members are on (the appending one, or a dead one being announced gone). */
  node: string;
  /** Entries the stream keeps. */
  keep: number;
  now: () => number;
}

/** Appends a record to a room's log; the record comes back with its id (and the room's count). */
export async function appendRecord(
  target: AppendTarget,
  fields: NewRecord,
  audience?: PrivateAudience,
  condition?: AppendCondition,
): Promise<RoomRecord> {
  const { type, ...rest } = fields;
  const ts = target.now();
  const keys = logKeys(target.roomKey);
  const who = audience ? `${audience.fromHolder}\t${audience.toHolder}` : "";
  const append = (target.redis as unknown as { chatAppend: AppendCommand }).chatAppend;
  const [id, count] = await append.call(
    target.redis,
    keys.stream,
    keys.counter,
    keys.members,
    JSON.stringify({ type, ts, ...rest }),
    who,
    target.node,
    target.keep,
    target.roomKey,
    memberChanges(fields),
    condition?.recipientPresent.key ?? "",
    condition?.recipientPresent.holder ?? "",
  );
  if (Number(id) === -1) throw new RecipientAway();
  return {
    type,
    id: Number(id),
    ts,
    ...rest,
    ...(count === "" ? {} : { count: Number(count) }),
  } as RoomRecord;
}

/** Entries read at once when scanning back for visible records. */
const SCAN_BATCH = 200;
/** Most entries scanned for one read (a viewer with few private records in a long log). */
const SCAN_LIMIT = 20_000;

/** Settings of a {@linkcode RedisLog}. */
export interface RedisLogOptions {
  redis: Redis;
  follower: LogFollower;
  /** The room's key (its lower-case name), or the private log's. */
  roomKey: string;
  /** This node, noted on every record it appends. */
  node: string;
  /** Entries a stream keeps (older ones are trimmed). */
  keep: number;
  now?: () => number;
}

/** A stored record, who may see it, and the node whose members it is about. */
interface Entry {
  record: RoomRecord;
  audience?: PrivateAudience;
  node: string;
}

/** {@linkcode RoomLog} over a Redis Stream shared by every node. */
export class RedisLog implements RoomLog {
  readonly #options: RedisLogOptions;
  readonly #keys: ReturnType<typeof logKeys>;
  readonly #now: () => number;
  /** The last id relayed by this node (reads stop there); known once `#ready` resolves. */
  #relayed = 0;
  #ready: Promise<void> | undefined;
  #restoring: Promise<void> | undefined;
  #relay: ((record: RoomRecord, audience?: PrivateAudience) => void) | undefined;
  /** Who is in the room on every node, as of the last record relayed. */
  readonly members: RoomMembers = new RoomMembers();

  constructor(options: RedisLogOptions) {
    this.#options = options;
    this.#keys = logKeys(options.roomKey);
    this.#now = options.now ?? Date.now;
  }

  /** Relays every record appended from now on, by any node, in order. */
  follow(relay: (record: RoomRecord, audience?: PrivateAudience) => void): void {
    this.#relay = relay;
    // The position and the members at that position, read in one step.
    const snapshot = this.#options.redis.multi().get(this.#keys.counter).hgetall(
      this.#keys.members,
    );
    this.#ready = snapshot.exec().then((results) => {
      const [[counterError, last], [membersError, members]] = results!;
      if (counterError || membersError) throw counterError ?? membersError;
      this.#relayed = Number(last ?? 0);
      this.members.load(members as Record<string, string>);
      this.#options.follower.follow(this.#keys.stream, `${this.#relayed}-0`, (entry) => {
        const { record, audience, node } = decode(entry);
        this.#relayed = record.id;
        this.members.apply(record, node);
        relay(record, audience);
      });
    });
    this.#ready.catch(() => {
      this.#ready = undefined; // Redis away: the next read tries again
    });
  }

  /**
   * After Redis came back: if it lost its latest writes (a crash with
   * `appendfsync everysec`), the room's counter goes on from the highest id
   * this node relayed, so no id is given twice and the reader (which waits
   * for ids above it) sees the new records.
   */
  restore(): Promise<void> {
    const ready = this.#ready;
    if (ready === undefined) return Promise.resolve();
    const raising = ready.then(() =>
      this.#options.redis.eval(RAISE_SCRIPT, 1, this.#keys.counter, this.#relayed)
    ).then(() => {});
    // Appends wait for it: none may take an id below what was relayed.
    this.#restoring = raising.catch(() => {});
    return raising;
  }

  /** Stops relaying (the room was closed). */
  unfollow(): void {
    this.#options.follower.unfollow(this.#keys.stream);
  }

  async append(
    fields: NewRecord,
    audience?: PrivateAudience,
    condition?: AppendCondition,
  ): Promise<RoomRecord> {
    if (this.#restoring) await this.#restoring;
    const { redis, roomKey, node, keep } = this.#options;
    const target = { redis, roomKey, node, keep, now: this.#now };
    return await appendRecord(target, fields, audience, condition);
  }

  async lastId(): Promise<number> {
    await this.#started();
    return this.#relayed;
  }

  async recent(limit: number, viewer: string | undefined): Promise<RoomRecord[]> {
    const last = await this.lastId();
    const found: RoomRecord[] = [];
    await this.#scan(`${last}-0`, "-", true, (entry) => {
      if (isConversation(entry.record) && isVisibleTo(entry.audience, viewer)) {
        found.push(entry.record);
      }
      return found.length < limit;
    });
    return found.reverse();
  }

  async page(request: PageRequest, viewer: string | undefined): Promise<HistoryPage> {
    const last = await this.lastId();
    const found: RoomRecord[] = [];
    let more = false;
    const take = (entry: Entry) => {
      if (entry.record.id > last || !isVisibleTo(entry.audience, viewer)) return true;
      if (found.length === request.limit) {
        more = true;
        return false;
      }
      found.push(entry.record);
      return true;
    };
    if ("after" in request) {
      await this.#scan(`(${request.after}-0`, `${last}-0`, false, take);
      const first = await this.#options.redis.xrange(this.#keys.stream, "-", "+", "COUNT", 1);
      const firstId = first.length === 0 ? last + 1 : sequence(first[0][0]);
      const gap = request.after + 1 < firstId && request.after < last;
      return { records: found, more, gap };
    }
    if (request.before > 1) {
      await this.#scan(`(${request.before}-0`, "-", true, take);
    }
    return { records: found.reverse(), more, gap: false };
  }

  async #started(): Promise<void> {
    if (this.#ready === undefined) this.follow(this.#relay ?? (() => {}));
    await this.#ready;
  }

  /**
   * Reads entries from `start` towards `end` (backwards when `reverse`) in
   * batches, handing each to `visit` until it returns false or the range ends.
   */
  async #scan(
    start: string,
    end: string,
    reverse: boolean,
    visit: (entry: Entry) => boolean,
  ): Promise<void> {
    const redis = this.#options.redis;
    const stream = this.#keys.stream;
    let from = start;
    for (let scanned = 0; scanned < SCAN_LIMIT; scanned += SCAN_BATCH) {
      const batch = reverse
        ? await redis.xrevrange(stream, from, end, "COUNT", SCAN_BATCH)
        : await redis.xrange(stream, from, end, "COUNT", SCAN_BATCH);
      for (const raw of batch) if (!visit(decode(raw))) return;
      if (batch.length < SCAN_BATCH) return;
      from = `(${batch[batch.length - 1][0]}`;
    }
  }
}

/** A stream entry back as a record (with its id from the entry's id) and its audience. */
function decode([streamId, fields]: StreamEntry): Entry {
  const field = (name: string) => {
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return "";
  };
  const { type, ts, ...rest } = JSON.parse(field("r"));
  const count = field("c");
  const record = {
    type,
    id: sequence(streamId),
    ts,
    ...rest,
    ...(count === "" ? {} : { count: Number(count) }),
  } as RoomRecord;
  const who = field("a");
  const node = field("n");
  if (who === "") return { record, node };
  const [fromHolder, toHolder] = who.split("\t");
  return { record, audience: { fromHolder, toHolder }, node };
}
