/**
 * `chat serve`'s room flags (`--default-room`).
 *
 * @module
 */

import { checkRoomName, DEFAULT_ROOM } from "../server/rooms/room_name.ts";
import type { ParsedArgs } from "./args.ts";
import { UsageError } from "./errors.ts";
import type { OptionTable } from "./options.ts";

/** The room options of `chat serve`. */
export const ROOM_OPTIONS: OptionTable = {
  "default-room": {
    type: "string",
    value: "#NAME",
    help: `the room everyone starts in (default ${DEFAULT_ROOM})`,
  },
};

/** What the room flags asked for. */
export interface RoomSettings {
  /** The room everyone starts in, checked. */
  defaultRoom: string;
}

/** Reads the room flags; a bad room name is a usage error. */
export function roomSettingsFrom(values: ParsedArgs["values"], command: string): RoomSettings {
  const given = values["default-room"];
  if (given === undefined) return { defaultRoom: DEFAULT_ROOM };
  const checked = checkRoomName(String(given));
  if ("code" in checked) throw new UsageError(`--default-room: ${checked.message}`, command);
  return { defaultRoom: checked.name };
}
