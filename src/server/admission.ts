/**
 * Who may come in: the room password with its slow-down for repeated
 * failures, and the checks on a new connection (bans, connection caps).
 * Shared by every session of a server.
 *
 * @module
 */

import type { ByeFrame } from "../protocol/frames.ts";
import type { Limits } from "../protocol/limits.ts";
import { formatDuration } from "../text/time.ts";
import type { BanList } from "./ban_list.ts";
import { FailureTracker, RoomPassword } from "./room_password.ts";

/** Result of a password attempt. */
export type PasswordResult =
  | { ok: true }
  | { ok: false; delayMs: number };

/** The server's admission rules. */
export class Admission {
  readonly #password: RoomPassword | undefined;
  readonly #failures: FailureTracker;
  readonly #bans: BanList;
  readonly #limits: Limits;
  readonly #perAddress = new Map<string, number>();
  #open = 0;

  /** @param password the room password, if the room has one */
  constructor(
    options: { password?: string; bans: BanList; limits: Limits; failures?: FailureTracker },
  ) {
    this.#password = options.password ? new RoomPassword(options.password) : undefined;
    this.#failures = options.failures ?? new FailureTracker();
    this.#bans = options.bans;
    this.#limits = options.limits;
  }

  /** True when the room needs a password. */
  get passwordRequired(): boolean {
    return this.#password !== undefined;
  }

  /** Checks a password attempt from `address`; wrong ones tell how long to wait before answering. */
  checkPassword(address: string, candidate: string | undefined, now: number): PasswordResult {
    if (!this.#password) return { ok: true };
    if (candidate !== undefined && this.#password.matches(candidate)) {
      this.#failures.succeed(address);
      return { ok: true };
    }
    return { ok: false, delayMs: this.#failures.fail(address, now) };
  }

  /**
   * Registers a new connection from `address`, or returns the `bye` to send
   * when it may not stay (banned, server full, too many from this address).
   * Every registered connection must be released with {@linkcode release}.
   */
  admit(address: string, now: number): ByeFrame | undefined {
    const ban = this.#bans.find(address, now);
    if (ban) {
      const until = ban.until === undefined ? "" : ` for ${formatDuration(ban.until - now)} more`;
      return { type: "bye", code: "banned", message: `You are banned from this room${until}.` };
    }
    if (this.#open >= this.#limits.maxConnections) {
      return {
        type: "bye",
        code: "server_full",
        message: "The room is full right now. Try again in a few minutes.",
      };
    }
    const fromAddress = this.#perAddress.get(address) ?? 0;
    if (fromAddress >= this.#limits.maxConnectionsPerAddress) {
      return {
        type: "bye",
        code: "too_many_connections",
        message:
          `Your address already has ${fromAddress} connections open, the most allowed. Close one and retry.`,
      };
    }
    this.#open++;
    this.#perAddress.set(address, fromAddress + 1);
    return undefined;
  }

  /** Forgets a connection registered with {@linkcode admit}. */
  release(address: string): void {
    this.#open--;
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(address, left);
    else this.#perAddress.delete(address);
  }
}
