/**
 * How a host and port are written, in logs, messages and the known-hosts
 * file alike.
 *
 * @module
 */

/** Writes `host:port`, with an IPv6 host in brackets (and without a zone). */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host.split("%")[0]}]:${port}` : `${host}:${port}`;
}
