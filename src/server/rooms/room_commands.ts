/**
 * The members' room commands: `/join`, `/part`, `/rooms`, `/topic`.
 * (`/who` lists the current room; it is in commands.ts with `/help`.)
 *
 * @module
 */

import {
  type Command,
  type MemberCommand,
  type OperatorCommand,
  usageRefusal,
} from "../command.ts";
import type { Refusal } from "../../protocol/errors.ts";
import { splitFirstWord } from "../../text/command_line.ts";
import { Outgoing } from "../outgoing.ts";
import type { Room } from "../room.ts";
import type { ServerPlaces } from "./client_rooms.ts";
import { presentCount } from "../../text/plain_format.ts";

/** The longest topic kept (characters). */
export const MAX_TOPIC_CHARS = 200;

/** Commands for moving between rooms and describing them. */
export const ROOM_COMMANDS: MemberCommand[] = [
  {
    name: "join",
    aliases: [],
    args: "#ROOM [KEY]",
    summary: "go to a room, creating it if it does not exist (with KEY: a private room)",
    scope: "member",
    run(context, args) {
      const [name, key] = splitFirstWord(args);
      if (!name || /\s/.test(key)) return usageRefusal(this);
      return context.rooms.join(name, undefined, key || undefined);
    },
  },
  {
    name: "part",
    aliases: [],
    args: "[#ROOM]",
    summary: "leave the room (the current one when none is named)",
    scope: "member",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (extra) return usageRefusal(this);
      return context.rooms.part(name || context.room.name);
    },
  },
  {
    name: "topic",
    aliases: [],
    args: "[TEXT]",
    summary: "set the room's topic (shown to everyone who joins); alone: show it",
    scope: "member",
    run(context, args) {
      const text = Array.from(args.trim()).slice(0, MAX_TOPIC_CHARS).join("");
      if (text === "") {
        const topic = context.room.topic;
        context.reply({
          type: "info",
          text: topic
            ? `The topic of ${context.room.name}: ${topic}`
            : `${context.room.name} has no topic; /topic TEXT sets one.`,
        });
        return undefined;
      }
      if (context.room.topicLocked && !context.rooms.operates(context.room)) {
        return {
          code: "not_room_operator",
          message: `The topic of ${context.room.name} is locked; only its operator can change it.`,
        };
      }
      context.room.setTopic(text, context.member.name);
      return undefined;
    },
  },
  {
    name: "kick",
    aliases: [],
    args: "NAME [REASON]",
    summary: "room operators: put someone out of this room",
    scope: "member",
    run(context, args) {
      const [name, reason] = splitFirstWord(args);
      if (!name) return usageRefusal(this);
      return context.rooms.kick(context.room, name, reason || undefined);
    },
  },
  {
    name: "invite",
    aliases: [],
    args: "NAME",
    summary: "room operators: let someone into this private room without the key",
    scope: "member",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return usageRefusal(this);
      return context.rooms.invite(context.room, name);
    },
  },
  {
    name: "key",
    aliases: [],
    args: "[KEY]",
    summary: "room operators: set the room's key (it becomes private); alone: remove it",
    scope: "member",
    run(context, args) {
      const key = args.trim();
      if (/\s/.test(key)) return usageRefusal(this);
      const refused = context.rooms.mustOperate(context.room);
      if (refused) return refused;
      context.room.setKey(key || undefined);
      context.reply({
        type: "info",
        text: key
          ? `${context.room.name} is private: newcomers need the key (or an /invite).`
          : `${context.room.name} is open to everyone again.`,
      });
      return undefined;
    },
  },
  {
    name: "locktopic",
    aliases: [],
    args: "on|off",
    summary: "room operators: only you may change the topic (on), or everyone (off)",
    scope: "member",
    run(context, args) {
      const choice = args.trim().toLowerCase();
      if (choice !== "on" && choice !== "off") return usageRefusal(this);
      const refused = context.rooms.mustOperate(context.room);
      if (refused) return refused;
      context.room.lockTopic(choice === "on");
      context.reply({
        type: "info",
        text: choice === "on"
          ? `The topic of ${context.room.name} is locked: only you can change it.`
          : `Everyone in ${context.room.name} can change the topic again.`,
      });
      return undefined;
    },
  },
];

