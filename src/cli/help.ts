/**
 * Help texts. They are modules, not files, so a compiled binary carries them.
 * The rows of options come from the commands' option tables (options.ts).
 *
 * @module
 */

import { DEFAULT_PORT } from "../protocol/constants.ts";
import { type OptionSection, optionSections } from "./options.ts";

/** `chat --help`. */
export const MAIN_HELP = `chat — a group chat in one download.

Usage:
  chat serve [options]            open a chat room on this computer (port ${DEFAULT_PORT})
  chat join [options] [HOST]      join a room in this terminal (no HOST: find one nearby)
  chat find [options]             list the rooms on the local network

Options:
  -h, --help       show help (also after a command: chat serve --help)
  -V, --version    show the version and build target

Examples:
  chat serve
  chat join --name alice 192.168.1.20

Plain "nc HOST ${DEFAULT_PORT}" and "telnet HOST ${DEFAULT_PORT}" work as clients too.`;

/** `chat serve --help`, around its option sections (made from the option tables). */
export function serveHelp(sections: OptionSection[]): string {
  return `Usage: chat serve [options]

Open a chat room. Friends join with "chat join --name NAME THIS-COMPUTER",
or with "nc THIS-COMPUTER ${DEFAULT_PORT}". Ctrl-C closes the room.
When run in a terminal, type /help there for the operator's commands
(/kick, /ban, /say …); a line without a / is announced to the room.

${optionSections(sections)}`;
}

/** `chat join --help`, around its option sections (made from the option table). */
export function joinHelp(sections: OptionSection[]): string {
  return `Usage: chat join [options] [HOST[:PORT]]

Join a chat room in this terminal. PORT defaults to ${DEFAULT_PORT}. Without HOST,
rooms on the local network are looked for (about a second): one is joined,
among several you choose (a pipe lists them and exits 1); if none answers,
the room on this computer (localhost) is joined when there is one. Without
--name you are asked for one.

${optionSections(sections)}

In the chat: type and press Enter to send; /help lists commands; Tab
completes names, rooms and commands; Ctrl-C or /quit leaves. Each room
(/join #room) and private conversation (/msg NAME) has a window: Alt-1 to
Alt-9 or Ctrl-N/Ctrl-P switch, /part or /close closes it. When stdin or
stdout is not a terminal, chat join reads lines and prints lines (plain
mode; in several rooms each line starts with its room).
A room with a password asks for it (CHAT_PASSWORD gives it to scripts).

Joining shows the room's earlier messages; joining again with the same name
(within 7 days) shows what you missed in each room since you left, and
private messages sent to you meanwhile. Your place in each room is kept in
sessions.json in the data directory (CHAT_DATA_DIR); delete it to join as a
newcomer.

Examples:
  chat join --name alice 192.168.1.20
  chat join --name bob localhost:53001
  chat join --tls --fingerprint SHA256:E3FZ…FtI --name carol 192.168.1.20
  echo "build finished" | chat join --name ci-bot 192.168.1.20`;
}
