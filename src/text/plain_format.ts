/**
 * How frames look as plain text: to a plain-text client of the server (`nc`,
 * `telnet`, a socket script) and in `chat join`'s plain mode (stdin or stdout
 * not a terminal). One human-readable line per event, `[HH:MM]` first (with
 * the date when not from today: history replayed after a restart may be days
 * old). The text must already be sanitised: the server cleans what enters the
 * room and the client cleans what it receives.
 *
 * @module
 */

import type { FileRecord, NoticeRecord, RoomRecord, ServerFrame } from "../protocol/frames.ts";
import { formatSize } from "./file_size.ts";
import { leaveWords } from "./leave_words.ts";
import { formatStamp } from "./time.ts";

/**
 * Renders a frame as the lines a plain-text client sees (without line
 * endings). `base` (`http://192.168.1.20:53000`) makes file links whole: the
 * address the reader reached the server at.
 */
export function renderPlain(frame: ServerFrame, base = ""): string[] {
  switch (frame.type) {
    case "message": {
      const prefix = frame.emote
        ? `[${formatStamp(frame.ts)}] * ${frame.from} `
        : `[${formatStamp(frame.ts)}] ${frame.from}: `;
      return indentContinuation(prefix, frame.text);
    }
    case "private":
      return indentContinuation(
        `[${formatStamp(frame.ts)}] (private) ${frame.from} -> ${frame.to}: `,
        frame.text,
      );
    case "join":
      return [`[${formatStamp(frame.ts)}] -- ${frame.name} joined (${presentCount(frame.count)})`];
    case "leave": {
      const left = leaveWords(frame);
      return [`[${formatStamp(frame.ts)}] -- ${frame.name} ${left} (${presentCount(frame.count)})`];
    }
    case "presence":
      return [
        `[${formatStamp(frame.ts)}] -- ${presenceWords(frame)} (${presentCount(frame.count)})`,
      ];
    case "nick":
      return [`[${formatStamp(frame.ts)}] -- ${frame.from} is now known as ${frame.to}`];
    case "notice":
      return indentContinuation(`[${formatStamp(frame.ts)}] -- ${noticeAuthor(frame)}`, frame.text);
    case "file":
      return [`[${formatStamp(frame.ts)}] ${fileWords(frame, base)}`];
    case "welcome": {
      const lines = [
        `-- Welcome, ${frame.name}! ${memberLine(frame)}.`,
        "-- Type a message and press Enter. /help lists commands, /quit leaves.",
      ];
      if (frame.motd) lines.push(...indentContinuation("-- ", frame.motd));
      lines.push(...renderEarlier(frame.history, base));
      lines.push(roomLine(frame));
      return lines;
    }
    case "joined":
      return [
        `-- You are now in ${frame.room}. ${memberLine(frame)}.`,
        ...(frame.topic ? [`-- Topic: ${frame.topic}`] : []),
        ...renderEarlier(frame.history, base),
      ];
    case "parted":
      return [`-- You left ${frame.room}${frame.reason ? `: ${frame.reason}` : ""}.`];
    case "members":
      return [
        `-- ${presentCount(frame.members.length)}: ${
          frame.members.map((name) => awayNote(name, frame.away)).join(", ")
        }`,
      ];
    case "info":
      return indentContinuation("-- ", frame.text);
    case "error":
      return [`!! ${frame.message}`];
    case "bye":
      return [`-- ${frame.message}`];
    case "ping":
    case "pong":
    case "page": // asked for by structured clients only
    case "upload_slot":
      return [];
  }
}

/** "3 here: alice, bob, carol", or for a big room "1234 here (/who lists them)". */
function memberLine(frame: { members: string[]; count?: number }): string {
  if (frame.count !== undefined && frame.count > frame.members.length) {
    return `${presentCount(frame.count)} (/who lists them)`;
  }
  return `${presentCount(frame.members.length)}: ${frame.members.join(", ")}`;
}

