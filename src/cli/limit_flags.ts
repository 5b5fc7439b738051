/**
 * The server limits that can be set on the command line: one table, from
 * which `chat serve` builds its options, checks the values and writes its
 * help, so a limit cannot have a flag without documentation or vice versa.
 *
 * @module
 */

import { DEFAULT_LIMITS, type Limits } from "../protocol/limits.ts";
import { integerOption } from "./args.ts";
import type { OptionTable } from "./options.ts";

/** One numeric limit flag. */
export interface LimitFlag {
  /** The flag without dashes, e.g. `max-line-bytes`. */
  flag: string;
  key: keyof Limits;
  /** The value on the command line is in seconds while the limit is in ms. */
  seconds?: boolean;
  min: number;
  max: number;
  help: string;
}

/** Every limit flag of `chat serve`. */
export const LIMIT_FLAGS: readonly LimitFlag[] = [
  {
    flag: "max-line-bytes",
    key: "maxLineBytes",
    min: 256,
    max: 16 * 1024 * 1024,
    help: "longest line a client may send",
  },
  {
    flag: "max-message-chars",
    key: "maxMessageChars",
    min: 1,
    max: 1_000_000,
    help: "longest message, in characters",
  },
  {
    flag: "max-queue-bytes",
    key: "maxQueueBytes",
    min: 16 * 1024,
    max: 1024 * 1024 * 1024,
    help: "bytes queued for a slow client before it is dropped",
  },
  {
    flag: "max-connections",
    key: "maxConnections",
    min: 1,
    max: 1_000_000,
    help: "open connections in total",
  },
  {
    flag: "max-per-address",
    key: "maxConnectionsPerAddress",
    min: 1,
    max: 1_000_000,
    help: "open connections from one address (IPv6: one /64)",
  },
  {
    flag: "max-unjoined",
    key: "maxUnjoined",
    min: 1,
    max: 1_000_000,
    help: "connections not joined yet (the oldest goes first)",
  },
  {
    flag: "connect-burst",
    key: "connectBurst",
    min: 1,
    max: 1_000_000,
    help: "new connections from one address in a burst; past the rate they are closed unread",
  },
  {
    flag: "connects-per-second",
    key: "connectsPerSecond",
    min: 1,
    max: 1_000_000,
    help: "new connections from one address a second, after the burst",
  },
  {
    flag: "turn-aways-per-second",
    key: "turnAwaysPerSecond",
    min: 1,
    max: 1_000_000,
    help: "connections turned away a second in all; past it, new ones are accepted at that pace",
  },
  {
    flag: "join-burst",
    key: "joinBurst",
    min: 1,
    max: 1_000_000,
    help: "joins from one address in a burst",
  },
  {
    flag: "joins-per-minute",
    key: "joinsPerMinute",
    min: 1,
    max: 1_000_000,
    help: "joins from one address a minute, after the burst",
  },
  {
    flag: "rate-limit",
    key: "ratePerSecond",
    min: 1,
    max: 10_000_000,
    help: "lines a second each connection may send",
  },
  {
    flag: "rate-burst",
    key: "rateBurst",
    min: 1,
    max: 10_000_000,
    help: "lines a connection may send in one burst",
  },
  {
    flag: "flood-strikes",
    key: "floodStrikes",
    min: 1,
    max: 1_000_000,
    help: "lines refused for speed before a flooder is dropped",
  },
  {
    flag: "handshake-timeout",
    key: "handshakeTimeoutMs",
    seconds: true,
    min: 1,
    max: 86_400,
    help: "seconds a newcomer has to choose a name",
  },
  {
    flag: "idle-timeout",
    key: "idleTimeoutMs",
    seconds: true,
    min: 1,
    max: 86_400,
    help: "seconds of silence before a ping",
  },
  {
    flag: "ping-timeout",
    key: "pingTimeoutMs",
    seconds: true,
    min: 1,
    max: 86_400,
    help: "seconds a pinged client has to answer",
  },
];

/** The limit flags as options, each with its help and default. */
export function limitOptions(): OptionTable {
  return Object.fromEntries(LIMIT_FLAGS.map(({ flag, key, seconds, help }) => {
    const fallback = seconds ? DEFAULT_LIMITS[key] / 1000 : DEFAULT_LIMITS[key];
    return [flag, { type: "string" as const, value: "N", help: `${help} (default ${fallback})` }];
  }));
}

/** Reads the limit flags that were given; the others keep their defaults. */
export function limitsFrom(values: Record<string, unknown>, command: string): Partial<Limits> {
  const limits: Partial<Limits> = {};
  for (const { flag, key, seconds, min, max } of LIMIT_FLAGS) {
    const value = integerOption(values[flag], `--${flag}`, command, { min, max });
    if (value !== undefined) limits[key] = seconds ? value * 1000 : value;
  }
  return limits;
}
