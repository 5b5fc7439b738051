/**
 * The key every per-address rule counts by (connections, bans, password
 * failures, join rate): an IPv4 address as it is, an IPv6 address by its
 * /64 network. One IPv6 subscriber usually gets a whole /64, so counting by
 * the exact IPv6 address would give one person 2^64 fresh addresses. An
 * IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, what a dual-stack listener
 * reports for IPv4 clients) is its IPv4 address.
 *
 * @example
 * ```ts
 * addressKey("192.0.2.7");          // "192.0.2.7"
 * addressKey("::ffff:192.0.2.7");   // "192.0.2.7"
 * addressKey("2001:db8:1:2::5");    // "2001:db8:1:2::/64"
 * addressKey("not an address");     // "not an address" (kept as given)
 * ```
 *
 * @module
 */

import ipaddr from "ipaddr.js";

/** Bits of an IPv6 address that one subscriber is assumed to hold. */
const IPV6_PREFIX_BITS = 64;

/**
 * An IPv4 address as the runtime reports a peer: four decimal numbers of
 * 0–255 without leading zeros. Such an address is its own key, so the accept
 * path (run for every connection of a reconnect loop) skips the full parse.
 */
const CANONICAL_IPV4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The key per-address rules count `address` (an IP address as a connection reports it) by. */
export function addressKey(address: string): string {
  if (CANONICAL_IPV4.test(address)) return address;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // `process` turns IPv4-mapped IPv6 addresses into IPv4 ones.
    parsed = ipaddr.process(address);
  } catch {
    return address; // not an IP address (a test's made-up peer): its own key
  }
  if (parsed.kind() === "ipv4") return parsed.toString();
  const network = (parsed as ipaddr.IPv6).parts.slice(0, IPV6_PREFIX_BITS / 16);
  return `${new ipaddr.IPv6([...network, 0, 0, 0, 0]).toString()}/${IPV6_PREFIX_BITS}`;
}
