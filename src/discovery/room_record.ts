/**
 * What a room says about itself on the local network, and how that is
 * written into and read back from a DNS-SD service (RFC 6763): service type
 * `_chat._tcp`, one instance per room, the details in its TXT record.
 * Pure: no sockets here (room_announcer.ts and room_finder.ts do the I/O).
 *
 * TXT keys (docs/PROTOCOL.md, "Finding rooms on the local network"):
 * `proto` protocol version, `name` the room's name, `password` 1 or 0,
 * `tls` 1 or 0, `fp` the certificate fingerprint (TLS rooms), `web` the
 * browser address, `members` (optional).
 *
 * @example
 * ```ts
 * const txt = announcementTxt({ name: "Alice's room", password: false, tls: false });
 * // { proto: "2", name: "Alice's room", password: "0", tls: "0" }
 * ```
 *
 * @module
 */

import { PROTOCOL_VERSION } from "../protocol/constants.ts";
import { normalizeFingerprint } from "../protocol/fingerprint.ts";
import { sanitizeLine } from "../text/sanitize.ts";

/** The DNS-SD service type's name: rooms are `_chat._tcp.local`. */
export const SERVICE_TYPE = "chat";

/** The longest room name, in characters (a TXT string holds at most 255 bytes). */
export const MAX_ROOM_NAME_LENGTH = 60;

/** What `chat serve` announces about its room. */
export interface RoomAnnouncement {
  /** The room's name as people see it in lists (`--name`, default the host name). */
  name: string;
  /** Members must give a password. */
  password: boolean;
  /** The room speaks TLS. */
  tls: boolean;
  /** The certificate's fingerprint (`SHA256:…`), for TLS rooms. */
  fingerprint?: string;
  /** The address browsers open to join (`http(s)://…`), as the room's computer sees it. */
  browserUrl?: string;
  /** How many members are in the room, when announced. */
  members?: number;
}

/** A room heard on the local network, ready to list or join. */
export interface FoundRoom {
  /** The room's name (cleaned: it comes from the network). */
  name: string;
  /** The address to connect to. */
  address: string;
  /** The TCP port. */
  port: number;
  /** Every address the room's computer announced (IPv4 first). */
  addresses: string[];
  /** The protocol version it speaks, if it said. */
  protocol?: number;
  /** It needs a password. */
  password: boolean;
  /** It speaks TLS. */
  tls: boolean;
  /** Its certificate fingerprint, when a TLS room announced a well-formed one. */
  fingerprint?: string;
  /** The browser address, when announced. */
  browserUrl?: string;
  /** Members, when announced. */
  members?: number;
  /** The DNS-SD instance name (what `avahi-browse` shows). */
  instance: string;
}

/** The TXT record of a room's announcement. */
export function announcementTxt(room: RoomAnnouncement): Record<string, string> {
  const txt: Record<string, string> = {
    proto: String(PROTOCOL_VERSION),
    name: room.name,
    password: room.password ? "1" : "0",
    tls: room.tls ? "1" : "0",
  };
  if (room.tls && room.fingerprint) txt.fp = room.fingerprint;
  if (room.browserUrl) txt.web = room.browserUrl;
  if (room.members !== undefined) txt.members = String(room.members);
  return txt;
}

/**
 * The DNS-SD instance name of a room: its name and where it runs, so two
 * rooms never share one (two `chat serve` on one computer, or two computers
 * whose rooms have the default name). At most 63 bytes, as DNS requires.
 */
export function instanceName(roomName: string, hostLabel: string, port: number): string {
  const where = ` (${hostLabel}:${port})`;
  let name = roomName;
  while (new TextEncoder().encode(name + where).length > 63) name = name.slice(0, -1);
  return (name.trim() || "chat") + where;
}

/**
 * A host name reduced to one DNS label of letters, digits and hyphens,
 * lower case (`Alice's MacBook.local` → `alice-s-macbook`).
 */
export function hostLabel(hostname: string): string {
  const label = hostname.split(".")[0].toLowerCase().replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 40);
  return label || "chat";
}

/**
 * The SRV target of a room: a host name of its own per port, never the
 * computer's own `HOST.local` — that name belongs to avahi or Bonjour, which
 * would take our records for a conflict and rename the computer, and a
 * goodbye for it from one room would also withdraw another room's addresses.
 */
export function serviceHost(hostname: string, port: number): string {
  return `${hostLabel(hostname)}-chat-${port}.local`;
}

/** A DNS-SD service as the browser reports it (the fields used here). */
export interface HeardService {
  name?: string;
  port?: number;
  addresses?: string[];
  txt?: Record<string, unknown>;
  /** Where the answer came from. */
  referer?: { address?: string };
}

/**
 * Reads a heard service as a room, or `null` when it is not one of ours
 * (no port, no address). Everything in it comes from the network, so the
 * name is cleaned and the fingerprint must be well formed.
 */
export function roomFromService(service: HeardService): FoundRoom | null {
  const port = service.port;
  if (!Number.isInteger(port) || port! < 1 || port! > 65535) return null;
  const txt = service.txt ?? {};
  const text = (key: string) => {
    const value = txt[key];
    return typeof value === "string" ? value : undefined;
  };
  const addresses = [...(service.addresses ?? [])]
    .sort((a, b) => Number(a.includes(":")) - Number(b.includes(":")));
  // The answer's source is an address of the room's computer on the network we share with it.
  const address = service.referer?.address ?? addresses[0];
  if (!address) return null;
  const instance = sanitizeLine(service.name ?? "");
  const name = sanitizeLine(text("name") ?? "").trim().slice(0, MAX_ROOM_NAME_LENGTH) ||
    instance;
  const tls = text("tls") === "1";
  const fingerprint = tls ? normalizeFingerprint(text("fp") ?? "") : undefined;
  const protocol = wholeNumber(text("proto"));
  const members = wholeNumber(text("members"));
  const web = text("web");
  return {
    name,
    address,
    port: port!,
    addresses,
    ...(protocol !== undefined ? { protocol } : {}),
    password: text("password") === "1",
    tls,
    ...(fingerprint ? { fingerprint } : {}),
    // No spaces and no control characters (C0, DEL, C1): it may be printed in a terminal.
    ...(web && /^https?:\/\/[^\s\p{Cc}]+$/u.test(web) ? { browserUrl: web } : {}),
    ...(members !== undefined ? { members } : {}),
    instance,
  };
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}
