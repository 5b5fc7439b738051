/**
 * Commands for the person running `chat serve`, typed on the server's
 * console: kick, ban, unban, say. They are part of the one command registry
 * (and so of its generated `/help`) with the `operator` scope; members cannot
 * run them.
 *
 * @module
 */

import { formatDuration, parseDuration } from "../text/time.ts";
import { type OperatorCommand, usageRefusal } from "./command.ts";
import { splitFirstWord } from "../text/command_line.ts";

/** The operator-only commands. */
export const OPERATOR_COMMANDS: OperatorCommand[] = [
  {
    name: "kick",
    aliases: [],
    args: "NAME [REASON]",
    summary: "disconnect a member",
    scope: "operator",
    run(context, args) {
      const [name, reason] = splitFirstWord(args);
      if (!name) return usageRefusal(this);
      return context.moderation.kick(name, reason || undefined);
    },
  },
  {
    name: "ban",
    aliases: [],
    args: "NAME [DURATION]",
    summary: "disconnect a member and refuse their address (for 10m, 2h, 1d … or until restart)",
    scope: "operator",
    run(context, args) {
      const [name, duration] = splitFirstWord(args);
      if (!name) return usageRefusal(this);
      const durationMs = duration ? parseDuration(duration) : undefined;
      if (duration && durationMs === undefined) {
        return {
          code: "bad_arguments",
          message: `"${duration}" is not a duration; try 30m, 2h or 1d.`,
        };
      }
      return context.moderation.ban(name, durationMs);
    },
  },
  {
    name: "unban",
    aliases: [],
    args: "ADDRESS|NAME",
    summary: "lift a ban",
    scope: "operator",
    run(context, args) {
      const target = args.trim();
      if (!target) return usageRefusal(this);
      const lifted = context.moderation.unban(target);
      if (!lifted) {
        return { code: "bad_arguments", message: `No ban matches "${target}". /bans lists them.` };
      }
      context.reply({ type: "info", text: `Ban on ${lifted.address} lifted.` });
      return undefined;
    },
  },
  {
    name: "bans",
    aliases: [],
    args: "",
    summary: "list the bans in force",
    scope: "operator",
    run(context) {
      const now = Date.now();
      const bans = context.moderation.bans();
      const lines = bans.map((ban) => {
        const left = ban.until === undefined
          ? "until restart"
          : `${formatDuration(ban.until - now)} left`;
        return `  ${ban.address}${ban.name ? ` (${ban.name})` : ""}: ${left}`;
      });
      context.reply({
        type: "info",
        text: bans.length ? ["Bans:", ...lines].join("\n") : "No bans.",
      });
      return undefined;
    },
  },
  {
    name: "say",
    aliases: [],
    args: "TEXT",
    summary: "announce something to the room (typing without a / does the same)",
    scope: "operator",
    run(context, args) {
      const text = args.trim();
      if (!text) return usageRefusal(this);
      context.moderation.say(text);
      return undefined;
    },
  },
  {
    name: "where",
    aliases: [],
    args: "",
    summary: "list members with their addresses",
    scope: "operator",
    run(context) {
      const members = context.moderation.members();
      const lines = members.map((m) => `  ${m.name}  ${m.address}`);
      context.reply({ type: "info", text: members.length ? lines.join("\n") : "Nobody is here." });
      return undefined;
    },
  },
  {
    name: "nodes",
    aliases: [],
    args: "",
    summary: "list the nodes of a chat shared over Redis (--redis)",
    scope: "operator",
    run(context) {
      const nodes = context.moderation.nodes?.();
      const text = nodes === undefined
        ? "This server is not one of several nodes (it runs without --redis)."
        : [
          `${nodes.length} node${nodes.length === 1 ? "" : "s"}:`,
          ...nodes.map((node) => `  ${node.id}  ${node.listen}`),
        ].join("\n");
      context.reply({ type: "info", text });
      return undefined;
    },
  },
];
