/**
 * Screenshots of the terminal client from a real run: `chat serve` on
 * 127.0.0.1, the room of scripts/screenshot_room.ts, and alice's
 * `chat join` in a tmux pane. The pane is captured with its colours
 * (`tmux capture-pane -e -p`), turned into HTML (anser) on a dark
 * terminal background in a monospace font of this machine, and photographed
 * by headless Chromium into docs/screenshots/terminal-*.png: the chat, and
 * the chat scrolled back while new messages arrive ("N new below"). Alice is
 * in two rooms, and bob writes to her privately: the status bar's activity
 * list shows the other windows with unread messages (`#homework 2!  @bob 1!`).
 *
 * Usage: deno run --allow-all scripts/terminal_screenshots.ts [OUTPUT_DIR]
 *
 * @module
 */

import Anser from "anser";
import { withBrowser } from "../tests/support/browser.ts";
import { chatCommand } from "../tests/support/chat_process.ts";
import { LineClient } from "../tests/support/line_client.ts";
import { type TmuxPane, TmuxServer } from "../tests/support/tmux.ts";
import { ScreenshotRoom } from "./screenshot_room.ts";

const output = Deno.args[0] ?? "docs/screenshots";
await Deno.mkdir(output, { recursive: true });

const SIZE = { columns: 92, rows: 16 };
/** Dark terminal colours (foreground, background) and the 16 ANSI colours. */
const FOREGROUND = "#d4d4d4";
const BACKGROUND = "#1e1e1e";
const ANSI_COLOURS: Record<string, string> = {
  black: BACKGROUND, // also the text of inverse video (the status bar)
  red: "#f14c4c",
  green: "#23d18b",
  yellow: "#e5c07b",
  blue: "#3b8eea",
  magenta: "#d670d6",
  cyan: "#29b8db",
  white: FOREGROUND, // also the background of inverse video
  "bright-black": "#767676",
  "bright-red": "#ff6b6b",
  "bright-green": "#5af78e",
  "bright-yellow": "#f5f543",
  "bright-blue": "#6cb6ff",
  "bright-magenta": "#ff92d0",
  "bright-cyan": "#7fe4f5",
  "bright-white": "#ffffff",
};
const COLOUR_CSS = Object.entries(ANSI_COLOURS).map(([name, colour]) =>
  `.ansi-${name}-fg { color: ${colour}; } .ansi-${name}-bg { background: ${colour}; }`
).join("\n");

/** The pane's screen as an HTML page: rows of coloured text on a dark background. */
async function paneHtml(pane: TmuxPane): Promise<string> {
  const captured = await pane.server.tmux("capture-pane", "-e", "-p", "-t", pane.name);
  // One piece, not row by row: tmux carries the attributes of a row into the next.
  const html = Anser.ansiToHtml(Anser.escapeForHtml(captured.replace(/\n$/, "")), {
    use_classes: true,
  });
  return `<!doctype html><meta charset="utf-8"><style>
  body { margin: 0; background: #101010; }
  .window { display: inline-block; margin: 0; border-radius: 8px; overflow: hidden;
    background: ${BACKGROUND}; box-shadow: 0 0 0 1px #333; }
  .title { height: 26px; background: #2d2d2d; display: flex; align-items: center; gap: 7px;
    padding: 0 10px; font: 12px "DejaVu Sans", sans-serif; color: #9a9a9a; }
  .dot { width: 11px; height: 11px; border-radius: 50%; background: #555; }
  .title span:last-child { margin-left: auto; margin-right: auto; }
  ${COLOUR_CSS}
  .ansi-bold { font-weight: bold; } .ansi-dim { opacity: 0.6; } .ansi-italic { font-style: italic; }
  .ansi-underline { text-decoration: underline; }
  pre { margin: 0; padding: 10px 12px; color: ${FOREGROUND};
    font: 14px/1.3 "DejaVu Sans Mono", "Liberation Mono", monospace; }
</style><div class="window"><div class="title"><i class="dot"></i><i class="dot"></i><i class="dot"></i>
<span>chat join --name alice</span></div><pre>${html}</pre></div>`;
}

/** Talk after the first picture, so that alice has something to scroll back over. */
const MORE_TALK = [
  ["bob", "Slides are in the shared folder, chapter 4 onwards."],
  ["dave", "I printed the exercise sheet too."],
  ["carol", "Question 3 is the tricky one, let's start there."],
  ["bob", "Also: the library closes early on Friday."],
  ["carol", "So let's meet Thursday instead?"],
  ["dave", "I'll book the small room."],
  ["bob", "/me gives a thumbs up"],
  ["dave", "Done, room 2.14 from 14:00."],
  ["carol", "Perfect, thanks dave."],
  ["bob", "See you all at lunch then."],
] as const;

/** Private messages in the room's talk: they open a window of their own, listed as `@bob 1!`. */
const PRIVATE_TEXTS = new Map([["don't tell carol", /@bob 1!/]]);

/** Talk in alice's second room, which she is not looking at. */
const HOMEWORK_TALK = ["Has anyone started exercise 2 yet?", "alice, did you get question 3?"];

const room = await ScreenshotRoom.open();
const tmux = new TmuxServer();
let erin: LineClient | undefined;
try {
  const join = chatCommand(["join", "--name", "alice", `127.0.0.1:${room.port}`]).join(" ");
  const pane = await tmux.open("alice", join, SIZE, { TERM: "xterm-256color" });
  await pane.waitFor("alice");
  // A second room, left for the first (Alt-1): the talk there is counted in the status bar.
  await pane.type("/join #homework");
  await pane.press("Enter");
  await pane.waitFor("You are now in #homework.");
  erin = (await LineClient.join(room.port, "erin", { room: "#homework" })).client;
  await pane.waitFor("erin joined");
  await pane.press("M-1");
  await pane.waitFor(/ #general +3 here/);
  const see = (text: string) => pane.waitFor(PRIVATE_TEXTS.get(text) ?? text).then(() => {});
  await room.talkWith("alice", see, async (text) => {
    await pane.type(text);
    await pane.press("Enter");
  });
  for (const text of HOMEWORK_TALK) {
    await erin.sendFrame({ type: "send", room: "#homework", text });
    await erin.nextFrame((frame) => frame.type === "message" && frame.text === text);
  }
  await pane.waitFor(/#homework 2! {2}@bob 1!/);
  const shots: [string, string][] = [["terminal-chat", await paneHtml(pane)]];
  // More talk than the screen holds, then alice scrolls back while dave goes on
  // talking: the status bar counts what arrived below.
  for (const [who, text] of MORE_TALK) await room.says(who, text);
  await pane.waitFor(MORE_TALK.at(-1)![1]);
  // Two turns of the wheel (SGR mouse reports), three lines each.
  for (let turn = 0; turn < 2; turn++) await pane.sendBytes("\x1b[<64;10;5M");
  await pane.waitFor(/scrolled — 0 new below/);
  await room.says("dave", "Found a seat at the back. Is the projector working today?");
  await room.says("carol", "It is, I just tried it.");
  await pane.waitFor(/scrolled — 2 new below/);
  shots.push(["terminal-scrollback", await paneHtml(pane)]);

  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 600, deviceScaleFactor: 1 });
    for (const [name, html] of shots) {
      await page.setContent(html);
      const window = await page.$(".window");
      await window!.screenshot({ path: `${output}/${name}.png` });
    }
  });
} finally {
  erin?.close();
  await tmux.kill();
  await room.close();
}
console.log(`Screenshots written to ${output}/.`);
