/**
 * One node of a chat shared by several `chat serve` processes over Redis
 * (`--redis`): opens the connections, loads what every node mirrors
 * (claims, mailbox, rooms, names), gives the server a {@linkcode RoomStore}
 * whose room logs are Redis Streams, keeps the node alive in Redis and
 * announces dead nodes' members gone. docs/SCALING.md describes the whole.
 *
 * @module
 */

import type { Redis } from "ioredis";
import { MemoryHistory, PRESENCE_LIMIT } from "../history.ts";
import type { RoomStore } from "../room_store.ts";
import type { ServerPlaces } from "../rooms/client_rooms.ts";
import { ClusterEvents } from "./cluster_events.ts";
import { LogFollower } from "./log_follower.ts";
import {
  goneRecord,
  membersKey,
  type NodeInfo,
  NodeLiveness,
  type Timers,
} from "./node_liveness.ts";
import { NodeNames } from "./node_names.ts";
import { RedisBanList } from "./redis_ban_list.ts";
import { RedisClaims } from "./redis_claims.ts";
import { openRedis, untilReady } from "./redis_connection.ts";
import { redactedUrl } from "./redis_url.ts";
import { appendRecord, defineAppend, logKeys, RedisLog } from "./redis_log.ts";
import { RedisMailbox } from "./redis_mailbox.ts";
import { RedisRoomTable } from "./redis_room_table.ts";
import { type LocalModeration, RemoteModeration } from "./remote_members.ts";

export type { NodeInfo } from "./node_liveness.ts";

/** Settings of a {@linkcode Cluster}. */
export interface ClusterOptions {
  /** `redis://[:password@]host:port/db` or `rediss://…`. */
  url: string;
  /** Conversation records each room keeps. */
  historyLimit: number;
  /** How long a silent node counts as alive (default 10 s; shorter in tests). */
  nodeTtlMs?: number;
  timers?: Timers;
  now?: () => number;
  /** Receives one line per event worth an operator's attention. */
  log?: (line: string) => void;
}

/** What the node needs of its server once it runs. */
export interface ClusterServer extends LocalModeration {
  readonly places: ServerPlaces;
  readonly addr: Deno.NetAddr;
}

const STORAGE_LOST = "The chat's storage (Redis) cannot be reached: messages cannot be sent " +
  "for now. You stay connected; you will be told when they can be sent again.";
const STORAGE_BACK = "The chat's storage is back: messages can be sent again.";

/** This node's part in a chat shared over Redis. */
export class Cluster {
  /** This node's id, short and random. */
  readonly node: string;
  /** Where the server keeps everything: Redis, copied where reads must be synchronous. */
  readonly store: RoomStore;
  /** The names other nodes' clients hold. */
  readonly otherNodes: NodeNames;
  /** The operator's bans, the same on every node. */
  readonly bans: RedisBanList;
  /** Kicks, bans and invites of members other nodes hold. */
  readonly remote: RemoteModeration;
  readonly #redis: Redis;
  readonly #connections: Redis[];
  readonly #follower: LogFollower;
  readonly #options: ClusterOptions;
  readonly #rooms: RedisRoomTable;
  #liveness: NodeLiveness | undefined;
  #closing: Promise<void> | undefined;
  readonly #statusListeners: Array<(text: string) => void> = [];
  #reachable = true;
  /** The logs of the rooms open on this node, by room key. */
  readonly #logs = new Map<string, RedisLog>();
  #started: Promise<void> | undefined;
  #server: ClusterServer | undefined;

  private constructor(
    options: ClusterOptions,
    node: string,
    connections: { redis: Redis; reader: Redis; subscriber: Redis },
    parts: {
      chatId: string;
      events: ClusterEvents;
      names: NodeNames;
      claims: RedisClaims;
      mailbox: RedisMailbox;
      rooms: RedisRoomTable;
      bans: RedisBanList;
    },
  ) {
    this.#options = options;
    this.node = node;
    this.#redis = connections.redis;
    this.#connections = [connections.redis, connections.reader, connections.subscriber];
    this.#follower = new LogFollower(connections.reader, connections.redis);
    this.otherNodes = parts.names;
    this.bans = parts.bans;
    this.remote = new RemoteModeration(parts.events, parts.names, node);
    this.#rooms = parts.rooms;
    const now = options.now ?? Date.now;
    const keep = this.#keep;
    const history = new MemoryHistory(1);
    history.roomId = () => parts.chatId; // the same on every node: ids compare across them
    this.store = {
      history,
      roomHistory: () => new MemoryHistory(1), // never used: every room's log is roomLog's
      roomLog: (roomKey) => {
        const log = new RedisLog({
          redis: this.#redis,
          follower: this.#follower,
          roomKey,
          node,
          keep,
          now,
        });
        this.#logs.set(roomKey, log);
        return log;
      },
      forgetRoom: (roomKey) => {
        this.#logs.delete(roomKey);
        this.#follower.unfollow(logKeys(roomKey).stream);
        // The counter stays, so a room made again under the name never reuses an id.
        this.#redis.del(logKeys(roomKey).stream, logKeys(roomKey).members).catch(() => {});
      },
      rooms: parts.rooms,
      claims: parts.claims,
      mailbox: parts.mailbox,
      flush() {},
      close: () => void this.close(),
      onStatus: (listener) => void this.#statusListeners.push(listener),
    };
    this.#redis.on("close", () => this.#setReachable(false));
    this.#redis.on("ready", () => this.#setReachable(true));
  }

