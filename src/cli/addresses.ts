/**
 * Which addresses a listening server can be reached at, and how to write them
 * in a join command.
 *
 * @module
 */

import { DEFAULT_PORT } from "../protocol/constants.ts";
import { bracketHost, hostPort } from "../protocol/host_port.ts";

/** A network interface address as `Deno.networkInterfaces()` reports it. */
export interface InterfaceAddress {
  family: "IPv4" | "IPv6";
  address: string;
}

/**
 * The machine's non-loopback addresses a server bound to `host` accepts
 * connections on: all IPv4 ones for `0.0.0.0`, IPv4 and IPv6 for `::`, and
 * just `host` when it is a specific address.
 */
export function reachableAddresses(host: string, interfaces: InterfaceAddress[]): string[] {
  const wildcard4 = host === "0.0.0.0";
  const wildcard6 = host === "::" || host === "[::]";
  if (!wildcard4 && !wildcard6) return [host];
  const seen = new Set<string>();
  for (const { family, address } of interfaces) {
    if (isLoopback(address)) continue;
    if (family === "IPv6" && !wildcard6) continue;
    seen.add(address);
  }
  return [...seen].sort((a, b) => Number(a.includes(":")) - Number(b.includes(":")));
}

/** The machine's interface addresses, or none when the system will not say. */
export function machineInterfaces(): InterfaceAddress[] {
  try {
    return Deno.networkInterfaces().map(({ family, address }) => ({ family, address }));
  } catch {
    return [];
  }
}

/** True for an address (or `localhost`) that only this computer can reach. */
export function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address === "[::1]" ||
    address.toLowerCase() === "localhost";
}

/** Writes host and port as `chat join` takes them: the port only when it is not the default. */
export function joinTarget(host: string, port: number): string {
  if (port !== DEFAULT_PORT) return hostPort(host, port);
  return bracketHost(host);
}

/**
 * Reads a join target as {@linkcode joinTarget} writes it: `HOST`, `HOST:PORT`,
 * `[IPV6]`, `[IPV6]:PORT`, or a bare IPv6 address. The port is `undefined`
 * when not given, and `NaN` when given but not a number from 1 to 65535.
 */
export function parseJoinTarget(target: string): { host: string; port?: number } {
  const bracketed = target.match(/^\[([^\]]*)\](?::(.*))?$/);
  if (bracketed) return { host: bracketed[1], ...portPart(bracketed[2]) };
  const colons = target.split(":").length - 1;
  if (colons !== 1) return { host: target };
  const [host, port] = target.split(":");
  return { host, ...portPart(port) };
}

function portPart(text: string | undefined): { port?: number } {
  if (text === undefined) return {};
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  return { port: port >= 1 && port <= 65535 ? port : NaN };
}
