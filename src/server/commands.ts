/**
 * Server commands as data: one registry of name, aliases, usage, help and
 * handler. `/help` is generated from it, so a command cannot exist without
 * being documented. Handlers act on the room; they never touch sockets.
 *
 * @module
 */

import type { Refusal } from "../protocol/errors.ts";
import type { InfoFrame, MembersFrame } from "../protocol/frames.ts";
import type { Member, Room } from "./room.ts";

/** Who may run a command: room members, the server operator, or both. */
export type CommandScope = "member" | "operator" | "everyone";

/** What a command handler can see and do. */
export interface CommandContext {
  room: Room;
  /** The member who typed the command; absent on the server console. */
  member?: Member;
  /** True on the server console. */
  operator: boolean;
  /** Answers the caller only. */
  reply(frame: InfoFrame | MembersFrame): void;
  /** Ends the caller's session politely. */
  quit(reason?: string): void;
}

/** One command of the registry. */
export interface Command {
  name: string;
  aliases: string[];
  /** Arguments as shown in help, e.g. `NAME TEXT`; empty when there are none. */
  args: string;
  summary: string;
  scope: CommandScope;
  /** Runs the command with the text after its name; returns a refusal to report to the caller. */
  run(context: CommandContext & { member: Member }, args: string): Refusal | undefined;
}

/** A refusal for a command used with the wrong arguments. */
export function usageRefusal(command: Command): Refusal {
  return { code: "bad_arguments", message: `Usage: ${usageOf(command)}` };
}

function usageOf(command: Command): string {
  return command.args ? `/${command.name} ${command.args}` : `/${command.name}`;
}

/** Splits `NAME rest of text` into its first word and the trimmed rest. */
export function splitFirstWord(args: string): [string, string] {
  const trimmed = args.trim();
  const space = trimmed.search(/\s/);
  return space === -1 ? [trimmed, ""] : [trimmed.slice(0, space), trimmed.slice(space).trim()];
}

/** The commands every member can use. */
export const MEMBER_COMMANDS: Command[] = [
  {
    name: "help",
    aliases: ["?"],
    args: "",
    summary: "list the commands",
    scope: "everyone",
    run(context) {
      context.reply({ type: "info", text: helpText(context.operator ? "operator" : "member") });
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
      context.reply({ type: "members", members: context.room.names() });
      return undefined;
    },
  },
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
    summary: "leave the room (the seed's {quit} works too)",
    scope: "member",
    run(context, args) {
      context.quit(args.trim() || undefined);
      return undefined;
    },
  },
];

const registry: Command[] = [...MEMBER_COMMANDS];

/** Adds commands to the registry (the operator's commands register themselves this way). */
export function registerCommands(commands: Command[]): void {
  registry.push(...commands);
}

function allowedIn(command: Command, scope: "member" | "operator"): boolean {
  return command.scope === "everyone" || command.scope === scope;
}

/** Finds a command by name or alias (case-insensitive). */
export function findCommand(name: string): Command | undefined {
  const wanted = name.toLowerCase();
  return registry.find((c) => c.name === wanted || c.aliases.includes(wanted));
}

/** The `/help` text for members or for the operator, generated from the registry. */
export function helpText(scope: "member" | "operator"): string {
  const rows = registry.filter((c) => allowedIn(c, scope)).map((c) => {
    const aliases = c.aliases.length ? ` (also /${c.aliases.join(", /")})` : "";
    return [usageOf(c), `${c.summary}${aliases}`] as const;
  });
  const width = Math.max(...rows.map(([usage]) => usage.length));
  const lines = rows.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`);
  const hint = scope === "member" ? ["Anything else you type is sent to everyone."] : [];
  return ["Commands:", ...lines, ...hint].join("\n");
}

/**
 * Runs a command line such as `/msg bob hi` (the leading `/` included).
 * Returns a refusal for unknown commands, commands not allowed to the caller,
 * and bad arguments.
 */
export function runCommand(context: CommandContext, line: string): Refusal | undefined {
  const [word, args] = splitFirstWord(line.slice(1));
  const command = findCommand(word);
  const scope = context.operator ? "operator" : "member";
  if (!command || !allowedIn(command, scope)) {
    const shown = word.slice(0, 30);
    return {
      code: "unknown_command",
      message: `There is no /${shown} command. Type /help for the list.`,
    };
  }
  if (command.scope === "member" && !context.member) {
    return { code: "not_joined", message: `/${command.name} needs a room member.` };
  }
  return command.run(context as CommandContext & { member: Member }, args);
}
