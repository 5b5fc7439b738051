/**
 * `chat join` without an address: listen for rooms on the local network
 * for about a second, then join the only one, let the person choose among
 * several (a select prompt), or say how to join by address. Plain mode (a
 * pipe) never prompts: it joins the only room, or exits 1 listing them.
 *
 * When nothing answers but a room listens on this computer (localhost, the
 * default port — where `chat join` without an address went before rooms
 * were announced), that one is joined, so `chat serve --host 127.0.0.1`
 * and a network without multicast keep working as they did.
 *
 * A TLS room's announced fingerprint becomes the first-visit pin: joining
 * works like `--fingerprint` with it, unless this computer already pinned
 * that room (known_hosts), whose pin then wins.
 *
 * @module
 */

import { join } from "node:path";
import { select } from "@inquirer/prompts";
import { MdnsError } from "../discovery/mdns.ts";
import { findRooms } from "../discovery/room_finder.ts";
import type { FoundRoom } from "../discovery/room_record.ts";
import { KnownHosts } from "../client/known_hosts.ts";
import { hostPort } from "../protocol/host_port.ts";
import { joinTarget } from "./addresses.ts";
import { configDir } from "./dirs.ts";
import { UserError } from "./errors.ts";
import { joinCommandName } from "./serve_banner.ts";
import { LISTEN_MS, roomLine } from "./find_command.ts";
import type { JoinSettings } from "./join_command.ts";

/**
 * The settings to join with: `settings` as they are when an address was
 * given; otherwise those of the room found on the local network, or `null`
 * when there is nothing to do (help was printed, or the choice was cancelled).
 */
export async function withRoomFromNetwork(
  settings: JoinSettings | null,
  interactive: boolean,
): Promise<JoinSettings | null> {
  if (!settings?.discover) return settings;
  let rooms: FoundRoom[] = [];
  let unusable: UserError | undefined;
  try {
    rooms = await listen();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    unusable = error;
  }
  if (rooms.length === 0 && await listensHere(settings.host, settings.port)) {
    console.error(
      `No room answered on the local network; joining the one on this computer (${
        hostPort(settings.host, settings.port)
      }).`,
    );
    return settings;
  }
  if (unusable) throw unusable;
  const room = await chooseRoom(rooms, interactive);
  if (!room) return null;
  return {
    ...settings,
    host: room.address,
    port: room.port,
    tls: settings.tls ?? (room.tls ? await announcedPin(room) : undefined),
  };
}

async function listen(): Promise<FoundRoom[]> {
  try {
    return await findRooms(LISTEN_MS);
  } catch (error) {
    if (!(error instanceof MdnsError)) throw error;
    throw new UserError(`${error.message} Join by address instead: "chat join HOST".`, {
      cause: error.cause,
    });
  }
}

/** True when something accepts connections at `host:port` (tried for at most half a second). */
async function listensHere(host: string, port: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 500));
  const attempt = Deno.connect({ hostname: host, port }).catch(() => null);
  const conn = await Promise.race([attempt, late]);
  clearTimeout(timer);
  if (conn === null) attempt.then((late) => late?.close());
  conn?.close();
  return conn !== null;
}

/** The room to join among those found; `null` when the person cancelled the choice. */
async function chooseRoom(rooms: FoundRoom[], interactive: boolean): Promise<FoundRoom | null> {
  if (rooms.length === 0) {
    throw new UserError(
      "No chat room answered on the local network (a firewall may block multicast DNS, UDP 5353). " +
        'Join by address instead: "chat join HOST", with the address "chat serve" shows.',
    );
  }
  if (rooms.length === 1) {
    console.error(`Found one room on the local network: ${roomLine(rooms[0])}. Joining it.`);
    return rooms[0];
  }
  if (!interactive) {
    throw new UserError(
      [
        `${rooms.length} rooms answered on the local network; join one by its address:`,
        ...roomJoinCommands(rooms),
      ].join("\n"),
    );
  }
  try {
    return await select({
      message: "Which room?",
      choices: rooms.map((room) => ({ name: roomLine(room), value: room })),
    });
  } catch (error) {
    if (error instanceof Error && error.name === "ExitPromptError") return null; // Ctrl-C
    throw error;
  }
}

/**
 * The command that joins each room (a TLS room's with `--tls` and the pin it
 * announced), in a column, then the room's name: what a pipe is shown when
 * several rooms answer. `joinCommand` is how this program is started.
 */
export function roomJoinCommands(
  rooms: FoundRoom[],
  joinCommand: string = joinCommandName(),
): string[] {
  const commands = rooms.map((room) => {
    const pin = room.fingerprint ? ` --fingerprint ${room.fingerprint}` : "";
    return `${joinCommand}${room.tls ? ` --tls${pin}` : ""} ${joinTarget(room.address, room.port)}`;
  });
  const width = Math.max(...commands.map((command) => command.length));
  return commands.map((command, i) => `  ${command.padEnd(width)}  ${rooms[i].name}`);
}

/**
 * The TLS check for a room found on the network: pinned to the fingerprint
 * it announced, unless this computer already knows the room (its remembered
 * pin applies then, and a room announcing another certificate is refused as
 * for any changed certificate).
 */
async function announcedPin(room: FoundRoom): Promise<NonNullable<JoinSettings["tls"]>> {
  if (!room.fingerprint) return {};
  const known = await new KnownHosts(join(configDir(), "known_hosts"))
    .lookup(hostPort(room.address, room.port)).catch(() => undefined);
  if (known !== undefined) return {};
  console.error(
    `Its certificate must match the fingerprint it announced, ${room.fingerprint}. ` +
      'Anyone on this network can announce a room: if it matters, compare it with the one "chat serve" printed.',
  );
  return { fingerprint: room.fingerprint };
}
