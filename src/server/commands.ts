/**
 * The one command registry: member and operator commands plus the two every
 * caller has (`/help`, `/who`). `/help` is generated from it, so a command
 * cannot exist without being documented. Handlers act on the room; they
 * never touch sockets.
 *
 * @module
 */

import type { Refusal } from "../protocol/errors.ts";
import type { Command, CommandContext } from "./command.ts";
import {
  commandTable,
  splitFirstWord,
  unknownCommandMessage,
  usageOf,
} from "../text/command_line.ts";
import { MEMBER_COMMANDS } from "./member_commands.ts";
import { OPERATOR_COMMANDS } from "./operator_commands.ts";
import { OPERATOR_ROOM_COMMANDS, ROOMS_COMMAND } from "./rooms/room_commands.ts";
import type { Room } from "./room.ts";

type Caller = "member" | "operator";

const SHARED_COMMANDS: Command[] = [
  {
    name: "help",
    aliases: ["?"],
    args: "",
    summary: "list the commands",
    scope: "everyone",
    run(context) {
      context.reply({ type: "info", text: helpText(context.moderation ? "operator" : "member") });
      return undefined;
    },
  },
  {
    name: "who",
    aliases: ["names"],
    args: "",
    summary: "list who is in the room",
    scope: "everyone",
    run(context) {
      const members = context.room.names();
      const away = awayTexts(context.room, members);
      context.reply({
        type: "members",
        room: context.room.name,
        members,
        ...(away ? { away } : {}),
      });
      return undefined;
    },
  },
];

/** The `/away` texts of `names`, by name; undefined when nobody is away. */
function awayTexts(room: Room, names: string[]): Record<string, string> | undefined {
  const away = names.flatMap((name) => {
    const text = room.find(name)?.away;
    return text === undefined ? [] : [[name, text] as const];
  });
  return away.length > 0 ? Object.fromEntries(away) : undefined;
}

// Each handler's context type is guaranteed by runCommand's scope check below.
const REGISTRY = [
  ...SHARED_COMMANDS,
  ROOMS_COMMAND,
  ...MEMBER_COMMANDS,
  ...OPERATOR_COMMANDS,
  ...OPERATOR_ROOM_COMMANDS,
] as Command[];

function allowedFor(command: Command, caller: Caller): boolean {
  return command.scope === "everyone" || command.scope === caller;
}

/** Finds a command by name or alias (case-insensitive). */
export function findCommand(name: string): Command | undefined {
  const wanted = name.toLowerCase();
  return REGISTRY.find((c) => c.name === wanted || c.aliases.includes(wanted));
}

/** Names of the commands a caller may use (for completion and docs). */
export function commandNames(caller: Caller): string[] {
  return REGISTRY.filter((c) => allowedFor(c, caller)).map((c) => c.name);
}

/** The `/help` text for members or for the operator, generated from the registry. */
export function helpText(caller: Caller): string {
  const rows = REGISTRY.filter((c) => allowedFor(c, caller)).map((c) => {
    const aliases = c.aliases.length ? ` (also /${c.aliases.join(", /")})` : "";
    return [usageOf(c), `${c.summary}${aliases}`] as const;
  });
  const hint = caller === "member"
    ? "Anything else you type is sent to everyone."
    : "Anything else you type is announced to the room.";
  return ["Commands:", ...commandTable(rows), hint].join("\n");
}

/**
 * Runs a command line such as `/msg bob hi` (the leading `/` included). The
 * caller is the operator when the context has moderation actions, a member
 * otherwise. Returns a refusal for unknown commands, commands the caller may
 * not use, and bad arguments.
 */
export function runCommand(context: CommandContext, line: string): Refusal | undefined {
  const [word, args] = splitFirstWord(line.slice(1));
  const caller: Caller = context.moderation ? "operator" : "member";
  // A name can mean one command for members and another for the operator (/kick).
  const wanted = word.toLowerCase();
  const command =
    REGISTRY.find((c) =>
      (c.name === wanted || c.aliases.includes(wanted)) && allowedFor(c, caller)
    ) ?? findCommand(word);
  if (!command || !allowedFor(command, caller) || (caller === "member" && !context.member)) {
    return { code: "unknown_command", message: unknownCommandMessage(word) };
  }
  return command.run(context, args);
}
