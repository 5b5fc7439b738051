/**
 * The multicast DNS endpoint both the announcer and the finder use:
 * `bonjour-service` (DNS-SD records, probing-free announcing, goodbyes,
 * browsing) over `multicast-dns` over `node:dgram`, bound to UDP 5353 with
 * SO_REUSEADDR so it shares the port with a running avahi or Bonjour daemon.
 *
 * @module
 */

import { Bonjour } from "bonjour-service";

/** The UDP port of multicast DNS (RFC 6762). */
export const MDNS_PORT = 5353;

/** A failure to use multicast DNS at all (the port could not be bound). */
export class MdnsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MdnsError";
  }
}

/** The parts of multicast-dns' emitter used here (bonjour-service keeps it private). */
interface MdnsEmitter {
  on(event: "error" | "warning", listener: (error: Error) => void): void;
}

/**
 * Opens the endpoint. `onError` hears a failure to bind UDP 5353 (in use by
 * a program that does not share it, or not allowed); without a listener,
 * multicast-dns would throw it out of an event handler. Interface-level
 * problems (joining the group on one interface) are ignored: the others
 * still work, and where none does, nothing is heard, which callers report.
 */
export function openMdns(onError: (error: MdnsError) => void): Bonjour {
  const bonjour = new Bonjour({}, (error: Error) => onError(bindError(error)));
  const mdns = (bonjour as unknown as { server: { mdns: MdnsEmitter } }).server.mdns;
  mdns.on("error", (error) => onError(bindError(error)));
  mdns.on("warning", () => {});
  return bonjour;
}

/** Closes the endpoint; resolves once the socket is closed (or after `timeoutMs`). */
export function closeMdns(bonjour: Bonjour, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      bonjour.destroy(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

function bindError(error: Error): MdnsError {
  const code = (error as { code?: string }).code;
  const why = code === "EADDRINUSE"
    ? "another program holds it without sharing it"
    : code === "EACCES"
    ? "this computer does not allow it"
    : error.message;
  return new MdnsError(`Can't use multicast DNS on UDP port ${MDNS_PORT}: ${why}.`, {
    cause: error,
  });
}
