/**
 * `chat serve`'s part in LAN discovery: the `--name` and `--no-announce`
 * flags, and announcing the room once it listens (src/discovery/).
 *
 * @module
 */

import { RoomAnnouncer } from "../discovery/room_announcer.ts";
import { MAX_ROOM_NAME_LENGTH } from "../discovery/room_record.ts";
import { sanitizeLine } from "../text/sanitize.ts";
import type { ParsedArgs } from "./args.ts";
import { isLoopback } from "./addresses.ts";
import { UsageError } from "./errors.ts";
import type { OptionTable } from "./options.ts";

/**
 * The options for announcing, each with its help text (the "Local network"
 * section of `chat serve --help`).
 */
export const ANNOUNCE_OPTIONS = {
  name: {
    type: "string",
    value: "TEXT",
    help: 'the room\'s name in "chat find" and "chat join" lists\n' +
      "(default: this computer's name)",
  },
  "no-announce": {
    type: "boolean",
    help: "don't announce the room on the local network (multicast DNS);\n" +
      "--host 127.0.0.1 never announces",
  },
} satisfies OptionTable;

/** What the announcing flags asked for. */
export interface AnnounceSettings {
  /** Announce the room on the local network. */
  announce: boolean;
  /** `--name`; `undefined` means this computer's host name. */
  roomName?: string;
}

/**
 * Reads `--name` and `--no-announce`. A room listening on a loopback address
 * is never announced: nobody else on the network could join it.
 */
export function announceSettingsFrom(
  values: ParsedArgs["values"],
  listenHost: string,
  command: string,
): AnnounceSettings {
  let roomName: string | undefined;
  if (values.name !== undefined) {
    roomName = sanitizeLine(String(values.name)).trim();
    if (roomName === "" || roomName.length > MAX_ROOM_NAME_LENGTH) {
      throw new UsageError(
        `--name must be 1 to ${MAX_ROOM_NAME_LENGTH} characters, e.g. --name "Alice's room".`,
        command,
      );
    }
  }
  return { announce: !values["no-announce"] && !isLoopback(listenHost), roomName };
}

/** What the announcement says about a running room. */
export interface AnnouncedRoom {
  listenHost: string;
  port: number;
  password: boolean;
  /** The certificate fingerprint of a TLS room. */
  fingerprint?: string;
  /** The browser page's address (the best of `pageUrls`), when browsers can join. */
  browserUrl?: string;
}

/**
 * Starts announcing the room as `settings` say (or not at all); logs what
 * happened. A failure to announce is told, never fatal: friends can still
 * join by address.
 */
export function announceRoom(
  settings: AnnounceSettings,
  room: AnnouncedRoom,
  log: (line: string) => void,
): RoomAnnouncer | undefined {
  if (!settings.announce) return undefined;
  const hostname = machineHostname();
  const name = settings.roomName ?? hostname;
  const announcer = RoomAnnouncer.start({
    room: {
      name,
      password: room.password,
      tls: room.fingerprint !== undefined,
      fingerprint: room.fingerprint,
      browserUrl: room.browserUrl,
    },
    port: room.port,
    hostname,
    ipv6: room.listenHost === "::",
    onError: (error) =>
      log(`Not announced on the local network: ${error.message} Friends can join by address.`),
    onAnnounced: () =>
      log(`Announced on the local network as "${name}": "chat join" finds it without an address.`),
  });
  return announcer;
}

/** This computer's name, or "chat" when the system will not say. */
function machineHostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "chat";
  }
}
