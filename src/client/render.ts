/**
 * The terminal client's renderer: one entry (a room record, a note for this
 * user alone, or a marker between earlier and new messages) and a width in,
 * display lines out. Pure: no terminal, no clock (the caller says what time
 * it is, so that lines from before today show their date). Every line fits
 * the width in terminal cells, wide characters included; continuation lines
 * hang under the start of the text.
 *
 * @example
 * ```ts
 * const theme = createTheme({ color: false, decorate: false });
 * renderEntry({ kind: "record", record: { type: "message", id: 1, ts, from: "bob", text: "hi" } },
 *   { width: 40, me: "alice", theme });
 * // ["14:02 bob: hi"]
 * ```
 *
 * @module
 */

import type { FileRecord, RoomRecord } from "../protocol/frames.ts";
import { formatSize } from "../text/file_size.ts";
import { nameKey } from "../protocol/names.ts";
// One wording for counts in every client ("3 here"), shared with plain text.
import { noticeAuthor, presenceWords, presentCount as here } from "../text/plain_format.ts";
import { leaveWords } from "../text/leave_words.ts";
import { mentionPattern } from "../text/mentions.ts";
import { formatStamp } from "../text/time.ts";
import { cellWidth, joinSpans, type Span, spansWidth, wrapSpans } from "../text/wrap.ts";
import type { Style, Theme } from "./theme.ts";

/** Something to show in the message area. Text must already be sanitised. */
export type Entry =
  /**
   * A room record; `earlier` for history from before you joined (drawn
   * dimmed); `replayed` for any record from history (earlier messages or a
   * catch-up), whose member counts are those of its time and are not shown.
   */
  | { kind: "record"; record: RoomRecord; earlier?: boolean; replayed?: boolean }
  /**
   * The answer to /who (with the `/away` texts of those away), or the member
   * list of a welcome (after `lead`, e.g. "Welcome, alice!").
   */
  | { kind: "members"; ts: number; members: string[]; lead?: string; away?: Record<string, string> }
  /** Text for this user alone: /help, the welcome, the message of the day. */
  | { kind: "info"; ts: number; text: string }
  /** A refusal or failure. */
  | { kind: "error"; ts: number; text: string }
  /** A local event: connected, reconnecting. */
  | { kind: "note"; ts: number; text: string }
  /** Joins and leaves folded into one line (see presence_fold.ts); `count` after the last. */
  | {
    kind: "presence";
    ts: number;
    joined: string[];
    left: string[];
    cameAndWent: string[];
    count: number;
  }
  /**
   * A centred `— text —` line between parts of the conversation: around
   * earlier messages (`earlier`, dimmed), or above what you missed.
   */
  | { kind: "marker"; ts: number; text: string; earlier?: boolean };

/** What rendering depends on besides the entry. */
export interface RenderContext {
  /** Cells per line. */
  width: number;
  /** The user's current name: their own lines and mentions of it look different. */
  me: string;
  theme: Theme;
  /** The current time (ms): entries from another day show their date. Default: the entry's own. */
  now?: number;
  /** Numbers and links of shared files (file_transfer.ts); without it files show name and size. */
  files?: FileLinks;
}

/** What the renderer asks about a shared file. */
export interface FileLinks {
  /** The number `/save N` takes for this file. */
  number(record: FileRecord): number;
  /** The full address to link the name to (OSC 8), or undefined when links are off. */
  href(record: FileRecord): string | undefined;
}

/** Renders an entry as styled lines, each at most `context.width` cells wide. */
export function renderEntry(entry: Entry, context: RenderContext): string[] {
  const { theme } = context;
  if (entry.kind === "marker") {
    const style = entry.earlier ? theme.earlier : theme.marker;
    return centre(`— ${entry.text} —`, context.width).map(style);
  }
  const ts = entry.kind === "record" ? entry.record.ts : entry.ts;
  const stamp: Span = { text: `${formatStamp(ts, context.now ?? ts)} `, style: theme.timestamp };
  const [label, body] = entry.kind === "record"
    ? recordSpans(entry.record, context, !entry.replayed)
    : entry.kind === "presence"
    ? [[], [{ text: presenceText(entry), style: theme.system }]]
    : noteSpans(entry, context);
  if (entry.kind === "record" && entry.earlier) {
    return layout(dimmed([stamp, ...label], theme), dimmed(body, theme), context.width);
  }
  return layout([stamp, ...label], body, context.width);
}

/** Lines of `text` centred in `width` cells (wrapped when it does not fit). */
function centre(text: string, width: number): string[] {
  const free = width - cellWidth(text);
  if (free < 0) return wrapSpans([{ text }], { width }).map(joinSpans);
  return [" ".repeat(Math.floor(free / 2)) + text];
}

/** The same spans drawn dimmed, each keeping its own style inside the dimming. */
function dimmed(spans: Span[], theme: Theme): Span[] {
  return spans.map(({ text, style }) => ({
    text,
    style: style ? (part: string) => theme.earlier(style(part)) : theme.earlier,
  }));
}

/** Lays out a prefix and a body with a hanging indent under the body's start. */
function layout(prefix: Span[], body: Span[], width: number): string[] {
  const prefixWidth = spansWidth(prefix);
  const stampWidth = spansWidth(prefix.slice(0, 1));
  const indent = prefixWidth <= width / 2 ? prefixWidth : stampWidth < width / 2 ? stampWidth : 0;
  return wrapSpans([...prefix, ...body], { width, indent }).map(joinSpans);
}