/** "-- You are in #general (topic: …). /join #room goes elsewhere, /rooms lists them." */
function roomLine(frame: { room: string; topic?: string }): string {
  const topic = frame.topic ? ` (topic: ${frame.topic})` : "";
  return `-- You are in ${frame.room}${topic}. /join #room goes elsewhere, /rooms lists the rooms.`;
}

/**
 * Earlier messages between two marker lines (nothing when there are none):
 * what someone joining sees of what was said before.
 */
export function renderEarlier(
  records: RoomRecord[],
  base = "",
  render: (record: RoomRecord) => string[] = (record) => renderPlain(record, base),
): string[] {
  if (records.length === 0) return [];
  return [
    `-- Earlier in this room (${records.length}):`,
    ...records.flatMap(render),
    "-- End of earlier messages.",
  ];
}

/** "alice, bob and 10 others joined; carol left": a big room's gathered joins and leaves. */
export function presenceWords(record: { joined: string[]; left: string[] }): string {
  const list = (names: string[]) =>
    names.length <= 3
      ? names.join(", ")
      : `${names.slice(0, 2).join(", ")} and ${names.length - 2} others`;
  const parts = [
    ...(record.joined.length > 0 ? [`${list(record.joined)} joined`] : []),
    ...(record.left.length > 0 ? [`${list(record.left)} left`] : []),
  ];
  return parts.join("; ");
}

/**
 * A record replayed from history (earlier messages, a catch-up): a join,
 * leave or gathered presence without the member count of its time, which
 * would read as now's ("left (0 here)" while you are in the room).
 */
export function renderReplayed(record: RoomRecord, base = ""): string[] {
  if (record.type === "join") return [`[${formatStamp(record.ts)}] -- ${record.name} joined`];
  if (record.type === "leave") {
    return [`[${formatStamp(record.ts)}] -- ${record.name} ${leaveWords(record)}`];
  }
  if (record.type === "presence") {
    return [`[${formatStamp(record.ts)}] -- ${presenceWords(record)}`];
  }
  return renderPlain(record, base);
}

/**
 * "alice shared holiday.jpg (2.1 MB): http://…/f/…/holiday.jpg", with
 * "(private) alice -> bob" for a private file and "expired" instead of the
 * link once the file was deleted to make room.
 */
export function fileWords(record: FileRecord, base = ""): string {
  const who = record.to === undefined ? record.from : `(private) ${record.from} -> ${record.to}`;
  const where = record.expired ? "expired (deleted to make room)" : base + record.url;
  return `${who} shared ${record.name} (${formatSize(record.size)}): ${where}`;
}

/** True when a frame shows file records (whose links depend on the reader's address). */
export function mentionsFiles(frame: ServerFrame): boolean {
  if (frame.type === "file") return true;
  if (frame.type === "welcome" || frame.type === "joined") {
    return frame.history.some((record) => record.type === "file");
  }
  return false;
}

/** "operator: " before an announcement the operator made; nothing for the server's own. */
export function noticeAuthor(notice: NoticeRecord): string {
  return notice.by ? `${notice.by}: ` : "";
}

/**
 * How many are in the room, in the one wording every client uses ("3 here"):
 * after a join or leave, in /who and in the welcome.
 */
export function presentCount(count: number): string {
  return `${count} here`;
}

/** "bob (away: lunch)" for a member marked away, the name alone otherwise. */
function awayNote(name: string, away: Record<string, string> | undefined): string {
  const text = away?.[name];
  return typeof text === "string" ? `${name} (away: ${text})` : name;
}

/** Puts `prefix` before the first line and aligns the following lines under it. */
function indentContinuation(prefix: string, text: string): string[] {
  const lines = text.split("\n");
  const indent = " ".repeat(prefix.length);
  return lines.map((line, index) => (index === 0 ? prefix : indent) + line);
}
