/**
 * `chat find`: lists the rooms on the local network (multicast DNS,
 * src/discovery/), once or as they come and go (`--watch`), for people or
 * as JSON for scripts.
 *
 * @module
 */

import stringWidth from "string-width";
import { MdnsError } from "../discovery/mdns.ts";
import { findRooms, RoomFinder } from "../discovery/room_finder.ts";
import type { FoundRoom } from "../discovery/room_record.ts";
import { hostPort } from "../protocol/host_port.ts";
import { noPositionals, parseCommandLine } from "./args.ts";
import { EXIT_OK, UserError } from "./errors.ts";
import {
  optionSections,
  type OptionTable,
  parserOptions,
  printedHelpOrVersion,
  STANDARD_OPTIONS,
} from "./options.ts";
import { untilStopSignal } from "./serve_command.ts";

const COMMAND = "chat find";

/** How long `chat find` (and `chat join` without an address) listens for answers. */
export const LISTEN_MS = 1000;

/** What `chat find` says while nobody has answered. */
const NO_ANSWERS_YET =
  "No rooms found: no answers; your firewall may block multicast DNS (UDP 5353)";

/** What `chat find` says when nobody answered. */
export const NO_ANSWERS = `${NO_ANSWERS_YET}. Join by address instead: "chat join HOST".`;

const OPTIONS: OptionTable = {
  json: { type: "boolean", help: "print the rooms as JSON (with --watch: one event per line)" },
  watch: {
    type: "boolean",
    short: "w",
    help: "keep listening and show rooms as they come and go (Ctrl-C stops)",
  },
  ...STANDARD_OPTIONS,
};

/** `chat find --help`. */
export const FIND_HELP = `Usage: chat find [options]

List the chat rooms on the local network: rooms started with "chat serve"
announce themselves with multicast DNS (DNS-SD, service _chat._tcp), and
answer within a second.

${optionSections([{ title: "Options", options: OPTIONS }])}

Examples:
  chat find
  chat find --json`;

/** Runs `chat find`; returns the exit code. */
export async function runFind(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, parserOptions(OPTIONS), COMMAND);
  if (printedHelpOrVersion(values, FIND_HELP)) return EXIT_OK;
  noPositionals(positionals, COMMAND);
  const json = Boolean(values.json);
  if (values.watch) return await watch(json);
  let rooms: FoundRoom[];
  try {
    rooms = await findRooms(LISTEN_MS);
  } catch (error) {
    throw unusable(error);
  }
  if (json) console.log(JSON.stringify(rooms, null, 2));
  else if (rooms.length > 0) console.log(roomTable(rooms).join("\n"));
  if (rooms.length === 0) console.error(NO_ANSWERS);
  return EXIT_OK;
}

/** Prints rooms as they come and go until Ctrl-C (or until multicast DNS fails). */
async function watch(json: boolean): Promise<number> {
  let heardAny = false;
  let fail = (_error: MdnsError) => {};
  const failed = new Promise<MdnsError>((resolve) => fail = resolve);
  const finder = RoomFinder.start(({ type, room }) => {
    heardAny = true;
    if (json) console.log(JSON.stringify({ event: type, room }));
    else console.log(`${type === "up" ? "+" : "-"} ${roomLine(room)}`);
  }, (error) => fail(error));
  const hint = setTimeout(() => {
    if (!heardAny) console.error(`${NO_ANSWERS_YET} (still listening; Ctrl-C stops).`);
  }, LISTEN_MS);
  const failure = await Promise.race([untilStopSignal().then(() => undefined), failed]);
  clearTimeout(hint);
  await finder.close();
  if (failure) throw unusable(failure);
  return EXIT_OK;
}

/**
 * Rooms as aligned rows under a heading: name, address:port, members (a
 * column only when some room announced them), password/TLS.
 */
export function roomTable(rooms: FoundRoom[]): string[] {
  const withMembers = rooms.some((room) => room.members !== undefined);
  const keep = (row: string[]) => withMembers ? row : row.filter((_, column) => column !== 2);
  const rows = [["NAME", "ADDRESS", "MEMBERS", "ACCESS"], ...rooms.map(roomColumns)].map(keep);
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => stringWidth(row[column])))
  );
  return rows.map((row) =>
    row.map((cell, column) =>
      column === row.length - 1 ? cell : cell + " ".repeat(widths[column] - stringWidth(cell))
    ).join("  ").trimEnd()
  );
}

/** One room on one line, for --watch and for messages. */
export function roomLine(room: FoundRoom): string {
  const [name, address, members, access] = roomColumns(room);
  const details = [members === "-" ? "" : `${members} members`, access === "open" ? "" : access]
    .filter(Boolean).join(", ");
  return `${name}  ${address}${details ? `  (${details})` : ""}`;
}

function roomColumns(room: FoundRoom): string[] {
  const access = [room.password ? "password" : "", room.tls ? "TLS" : ""].filter(Boolean);
  return [
    room.name,
    hostPort(room.address, room.port),
    room.members === undefined ? "-" : String(room.members),
    access.length ? access.join(", ") : "open",
  ];
}

function unusable(error: unknown): unknown {
  if (!(error instanceof MdnsError)) return error;
  return new UserError(`${error.message} Join by address instead: "chat join HOST".`, {
    cause: error.cause,
  });
}