function recordSpans(record: RoomRecord, context: RenderContext, live: boolean): [Span[], Span[]] {
  const { theme, me } = context;
  // How many are here now: only a live event knows.
  const count = (n: number) => live ? ` (${here(n)})` : "";
  const isMe = (name: string) => nameKey(name) === nameKey(me);
  const name = (who: string): Span => ({ text: who, style: theme.name(who, isMe(who)) });
  const system = (text: string): [Span[], Span[]] => [[], [{ text, style: theme.system }]];
  switch (record.type) {
    case "message":
      if (record.emote) {
        return [[{ text: "* ", style: theme.emote }, name(record.from), { text: " " }], [
          ...highlight(record.text, isMe(record.from) ? "" : me, theme, theme.emote),
        ]];
      }
      return [
        [name(record.from), { text: ": " }],
        highlight(record.text, isMe(record.from) ? "" : me, theme),
      ];
    case "private": {
      const outgoing = isMe(record.from) && !isMe(record.to);
      const marker = outgoing ? `[you -> ${record.to}] ` : `[${record.from} -> you] `;
      return [[{ text: marker, style: theme.private }], highlight(record.text, "", theme)];
    }
    case "join":
      return system(
        isMe(record.name)
          ? `-- You joined as ${record.name}${count(record.count)}`
          : `-- ${record.name} joined${count(record.count)}`,
      );
    case "leave": {
      return system(`-- ${record.name} ${leaveWords(record)}${count(record.count)}`);
    }
    case "nick":
      return system(
        isMe(record.to)
          ? `-- You are now known as ${record.to}`
          : `-- ${record.from} is now known as ${record.to}`,
      );
    case "notice":
      return [[{ text: `** ${noticeAuthor(record)}`, style: theme.notice }], [
        { text: record.text, style: theme.notice },
      ]];
    case "presence":
      return system(`-- ${presenceWords(record)}${count(record.count)}`);
    case "file":
      return fileSpans(record, context, name(record.from));
  }
}

/** "alice shared holiday.jpg (2.1 MB) · /save 3", the name a hyperlink where the terminal has them. */
function fileSpans(record: FileRecord, context: RenderContext, from: Span): [Span[], Span[]] {
  const { theme, files } = context;
  const href = record.expired ? undefined : files?.href(record);
  const link = href === undefined ? undefined : (part: string) => hyperlink(href, part);
  const to = record.to === undefined ? [] : [{ text: ` -> ${record.to}`, style: theme.private }];
  const after = record.expired
    ? " — expired (deleted to make room)"
    : files
    ? ` · /save ${files.number(record)}`
    : "";
  return [[from, ...to, { text: " shared " }], [
    { text: record.name, style: link },
    { text: ` (${formatSize(record.size)})${after}`, style: theme.system },
  ]];
}

/** `text` as an OSC 8 hyperlink to `url` (terminals without them show the text alone). */
function hyperlink(url: string, text: string): string {
  return `\x1b]8;;${url}\x07${text}\x1b]8;;\x07`;
}

/** "-- bot1, bot2 and 8 others joined; carol left (12 here)". */
function presenceText(entry: Extract<Entry, { kind: "presence" }>): string {
  const parts = [
    entry.joined.length > 0 ? `${nameList(entry.joined)} joined` : "",
    entry.left.length > 0 ? `${nameList(entry.left)} left` : "",
    entry.cameAndWent.length > 0 ? `${nameList(entry.cameAndWent)} came and went` : "",
  ].filter((part) => part !== "");
  return `-- ${parts.join("; ")} (${here(entry.count)})`;
}

/** "a", "a and b", "a, b and c", "a, b and 8 others". */
function nameList(names: string[]): string {
  if (names.length === 1) return names[0];
  if (names.length <= 3) return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `${names.slice(0, 2).join(", ")} and ${names.length - 2} others`;
}

function noteSpans(
  entry: Exclude<Entry, { kind: "record" | "marker" | "presence" }>,
  context: RenderContext,
): [Span[], Span[]] {
  const { theme, me } = context;
  switch (entry.kind) {
    case "members": {
      const names: Span[] = [];
      entry.members.forEach((member, index) => {
        if (index > 0) names.push({ text: ", ", style: theme.info });
        names.push({ text: member, style: theme.name(member, nameKey(member) === nameKey(me)) });
        const away = entry.away?.[member];
        if (typeof away === "string") names.push({ text: ` (away: ${away})`, style: theme.info });
      });
      const lead = entry.lead ? `${entry.lead} ` : "";
      return [[{ text: `-- ${lead}${here(entry.members.length)}: `, style: theme.info }], names];
    }
    case "info":
      return [[{ text: "-- ", style: theme.info }], [{ text: entry.text, style: theme.info }]];
    case "error":
      return [[{ text: "!! ", style: theme.error }], [{ text: entry.text, style: theme.error }]];
    case "note":
      return [[{ text: "-- ", style: theme.system }], [{ text: entry.text, style: theme.system }]];
  }
}

/** Splits text into spans, with each mention of `me` in the mention style. */
function highlight(text: string, me: string, theme: Theme, base?: Style): Span[] {
  const plain = (part: string): Span => base ? { text: part, style: base } : { text: part };
  if (me === "") return [plain(text)];
  const spans: Span[] = [];
  let last = 0;
  for (const match of text.matchAll(mentionPattern(me))) {
    if (match.index > last) spans.push(plain(text.slice(last, match.index)));
    spans.push({ text: match[0], style: theme.mention });
    last = match.index + match[0].length;
  }
  if (last < text.length) spans.push(plain(text.slice(last)));
  return spans;
}

/** The last name's pattern: records are rendered for one name, so it is built once per name. */
