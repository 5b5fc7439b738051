/**
 * The members' room commands: `/join`, `/part`, `/rooms`, `/topic`.
 * (`/who` lists the current room; it is in commands.ts with `/help`.)
 *
 * @module
 */

import { type MemberCommand, usageRefusal } from "../command.ts";
import { splitFirstWord } from "../../text/command_line.ts";
import { presentCount } from "../../text/plain_format.ts";

/** The longest topic kept (characters). */
export const MAX_TOPIC_CHARS = 200;

/** Commands for moving between rooms and describing them. */
export const ROOM_COMMANDS: MemberCommand[] = [
  {
    name: "join",
    aliases: [],
    args: "#ROOM",
    summary: "go to a room, creating it if it does not exist",
    scope: "member",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return usageRefusal(this);
      return context.rooms.join(name);
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
    name: "rooms",
    aliases: ["list"],
    args: "",
    summary: "list the rooms, with how many are in each and their topics",
    scope: "member",
    run(context) {
      const mine = new Set(context.rooms.roomNames());
      const lines = context.places.rooms.list().map((room) => {
        const here = mine.has(room.name) ? " (you are here)" : "";
        const topic = room.topic ? ` — ${room.topic}` : "";
        return `${room.name}: ${presentCount(room.members)}${here}${topic}`;
      });
      context.reply({ type: "info", text: ["Rooms:", ...lines].join("\n") });
      return undefined;
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
      context.room.setTopic(text, context.member.name);
      return undefined;
    },
  },
];
