/**
 * Announces a room on the local network with DNS-SD over multicast DNS, so
 * `chat find`, `chat join` without an address, `avahi-browse -r _chat._tcp`
 * and `dns-sd -B _chat._tcp` see it; says goodbye (the records again with
 * TTL 0) when it stops, so it leaves every list at once.
 *
 * @example
 * ```ts
 * const announcer = RoomAnnouncer.start({
 *   room: { name: "Alice's room", password: false, tls: false },
 *   port: 53000,
 *   hostname: Deno.hostname(),
 *   onError: (error) => console.error(error.message),
 * });
 * await announcer.stop();
 * ```
 *
 * @module
 */

import type { Bonjour } from "bonjour-service";
import { closeMdns, type MdnsError, openMdns } from "./mdns.ts";
import {
  announcementTxt,
  hostLabel,
  instanceName,
  type RoomAnnouncement,
  SERVICE_TYPE,
  serviceHost,
} from "./room_record.ts";

/** What to announce and where the room listens. */
export interface AnnounceOptions {
  room: RoomAnnouncement;
  /** The TCP port the room listens on. */
  port: number;
  /** This computer's host name (names the instance and the SRV target). */
  hostname: string;
  /** Announce IPv6 addresses too (the room listens on `::`). */
  ipv6?: boolean;
  /** Told when multicast DNS cannot be used; the room goes on without being announced. */
  onError: (error: MdnsError) => void;
  /** Told once the first announcement has gone out. */
  onAnnounced?: () => void;
}

/** A room being announced. */
export class RoomAnnouncer {
  readonly #bonjour: Bonjour;
  /** The DNS-SD instance name, as other tools list it. */
  readonly instance: string;
  #stopped = false;

  private constructor(bonjour: Bonjour, instance: string) {
    this.#bonjour = bonjour;
    this.instance = instance;
  }

  /** Starts announcing (the first announcement goes out at once). */
  static start(options: AnnounceOptions): RoomAnnouncer {
    const instance = instanceName(options.room.name, hostLabel(options.hostname), options.port);
    let failed = false;
    const bonjour = openMdns((error) => {
      failed = true;
      options.onError(error);
    });
    const service = bonjour.publish({
      name: instance,
      type: SERVICE_TYPE,
      port: options.port,
      host: serviceHost(options.hostname, options.port),
      txt: announcementTxt(options.room),
      disableIPv6: !options.ipv6,
      // The instance name carries host and port, so no other room has it; probing
      // would only delay the announcement (and bonjour-service logs a stack on a clash).
      probe: false,
    });
    // bonjour-service says "up" after its first send even when that failed; the error comes first.
    service.on("up", () => failed || options.onAnnounced?.());
    return new RoomAnnouncer(bonjour, instance);
  }

  /** Sends the goodbye and closes the socket; resolves within about a second whatever happens. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      this.#bonjour.unpublishAll(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await closeMdns(this.#bonjour);
  }
}
