/**
 * The commands every member can use: talking, whispering, renaming, leaving.
 *
 * @module
 */

import { type MemberCommand, usageRefusal } from "./command.ts";
import { splitFirstWord } from "../text/command_line.ts";
import { ROOM_COMMANDS } from "./rooms/room_commands.ts";

/** The longest `/away` text kept (characters). */
const MAX_AWAY_CHARS = 200;

/** Commands for room members. */
export const MEMBER_COMMANDS: MemberCommand[] = [
  {
    name: "me",
    aliases: [],
    args: "ACTION",
    summary: "describe what you are doing: /me waves",
    scope: "member",
    run(context, args) {
      const action = args.trim();
      if (!action) return usageRefusal(this);
      return context.rooms.say(action, context.room.name, true);
    },
  },
  {
    name: "msg",
    aliases: ["tell", "whisper"],
    args: "NAME TEXT",
    summary: "send a private message to one member",
    scope: "member",
    run(context, args) {
      const [to, text] = splitFirstWord(args);
      if (!to || !text) return usageRefusal(this);
      const refused = context.places.clients.whisper(context.rooms.client, to, text);
      // The automatic reply of someone marked away.
      const recipient = refused ? undefined : context.places.clients.find(to)?.member;
      if (recipient?.away !== undefined && recipient !== context.member) {
        context.reply({ type: "info", text: `${recipient.name} is away: ${recipient.away}` });
      }
      return refused;
    },
  },
  {
    name: "away",
    aliases: [],
    args: "[TEXT]",
    summary: "mark yourself away (shown in /who, answers private messages); alone: back",
    scope: "member",
    run(context, args) {
      const text = Array.from(args.trim()).slice(0, MAX_AWAY_CHARS).join("");
      if (text) {
        context.member.away = text;
        context.reply({
          type: "info",
          text: `You are marked away ("${text}"). /away alone marks you back.`,
        });
      } else {
        const wasAway = context.member.away !== undefined;
        delete context.member.away;
        context.reply({
          type: "info",
          text: wasAway ? "You are back." : "You were not away. /away TEXT marks you away.",
        });
      }
      return undefined;
    },
  },
  {
    name: "nick",
    aliases: ["name"],
    args: "NEWNAME",
    summary: "change your name",
    scope: "member",
    run(context, args) {
      const [name, extra] = splitFirstWord(args);
      if (!name || extra) return usageRefusal(this);
      return context.places.clients.rename(context.rooms.client, name);
    },
  },
  ...ROOM_COMMANDS,
  {
    name: "quit",
    aliases: ["exit", "leave"],
    args: "",
    summary: "leave the room (typing {quit} works too)",
    scope: "member",
    run(context, args) {
      context.quit(args.trim() || undefined);
      return undefined;
    },
  },
];