  /** Connects to Redis (throws a sentence for the operator if it can't) and loads the shared state. */
  static async open(options: ClusterOptions): Promise<Cluster> {
    const node = crypto.randomUUID().slice(0, 8);
    const redis = openRedis(options.url, `chat-${node}`);
    const reader = openRedis(options.url, `chat-${node}-reader`);
    const subscriber = openRedis(options.url, `chat-${node}-events`);
    const all = [redis, reader, subscriber];
    // Until the node runs, a failed connection attempt is only reported by open's error.
    for (const connection of all) connection.on("error", () => {});
    try {
      await Promise.all(all.map((connection) => untilReady(connection, options.url)));
      defineAppend(redis);
      await ClusterEvents.subscribe(subscriber);
      const events = new ClusterEvents(redis, subscriber, node);
      await redis.set("chat:id", crypto.randomUUID(), "NX");
      const chatId = (await redis.get("chat:id"))!;
      const [names, claims, mailbox, rooms, bans] = await Promise.all([
        NodeNames.open(redis, events, node),
        RedisClaims.open(redis, events, (options.now ?? Date.now)()),
        RedisMailbox.open(redis, events),
        RedisRoomTable.open(redis, events),
        RedisBanList.open(redis, events),
      ]);
      // News sent while the subscription was down is lost: read the names again.
      subscriber.on("ready", () => void names.reload().catch(() => {}));
      return new Cluster(options, node, { redis, reader, subscriber }, {
        chatId,
        events,
        names,
        claims,
        mailbox,
        rooms,
        bans,
      });
    } catch (error) {
      for (const connection of all) connection.disconnect();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        message.startsWith("Could not reach")
          ? message
          : `Redis at ${redactedUrl(options.url)} refused the chat: ${message}`,
      );
    }
  }

  /** Stream entries a room keeps: its conversation records and some joins and leaves. */
  get #keep(): number {
    return this.#options.historyLimit + PRESENCE_LIMIT;
  }

  /** The nodes seen alive at the last check, this one included, oldest first. */
  nodes(): NodeInfo[] {
    return this.#liveness?.alive ?? [];
  }

  /**
   * Starts the node's part once its server listens: liveness, and letting
   * go of a member who took their name over on another node.
   */
  attach(server: ClusterServer): Promise<void> {
    return this.#started ??= this.#attach(server);
  }

  /** Resolves once the node runs (its server attached it); rejects if it could not start. */
  get started(): Promise<void> {
    return this.#started ?? Promise.reject(new Error("The node has no server yet."));
  }

  async #attach(server: ClusterServer): Promise<void> {
    this.#server = server;
    this.remote.attach(server);
    this.otherNodes.onTakenOver((key, byAnother) => {
      server.places.clients.find(key)?.member.disconnect(
        "replaced",
        byAnother
          ? "Someone on another server took this name at the same moment; join again with another name."
          : "This name was taken over by a new connection (yours?).",
      );
    });
    const { hostname, port } = server.addr;
    this.#liveness = new NodeLiveness({
      redis: this.#redis,
      self: { id: this.node, listen: `${hostname}:${port}`, startedAt: Date.now() },
      ttlMs: this.#options.nodeTtlMs,
      timers: this.#options.timers,
      reap: (dead) => this.#reap(dead),
    });
    await this.#liveness.start();
  }

  /** Leaves the chat cleanly (members have left already) and closes the connections. */
  close(): Promise<void> {
    return this.#closing ??= (async () => {
      await this.#liveness?.stop();
      await this.#follower.stop();
      for (const connection of this.#connections) connection.disconnect();
    })();
  }

  /** Announces a dead node's members gone in their rooms, and frees their names. */
  /**
   * Frees a dead node's names, then announces its members gone in their
   * rooms (so whoever hears it may take the name at once).
   */
  async #reap(dead: string): Promise<void> {
    const held = this.otherNodes.heldBy(dead);
    for (const [key, name] of held) await this.otherNodes.free(key, name);
    const entries = await this.#redis.smembers(membersKey(dead));
    const names = new Map(this.#rooms.list().map((room) => [room.key, room.name]));
    const target = {
      redis: this.#redis,
      node: dead,
      keep: this.#keep,
      now: this.#options.now ?? Date.now,
    };
    for (const entry of entries) {
      const [roomKey, name] = entry.split("\t");
      // A member who already came back on another node is not gone.
      const now = await this.#redis.hget(logKeys(roomKey).members, name.toLowerCase());
      if (now?.split("\t")[0] !== dead) continue;
      await appendRecord({ ...target, roomKey }, goneRecord(names.get(roomKey) ?? roomKey, name));
    }
    await this.#redis.del(membersKey(dead));
    this.#options.log?.(
      `Node ${dead} stopped answering: its ${held.length} members were announced gone and their names freed.`,
    );
  }

  #setReachable(reachable: boolean): void {
    if (reachable === this.#reachable) return;
    this.#reachable = reachable;
    this.#options.log?.(
      reachable ? "Redis is reachable again." : "Redis cannot be reached; retrying.",
    );
    if (!reachable) {
      this.#liveness?.lost();
      return this.#tell(STORAGE_LOST);
    }
    // A Redis that lost its latest writes may have lost this node's names: hold them again.
    for (const client of this.#server?.places.clients.all() ?? []) this.otherNodes.hold(client);
    // Members hear that they can send again once no id can be given twice.
    const restored = [...this.#logs.values()].map((log) => log.restore());
    Promise.allSettled(restored).then(() => {
      if (this.#reachable) this.#tell(STORAGE_BACK);
    });
  }

  #tell(text: string): void {
    for (const listener of this.#statusListeners) listener(text);
  }
}
