/**
 * Who may come in: the checks on a new connection (bans, password
 * penalties, connection caps, the budget of unfinished handshakes), the room
 * password, and the join rate. Every per-address rule counts by the
 * address's key (IPv4 address, IPv6 /64; see {@linkcode addressKey}).
 * Shared by every session of a server.
 *
 * @module
 */

import type { ByeCode } from "../protocol/errors.ts";
import type { ByeFrame } from "../protocol/frames.ts";
import type { Limits } from "../protocol/limits.ts";
import { formatDuration } from "../text/time.ts";
import { addressKey } from "./address_key.ts";
import type { BanList } from "./ban_list.ts";
import { HandshakeBudget } from "./handshake_budget.ts";
import { RecentTable } from "./recent_table.ts";
import { FailureTracker, MAX_TRACKED_ADDRESSES, RoomPassword } from "./room_password.ts";
import { TokenBucket } from "./token_bucket.ts";

/** A connection as admission sees it; a `Session` fits. */
export interface Visitor {
  /** The peer's IP address. */
  readonly address: string;
  readonly joined: boolean;
  readonly closed: boolean;
  /** Closes the connection with a goodbye (used to shed an unfinished handshake). */
  disconnect(code: ByeCode, message: string): void;
}

/** Result of a password try. */
export type PasswordResult =
  | { outcome: "accepted" }
  /** Not checked: the address must wait `waitMs` more after its earlier failures. */
  | { outcome: "refused"; waitMs: number }
  /** Checked and wrong; the address must wait `waitMs` before its next try (0: none). */
  | { outcome: "wrong"; waitMs: number };

/** How long a refused address is not logged again. */
const QUIET_LOG_MS = 10 * 60_000;

/** The server's admission rules. */
export class Admission {
  readonly #password: RoomPassword | undefined;
  readonly #failures: FailureTracker;
  readonly #bans: BanList;
  readonly #limits: Limits;
  readonly #log: (line: string) => void;
  /** Open connections counted against the caps, with their address keys. */
  readonly #counted = new Map<Visitor, string>();
  readonly #perAddress = new Map<string, number>();
  readonly #handshakes = new HandshakeBudget<Visitor>();
  readonly #joins: RecentTable<TokenBucket>;
  readonly #connects: RecentTable<TokenBucket>;
  #closedUnread = 0;
  /** Address key and refusal code pairs logged lately, so an address that retries is logged once. */
  readonly #logged: RecentTable<true>;

