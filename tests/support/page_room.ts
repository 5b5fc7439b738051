/**
 * The harness of the browser page's tests: a real chat server on its own
 * port with its history in a temporary SQLite file, headless Chromium with a
 * fresh profile, and the steps a person takes on the page (join, type, read,
 * switch rooms). Without Chromium the tests register as ignored, with the
 * reason in their name.
 *
 * @module
 */

import type { Browser, Page } from "puppeteer-core";
import { chromiumAvailable, withBrowser } from "./browser.ts";
import { tmuxAvailable } from "./tmux.ts";
import type { LineClient } from "./line_client.ts";
import { join as joinPath } from "node:path";
import { ChatServer, type ChatServerOptions } from "../../src/server/chat_server.ts";
import { openSqliteStore } from "../../src/server/sqlite_store.ts";
import { withTempDir } from "./temp_dir.ts";
import { reservePort } from "./chat_process.ts";

// The callbacks given to puppeteer run in the page, where this exists; the tests are
// type-checked without the DOM library.
// deno-lint-ignore no-explicit-any
declare const document: any;

/** True when Chromium is installed. */
export const HAVE_CHROMIUM = chromiumAvailable();
/** True when tmux is installed. */
export const HAVE_TMUX = tmuxAvailable();
const SKIP_REASON = HAVE_CHROMIUM ? "" : " (ignored: chromium is not installed)";
/** How long a page step may take. */
export const WAIT = { timeout: 15_000, polling: 50 };

/** A chat server and a browser for one test. */
export interface Room {
  readonly server: ChatServer;
  port: number;
  /** The page's address on the chat port, `http://127.0.0.1:PORT/`. */
  url: string;
  /** Stops the server, as if it went down; its history file stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same history. */
  start(): void;
  browser: Browser;
  /** A page in its own browser context (own storage), with CSP violations and errors collected. */
  open(): Promise<Page>;
  /** Problems the pages reported: CSP violations, script errors. */
  problems: string[];
}

/** Registers a test with a fresh server (its options) and Chromium. */
export function browserTest(
  name: string,
  body: (room: Room) => Promise<void>,
  motd?: string,
  options: Partial<ChatServerOptions> = {},
  browserOptions: { preconnect?: boolean; tmux?: boolean } = {},
) {
  Deno.test({
    name: name + SKIP_REASON + (browserOptions.tmux && !HAVE_TMUX ? " (ignored: no tmux)" : ""),
    ignore: !HAVE_CHROMIUM || (browserOptions.tmux === true && !HAVE_TMUX),
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () =>
      withTempDir(async (dir) => {
        const launch = (port: number) =>
          new ChatServer({
            hostname: "127.0.0.1",
            port,
            motd,
            store: openSqliteStore(joinPath(dir, "history.db"), { historyLimit: 10_000 }),
            ...options,
          });
        let server = launch(reservePort()); // restarted on this port by some tests
        const port = server.addr.port;
        try {
          await withBrowser(async (browser) => {
            const problems: string[] = [];
            const open = async () => {
              const context = await browser.createBrowserContext();
              const page = await context.newPage();
              page.on("pageerror", (error) => problems.push(`page error: ${error}`));
              page.on("console", (message) => {
                if (message.type() === "error") problems.push(`console: ${message.text()}`);
              });
              return page;
            };
            await body({
              get server() {
                return server;
              },
              port,
              url: `http://127.0.0.1:${port}/`,
              stop: () => server.shutdown(),
              start: () => void (server = launch(port)),
              browser,
              open,
              problems,
            });
          }, browserOptions);
        } finally {
          await server.shutdown();
        }
      }),
  });
}

/** Opens the page, joins as `name`, waits for the room. */
export async function join(room: Room, name: string, page?: Page): Promise<Page> {
  page ??= await room.open();
  // This computer has opened the page before (any HTTP request marks its address as browsing):
  // a very first visit relies on Chromium sending its request within the 150 ms greeting delay,
  // which a machine loaded by parallel tests does not always leave (docs/PROTOCOL.md).
  await (await fetch(room.url)).arrayBuffer();
  await page.goto(room.url);
  await page.type("#join-name", name);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#room-view:not([hidden])", WAIT);
  await seeText(page, `You joined as ${name}`);
  return page;
}

/** Types `text` into the message box and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.focus("#input");
  await page.type("#input", text);
  await page.keyboard.press("Enter");
}

/** Waits until the conversation shows `text`. */
export async function seeText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => document.getElementById("scroller")!.textContent!.includes(wanted),
    WAIT,
    text,
  );
}

/** Shows the conversation `key` of the room list (`#general`, `@bob`) by clicking it. */
export async function show(page: Page, key: string): Promise<void> {
  await page.waitForSelector(`.room-item[data-key="${key}"]`, WAIT);
  await page.click(`.room-item[data-key="${key}"]`);
  await page.waitForSelector(`.room-item[data-key="${key}"][aria-current]`, WAIT);
}

/** How many rows of the conversation contain `text`. */
export function rowsWith(page: Page, text: string): Promise<number> {
  return page.evaluate(
    (wanted) =>
      [...document.querySelectorAll("#scroller .entry")].filter((row) =>
        row.textContent!.includes(wanted)
      ).length,
    text,
  );
}

/** Waits for a frame of `type` whose text contains `text`. */
export async function frameWith(client: LineClient, type: string, text: string) {
  for (;;) {
    const frame = await client.nextFrame();
    if (frame.type === type && String(frame.text).includes(text)) return frame;
  }
}
