/**
 * `chat serve`'s room flags: the default room, rooms made at start, who may
 * create rooms, the caps, and how long an unused room is kept.
 *
 * @module
 */

import type { RoomRules } from "../server/chat_server.ts";
import { DEFAULT_MAX_ROOMS_PER_MEMBER } from "../server/rooms/client_rooms.ts";
import { checkRoomName, DEFAULT_ROOM } from "../server/rooms/room_name.ts";
import { DEFAULT_MAX_ROOMS, DEFAULT_ROOM_EXPIRY_DAYS } from "../server/rooms/room_registry.ts";
import { integerOption, type ParsedArgs } from "./args.ts";
import { UsageError } from "./errors.ts";
import type { OptionTable } from "./options.ts";

/** The room options of `chat serve`. */
export const ROOM_OPTIONS: OptionTable = {
  "default-room": {
    type: "string",
    value: "#NAME",
    help: `the room everyone starts in (default ${DEFAULT_ROOM})`,
  },
  rooms: {
    type: "string",
    value: "A,B,…",
    help: "rooms made at start and kept however long nobody uses them",
  },
  "no-room-creation": {
    type: "boolean",
    help: "members can't create rooms; the operator can (/open #NAME)",
  },
  "max-rooms": {
    type: "string",
    value: "N",
    help: `rooms on the server at most (default ${DEFAULT_MAX_ROOMS})`,
  },
  "max-rooms-per-member": {
    type: "string",
    value: "N",
    help: `rooms one member may be in at once (default ${DEFAULT_MAX_ROOMS_PER_MEMBER})`,
  },
  "room-expiry": {
    type: "string",
    value: "DAYS",
    help:
      `a room nobody used for DAYS is removed with its history (default ${DEFAULT_ROOM_EXPIRY_DAYS})`,
  },
};

/** What the room flags asked for. */
export interface RoomSettings extends RoomRules {
  /** The room everyone starts in, checked. */
  defaultRoom: string;
}

/** Reads the room flags; a bad room name or number is a usage error. */
export function roomSettingsFrom(values: ParsedArgs["values"], command: string): RoomSettings {
  const room = (text: string, flag: string) => {
    const checked = checkRoomName(text.trim());
    if ("code" in checked) throw new UsageError(`${flag}: ${checked.message}`, command);
    return checked.name;
  };
  const given = values["default-room"];
  const preset = values.rooms === undefined
    ? undefined
    : String(values.rooms).split(",").filter((name) => name.trim() !== "").map((name) =>
      room(name, "--rooms")
    );
  const count = (flag: string, max: number) =>
    integerOption(values[flag], `--${flag}`, command, { min: 1, max });
  return {
    defaultRoom: given === undefined ? DEFAULT_ROOM : room(String(given), "--default-room"),
    ...(preset ? { preset } : {}),
    ...(values["no-room-creation"] ? { creation: false } : {}),
    maxRooms: count("max-rooms", 1_000_000),
    maxRoomsPerMember: count("max-rooms-per-member", 10_000),
    expiryDays: count("room-expiry", 36_500),
  };
}
