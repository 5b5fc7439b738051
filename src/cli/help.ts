/**
 * Help texts. They are modules, not files, so a compiled binary carries them.
 *
 * @module
 */

import { DEFAULT_JOIN_HOST, DEFAULT_LISTEN_HOST, DEFAULT_PORT } from "../protocol/constants.ts";
import { DEFAULT_HISTORY_LIMIT, DEFAULT_HISTORY_ON_JOIN } from "../server/room_store.ts";
import { limitHelpRows } from "./limit_flags.ts";

/** `chat --help`. */
export const MAIN_HELP = `chat — a group chat in one download.

Usage:
  chat serve [options]            open a chat room on this computer (port ${DEFAULT_PORT})
  chat join [options] [HOST]      join a room in this terminal

Options:
  -h, --help       show help (also after a command: chat serve --help)
  -V, --version    show the version and build target

Examples:
  chat serve
  chat join --name alice 192.168.1.20

Plain "nc HOST ${DEFAULT_PORT}" and "telnet HOST ${DEFAULT_PORT}" work as clients too.`;

/** `chat serve --help`. */
export const SERVE_HELP = `Usage: chat serve [options]

Open a chat room. Friends join with "chat join --name NAME THIS-COMPUTER",
or with "nc THIS-COMPUTER ${DEFAULT_PORT}". Ctrl-C closes the room.
When run in a terminal, type /help there for the operator's commands
(/kick, /ban, /say …); a line without a / is announced to the room.

Options:
      --host ADDRESS         address to listen on (default ${DEFAULT_LISTEN_HOST}: every IPv4
                             interface; "::" adds IPv6; 127.0.0.1 for this computer only)
  -p, --port PORT            TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
      --password [TEXT]      members must give this password; without TEXT, it is asked
                             for (CHAT_PASSWORD works too and stays out of "ps")
      --motd TEXT            message of the day shown to everyone who joins
  -q, --quiet                print only errors
      --debug                show technical details of errors
  -h, --help                 show this help

History:
      --data DIR             directory of the history file and the TLS certificate (default:
                             chat's data directory, e.g. ~/.local/share/chat; CHAT_DATA_DIR too)
      --no-history           keep nothing on disk: history lasts until the server stops
      --history-limit N      messages kept (default ${DEFAULT_HISTORY_LIMIT}); older ones are deleted
      --history-on-join N    earlier messages shown on join (default ${DEFAULT_HISTORY_ON_JOIN})

Limits:
${limitHelpRows().join("\n")}`;

/** `chat join --help`. */
export const JOIN_HELP = `Usage: chat join [options] [HOST[:PORT]]

Join a chat room in this terminal. HOST defaults to ${DEFAULT_JOIN_HOST}, PORT to ${DEFAULT_PORT}.
Without --name you are asked for one.

Options:
  -n, --name NAME            the name others see you as (1-24 characters, no spaces)
      --host HOST            the room's computer (instead of the HOST argument)
  -p, --port PORT            TCP port (default ${DEFAULT_PORT})
      --tls                  connect with TLS (rooms started with "chat serve --tls")
      --fingerprint SHA256:… the certificate fingerprint the room's banner shows
                             (implies --tls). Without it, a first visit shows the
                             fingerprint and asks before remembering it (known_hosts
                             in the config directory); a different one is refused
      --ca FILE              check the certificate against these authorities (PEM)
                             instead of pinning it (implies --tls)
      --trust-first          plain mode: remember a TLS room's certificate on the
                             first visit (a terminal asks instead)
      --take-over            plain mode: take your name over from another window
                             of yours in that room (a terminal asks instead)
      --no-color             no colours (also when NO_COLOR is set)
      --debug                show technical details of errors
  -h, --help                 show this help

In the chat: type and press Enter to send; /help lists commands; Tab
completes names and commands; Ctrl-C or /quit leaves. When stdin or stdout
is not a terminal, chat join reads lines and prints lines (plain mode).
A room with a password asks for it (CHAT_PASSWORD gives it to scripts).

Joining shows the room's earlier messages; joining again with the same name
(within 7 days) shows what you missed since you left, and private messages
sent to you meanwhile. Your place in each room is kept in sessions.json in
the data directory (CHAT_DATA_DIR); delete it to join as a newcomer.

Examples:
  chat join --name alice 192.168.1.20
  chat join --name bob localhost:53001
  chat join --tls --fingerprint SHA256:E3FZ…FtI --name carol 192.168.1.20
  echo "build finished" | chat join --name ci-bot 192.168.1.20`;
