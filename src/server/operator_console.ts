/**
 * The server's console: when `chat serve` runs in a terminal, the operator
 * types commands (`/kick`, `/ban`, `/say`, `/who`, `/help` …) on its
 * standard input; a line without a leading `/` is announced to the room.
 *
 * @module
 */

import type { InfoFrame, MembersFrame } from "../protocol/frames.ts";
import { presentCount } from "../text/plain_format.ts";
import { sanitizeLine } from "../text/sanitize.ts";
import type { ChatServer } from "./chat_server.ts";
import { runCommand } from "./commands.ts";

/** Renders a command's answer for the console. */
function consoleText(frame: InfoFrame | MembersFrame): string {
  if (frame.type === "info") return frame.text;
  return frame.members.length
    ? `${presentCount(frame.members.length)}: ${frame.members.join(", ")}`
    : "Nobody is here.";
}

/** Runs one console line; returns what to print. */
export function runConsoleLine(server: ChatServer, line: string): string[] {
  const text = sanitizeLine(line).trim();
  if (text === "") return [];
  const command = text.startsWith("/") ? text : `/say ${text}`;
  const output: string[] = [];
  const refusal = runCommand({
    room: server.room,
    places: server.places,
    moderation: server,
    reply: (frame) => output.push(consoleText(frame)),
    quit: () => output.push("To close the room, press Ctrl-C."),
  }, command);
  if (refusal) output.push(`!! ${refusal.message}`);
  return output;
}

/** Reads operator commands from `input` until it ends, printing answers with `print`. */
export async function runOperatorConsole(
  server: ChatServer,
  input: ReadableStream<Uint8Array>,
  print: (line: string) => void,
): Promise<void> {
  let pending = "";
  for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf("\n")) !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      for (const answer of runConsoleLine(server, line)) print(answer);
    }
  }
}
