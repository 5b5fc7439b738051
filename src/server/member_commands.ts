/**
 * The commands every member can use: talking, whispering, renaming, leaving.
 *
 * @module
 */

import { type MemberCommand, usageRefusal } from "./command.ts";
import { splitFirstWord } from "../text/command_line.ts";

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
      context.room.say(context.member, action, true);
      return undefined;
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
      return context.room.whisper(context.member, to, text);
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
      return context.room.rename(context.member, name);
    },
  },
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