/** `/rooms`, for members and the operator's console alike. */
export const ROOMS_COMMAND: Command = {
  name: "rooms",
  aliases: ["list"],
  args: "",
  summary: "list the rooms, with how many are in each and their topics",
  scope: "everyone",
  run(context) {
    const mine = new Set(context.rooms?.roomNames() ?? []);
    const list = context.moderation?.rooms() ?? context.places?.rooms.list() ?? [];
    const lines = list.map((room) => {
      const here = mine.has(room.name) ? " (you are here)" : "";
      // A private room's topic is for those in it (and the operator's console).
      const shown = !room.private || mine.has(room.name) || context.moderation !== undefined;
      const topic = room.topic && shown ? ` — ${room.topic}` : "";
      return `${room.name}: ${presentCount(room.members)}${here}${topic}`;
    });
    context.reply({ type: "info", text: ["Rooms:", ...lines].join("\n") });
    return undefined;
  },
};

/** The operator's room commands: create and close rooms. */
export const OPERATOR_ROOM_COMMANDS: OperatorCommand[] = [
  {
    name: "open",
    aliases: [],
    args: "#ROOM",
    summary: "create a room (also when members may not: --no-room-creation)",
    scope: "operator",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return usageRefusal(this);
      const opened = context.moderation.openRoom(name);
      if (typeof opened !== "string") return opened;
      context.reply({ type: "info", text: `${opened} is open.` });
      return undefined;
    },
  },
  {
    name: "close",
    aliases: [],
    args: "#ROOM",
    summary: "remove a room and its history; its members are moved out",
    scope: "operator",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return usageRefusal(this);
      const refused = context.moderation.closeRoom(name);
      if (refused) return refused;
      context.reply({ type: "info", text: `${name} is closed; its history is deleted.` });
      return undefined;
    },
  },
  {
    name: "topic",
    aliases: [],
    args: "#ROOM [TEXT]",
    summary: "set (or with no TEXT, clear) a room's topic, locked or not",
    scope: "operator",
    run(context, args) {
      const found = operatedRoom(context, args);
      if ("code" in found) return found.code === "bad_arguments" ? usageRefusal(this) : found;
      const text = Array.from(found.rest.trim()).slice(0, MAX_TOPIC_CHARS).join("");
      found.room.setTopic(text, "The operator");
      context.reply({ type: "info", text: `The topic of ${found.room.name} is set.` });
      return undefined;
    },
  },
  {
    name: "key",
    aliases: [],
    args: "#ROOM [KEY]",
    summary: "set a room's key (it becomes private), or with no KEY remove it",
    scope: "operator",
    run(context, args) {
      const found = operatedRoom(context, args);
      if ("code" in found || /\s/.test(found.rest.trim())) {
        return "code" in found && found.code !== "bad_arguments" ? found : usageRefusal(this);
      }
      const key = found.rest.trim();
      found.room.setKey(key || undefined);
      const now = key ? "private: newcomers need the key" : "open to everyone";
      context.reply({ type: "info", text: `${found.room.name} is ${now}.` });
      return undefined;
    },
  },
  {
    name: "invite",
    aliases: [],
    args: "#ROOM NAME",
    summary: "let NAME into a private room without the key",
    scope: "operator",
    run(context, args) {
      const found = operatedRoom(context, args);
      const name = "code" in found ? "" : found.rest.trim();
      if ("code" in found || !name || /\s/.test(name)) {
        return "code" in found && found.code !== "bad_arguments" ? found : usageRefusal(this);
      }
      const target = context.places?.clients.find(name);
      const text =
        `The operator invited you to ${found.room.name}: /join ${found.room.name} to go there.`;
      const invited = target ?? context.places?.remote?.find(name); // or on another node
      if (!invited) return { code: "no_such_member", message: `Nobody called "${name}" is here.` };
      target?.spoke(); // the invite is kept for the holder of the name: their claim with it
      found.room.invite(invited.holder); // before the notice: another node hears of it first
      if (target) target.member.deliver(new Outgoing({ type: "info", text }));
      else context.places?.remote?.tell(name, text);
      context.reply({ type: "info", text: `${invited.name} may now join ${found.room.name}.` });
      return undefined;
    },
  },
];

/**
 * The room named first in an operator's command, and the rest of its
 * arguments; `bad_arguments` when there is no name, `no_such_room` when there
 * is no such room.
 */
function operatedRoom(
  context: { places?: ServerPlaces },
  args: string,
): { room: Room; rest: string } | Refusal {
  const [name, rest] = splitFirstWord(args);
  if (!name) return { code: "bad_arguments", message: "" };
  const room = context.places?.rooms.find(name);
  if (!room) {
    return { code: "no_such_room", message: `There is no room ${name}. /rooms lists them.` };
  }
  return { room, rest };
}