  /** @param password the room password, if the room has one */
  constructor(options: {
    password?: string;
    bans: BanList;
    limits: Limits;
    failures?: FailureTracker;
    log?: (line: string) => void;
  }) {
    this.#password = options.password ? new RoomPassword(options.password) : undefined;
    this.#failures = options.failures ?? new FailureTracker();
    this.#bans = options.bans;
    this.#limits = options.limits;
    this.#log = options.log ?? (() => {});
    // A bucket left alone this long is full again, so forgetting it changes nothing.
    const refillMs = (options.limits.joinBurst / options.limits.joinsPerMinute) * 60_000;
    this.#joins = new RecentTable(MAX_TRACKED_ADDRESSES, refillMs);
    const { connectBurst, connectsPerSecond } = options.limits;
    this.#connects = new RecentTable(
      MAX_TRACKED_ADDRESSES,
      (connectBurst / connectsPerSecond) * 1000,
    );
    this.#logged = new RecentTable(MAX_TRACKED_ADDRESSES, QUIET_LOG_MS);
  }

  /** True when the room needs a password. */
  get passwordRequired(): boolean {
    return this.#password !== undefined;
  }

  /**
   * Checks a password try from `address`. While the address is waiting after
   * earlier failures (on any connection), the try is refused unchecked.
   */
  checkPassword(address: string, candidate: string | undefined, now: number): PasswordResult {
    if (!this.#password) return { outcome: "accepted" };
    const key = addressKey(address);
    const waitMs = this.#failures.waitMs(key, now);
    if (waitMs > 0) return { outcome: "refused", waitMs };
    // Sending no password is not a guess (a client that did not know the room has one).
    if (candidate === undefined) return { outcome: "wrong", waitMs: 0 };
    if (this.#password.matches(candidate)) {
      this.#failures.succeed(key);
      return { outcome: "accepted" };
    }
    const penalty = this.#failures.fail(key, now);
    if (penalty.started) {
      this.#log(
        `${key} keeps giving wrong passwords; its further tries must wait (logged once per address).`,
      );
    }
    return { outcome: "wrong", waitMs: penalty.waitMs };
  }

  /**
   * Registers a new connection, or returns the `bye` to send when it may not
   * stay (banned, waiting after wrong passwords, joined too often lately,
   * too many from its address, server full). When the connections still in
   * their handshake use up their budget, or the server is full, the oldest of
   * them is disconnected to make room; a member never is. Every registered
   * connection must be released with {@linkcode release}.
   */
  admit(visitor: Visitor, now: number): ByeFrame | undefined {
    const refusal = this.refusal(visitor.address, now);
    if (refusal) return refusal;
    const key = addressKey(visitor.address);
    if (
      this.#handshakes.count >= this.#limits.maxUnjoined ||
      this.#counted.size >= this.#limits.maxConnections
    ) {
      const oldest = this.#handshakes.takeOldest();
      if (!oldest) {
        return {
          type: "bye",
          code: "server_full",
          message: "The room is full right now. Try again in a few minutes.",
        };
      }
      this.release(oldest);
      oldest.disconnect(
        "server_busy",
        "Too many people are connecting right now and you had not joined yet. Reconnect to try again.",
      );
    }
    this.#counted.set(visitor, key);
    this.#perAddress.set(key, (this.#perAddress.get(key) ?? 0) + 1);
    this.#handshakes.add(visitor);
    return undefined;
  }

  /**
   * The `bye` for a new connection from `address` that may not stay whoever it
   * is (banned, waiting after wrong passwords, joined too often lately, too
   * many from its address), or `undefined`. {@linkcode admit} asks it too;
   * asked first, it spares a refused connection its session.
   */
  refusal(address: string, now: number): ByeFrame | undefined {
    const key = addressKey(address);
    const refusal = this.#refusal(key, now);
    // Guessers were logged when their penalty started.
    if (refusal && refusal.code !== "too_many_attempts") {
      this.#logOnce(key, refusal.code, () => `Refused ${key}: ${refusal.message}`, now);
    }
    return refusal;
  }

  /**
   * Counts a new connection from `address` against its connection rate, before
   * anything is read from it or set up for it. False: the address opens
   * connections faster than any person does (a reconnect loop); the caller
   * closes this one at once, unread and unanswered. The loop's earlier
   * connections were told why in their `bye` (`too_many_joins` and friends).
   */
  connect(address: string, now: number): boolean {
    const key = addressKey(address);
    const { connectBurst, connectsPerSecond } = this.#limits;
    const bucket = this.#connects.get(key, now) ??
      new TokenBucket(connectBurst, connectsPerSecond, now);
    this.#connects.set(key, bucket, now);
    if (bucket.take(now)) return true;
    this.#closedUnread++;
    this.#logOnce(
      key,
      "connect_rate",
      () => `Closing connections from ${key} unread: more than ${connectsPerSecond} a second`,
      now,
    );
    return false;
  }

  /** Connections closed unread by {@linkcode connect} so far. */
  get closedUnread(): number {
    return this.#closedUnread;
  }

  /**
   * Logs `line()` unless the same address was logged for the same `reason`
   * lately (the line is only made when it is logged: a loop is refused often).
   */
  #logOnce(key: string, reason: string, line: () => string, now: number): void {
    const logKey = `${key} ${reason}`;
    if (this.#logged.get(logKey, now) !== undefined) return;
    this.#logged.set(logKey, true, now);
    this.#log(`${line()} (logged once per address)`);
  }

  /** Forgets a connection registered with {@linkcode admit} (again: no effect). */
  release(visitor: Visitor): void {
    const key = this.#counted.get(visitor);
    if (key === undefined) return;
    this.#counted.delete(visitor);
    this.#handshakes.delete(visitor);
    const left = (this.#perAddress.get(key) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(key, left);
    else this.#perAddress.delete(key);
  }

  /**
   * Counts a join from `address` against its join rate; returns the `bye` to
   * send instead when the address has joined too often lately.
   */
  join(address: string, now: number): ByeFrame | undefined {
    const key = addressKey(address);
    const { joinBurst, joinsPerMinute } = this.#limits;
    const bucket = this.#joins.get(key, now) ??
      new TokenBucket(joinBurst, joinsPerMinute / 60, now);
    this.#joins.set(key, bucket, now);
    if (bucket.take(now)) return undefined;
    return tooManyJoins(bucket.waitMs(now));
  }

  #refusal(key: string, now: number): ByeFrame | undefined {
    const ban = this.#bans.find(key, now);
    if (ban) {
      const until = ban.until === undefined ? "" : ` for ${formatDuration(ban.until - now)} more`;
      return { type: "bye", code: "banned", message: `You are banned from this room${until}.` };
    }
    const waitMs = this.#password ? this.#failures.waitMs(key, now) : 0;
    if (waitMs > 0) return tooManyAttempts(waitMs);
    // An address whose joins are used up is told so at the door: its hello would
    // be refused anyway, so it is neither read nor checked against the password.
    const joinWaitMs = this.#joins.get(key, now)?.waitMs(now) ?? 0;
    if (joinWaitMs > 0) return tooManyJoins(joinWaitMs);
    const fromAddress = this.#perAddress.get(key) ?? 0;
    if (fromAddress >= this.#limits.maxConnectionsPerAddress) {
      return {
        type: "bye",
        code: "too_many_connections",
        message:
          `Your address already has ${fromAddress} connections open, the most allowed. Close one and retry.`,
      };
    }
    return undefined;
  }
}

/** The goodbye for an address that has joined too often lately. */
function tooManyJoins(waitMs: number): ByeFrame {
  return {
    type: "bye",
    code: "too_many_joins",
    message: `Too many joins from your address lately; wait ${
      waitSeconds(waitMs)
    } s and try again.`,
  };
}

/** The goodbye for an address that must wait after wrong passwords. */
function tooManyAttempts(waitMs: number): ByeFrame {
  return { type: "bye", code: "too_many_attempts", message: mustWaitMessage(waitSeconds(waitMs)) };
}

/** What an address that must wait after wrong passwords is told, at the door or on a try. */
export function mustWaitMessage(seconds: number): string {
  return `Too many wrong passwords from your address; wait ${seconds} s before trying again.`;
}

/** A wait in whole seconds, at least 1. */
export function waitSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
