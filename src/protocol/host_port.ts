/**
 * How a host and port are written, in logs, messages and the known-hosts
 * file alike.
 *
 * @module
 */

/** Writes a host so a port can follow it: an IPv6 address in brackets, without its zone. */
export function bracketHost(host: string): string {
  return host.includes(":") ? `[${host.split("%")[0]}]` : host;
}

/** Writes `host:port`, with an IPv6 host in brackets (and without a zone). */
export function hostPort(host: string, port: number): string {
  return `${bracketHost(host)}:${port}`;
}
