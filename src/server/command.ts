/**
 * What a server command is: name, aliases, usage, help and handler, plus the
 * context a handler gets. Commands are data; the registry in commands.ts
 * collects them and generates `/help`.
 *
 * @module
 */

import type { Refusal } from "../protocol/errors.ts";
import type { InfoFrame, MembersFrame } from "../protocol/frames.ts";
import type { Ban } from "./ban_list.ts";
import type { Member, Room } from "./room.ts";
import type { ClientRooms, ServerPlaces } from "./rooms/client_rooms.ts";
import type { RoomSummary } from "./rooms/room_registry.ts";
import { type CommandShape, usageOf } from "../text/command_line.ts";

/** Who may run a command: room members, the server operator, or both. */
export type CommandScope = "member" | "operator" | "everyone";

/** What the operator's commands can do to the server. */
export interface Moderation {
  /** Disconnects a member, announcing why. */
  kick(name: string, reason?: string): Refusal | undefined;
  /** Bans a member's address (for `durationMs`, or until the server stops) and disconnects it. */
  ban(name: string, durationMs?: number): Refusal | undefined;
  /** Lifts a ban by address or by the banned name. */
  unban(target: string): Ban | undefined;
  /** Bans in force. */
  bans(): Ban[];
  /** Members with their addresses. */
  members(): Array<{ name: string; address: string }>;
  /** Announces a text to every room. */
  say(text: string): void;
  /** Removes a room with its history; its members go to another room. */
  closeRoom(name: string): Refusal | undefined;
  /** Creates a room (also when members may not); returns its name. */
  openRoom(name: string): Refusal | string;
  /** Every room, with member counts and topics. */
  rooms(): RoomSummary[];
  /** The nodes of a chat shared over Redis (`--redis`), this one first; undefined for a lone server. */
  nodes?(): Array<{ id: string; listen: string }> | undefined;
}

/** What a command handler can see and do. */
export interface CommandContext {
  /** The room the command is typed in (the default room on the server console). */
  room: Room;
  /** The server's clients and rooms. */
  places?: ServerPlaces;
  /** The member who typed the command; absent on the server console. */
  member?: Member;
  /** The member's name and rooms; absent on the server console. */
  rooms?: ClientRooms;
  /** The operator's powers; present on the server console only. */
  moderation?: Moderation;
  /** Answers the caller only. */
  reply(frame: InfoFrame | MembersFrame): void;
  /** Ends the caller's session politely. */
  quit(reason?: string): void;
}

/** One command of the registry. */
export interface Command<Needs extends Partial<CommandContext> = Record<never, never>> {
  name: string;
  aliases: string[];
  /** Arguments as shown in help, e.g. `NAME TEXT`; empty when there are none. */
  args: string;
  summary: string;
  scope: CommandScope;
  /** Runs the command with the text after its name; returns a refusal to report to the caller. */
  run(context: CommandContext & Needs, args: string): Refusal | undefined;
}

/** A member's command: the context always has the member. */
export type MemberCommand = Command<{ member: Member; rooms: ClientRooms; places: ServerPlaces }>;

/** An operator's command: the context always has the moderation actions. */
export type OperatorCommand = Command<{ moderation: Moderation }>;

/** A refusal for a command used with the wrong arguments. */
export function usageRefusal(command: CommandShape): Refusal {
  return { code: "bad_arguments", message: `Usage: ${usageOf(command)}` };
}
