/**
 * History paging and scrolling in the browser page, in real Chromium,
 * against a scripted server speaking the agreed `history` → `page` frames
 * (TEAM.md), through the test bridge. Without Chromium these tests are
 * registered as ignored, with the reason in their name.
 */

import type { Page } from "puppeteer-core";
import { LineDecoder } from "../src/protocol/line_decoder.ts";
import { chromiumAvailable, withBrowser } from "./support/browser.ts";
import { send, withScriptedServer } from "./support/scripted_server.ts";
import { startWebBridge } from "./support/web_bridge.ts";
import { assert, assertEquals } from "./support/assert.ts";

// The callbacks given to puppeteer run in the page, where this exists; the tests are
// type-checked without the DOM library.
// deno-lint-ignore no-explicit-any
declare const document: any;

const HAVE_CHROMIUM = chromiumAvailable();
const SKIP_REASON = HAVE_CHROMIUM ? "" : " (ignored: chromium is not installed)";
const WAIT = { timeout: 15_000, polling: 50 };
const T0 = Date.UTC(2026, 10, 30, 12, 0);

function message(id: number) {
  return { type: "message", id, ts: T0 + id * 1000, from: "bob", text: `message ${id}` };
}

function range(from: number, to: number) {
  return Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
}

function welcome(history: unknown[], extra: Record<string, unknown> = {}) {
  return {
    type: "welcome",
    version: 1,
    name: "alice",
    members: ["alice", "bob"],
    history,
    catchUp: false,
    session: "token-1",
    room: "#general",
    log: "room-1",
    limits: { maxMessageChars: 4000, maxLineBytes: 16384 },
    ...extra,
  };
}

/** Reads the frames a scripted connection receives after the hello. */
async function* framesFrom(conn: Deno.Conn): AsyncGenerator<Record<string, unknown>> {
  const decoder = new LineDecoder(1 << 20);
  for await (const chunk of conn.readable) {
    for (const line of decoder.push(chunk).lines) yield JSON.parse(line);
  }
}

/** Ids of the record rows on the page, in document order. */
function shownIds(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("#scroller .entry[data-id]")].map((
      row: { dataset: { id: string } },
    ) => Number(row.dataset.id))
  );
}

async function joinPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.type("#join-name", "alice");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#room-view:not([hidden])", WAIT);
}

Deno.test({
  name: "scrolling to the top loads older pages; new messages never yank the view" + SKIP_REASON,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const requests: Record<string, unknown>[] = [];
    await withScriptedServer(async (_number, _hello, conn) => {
      await send(conn, welcome(range(101, 130)));
      for await (const frame of framesFrom(conn)) {
        if (frame.type !== "history") continue;
        requests.push(frame);
        const before = frame.before as number;
        const from = Math.max(1, before - (frame.limit as number));
        await send(conn, {
          type: "page",
          records: range(from, before - 1),
          before,
          more: from > 1,
        });
      }
    }, async (port, hellos) => {
      const bridge = startWebBridge(() => port);
      try {
        await withBrowser(async (browser) => {
          const page = await browser.newPage();
          await page.setViewport({ width: 1000, height: 500 });
          await joinPage(page, bridge.url);
          await page.waitForFunction(
            () => document.querySelectorAll(".entry[data-id]").length === 30,
            WAIT,
          );
          assertEquals(hellos[0].since, undefined);
          const atBottom = () =>
            page.evaluate(() => {
              const s = document.getElementById("scroller");
              return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
            });
          assert(await atBottom(), "a fresh join shows the latest message");

          // Scroll to the top: the page before 101 comes, and the view stays where it was.
          const anchor = () =>
            page.evaluate(() =>
              document.querySelector('[data-id="101"]').getBoundingClientRect().top
            );
          await page.evaluate(() => document.getElementById("scroller").scrollTop = 0);
          const before = await anchor();
          await page.waitForFunction(
            () => document.querySelectorAll(".entry[data-id]").length === 80,
            WAIT,
          );
          assert(
            Math.abs(await anchor() - before) < 1,
            "older messages do not move what is on screen",
          );
          await page.evaluate(() => document.getElementById("scroller").scrollTop = 0);
          await page.waitForFunction(
            () => document.querySelectorAll(".entry[data-id]").length === 130,
            WAIT,
          );
          assertEquals(await shownIds(page), range(1, 130).map((r) => r.id));
          assertEquals(requests, [
            { type: "history", room: "#general", before: 101, limit: 50 },
            { type: "history", room: "#general", before: 51, limit: 50 },
          ]);
          await page.waitForFunction(() => document.getElementById("older").hidden === true, WAIT);
        });
      } finally {
        await bridge.close();
      }
    });
  },
});

Deno.test({
  name: "scrolled up, a new message shows a jump button instead of moving the view" + SKIP_REASON,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let server: Deno.Conn | undefined;
    await withScriptedServer(async (_number, _hello, conn) => {
      server = conn;
      await send(conn, welcome(range(1, 60)));
    }, async (port) => {
      const bridge = startWebBridge(() => port);
      try {
        await withBrowser(async (browser) => {
          const page = await browser.newPage();
          await page.setViewport({ width: 1000, height: 500 });
          await joinPage(page, bridge.url);
          await page.waitForFunction(
            () => document.querySelectorAll(".entry[data-id]").length === 60,
            WAIT,
          );
          await page.evaluate(() => document.getElementById("scroller").scrollTop = 300);
          await send(server!, message(61), message(62));
          await page.waitForFunction(
            () => document.getElementById("jump").textContent === "Jump to latest (2 new)",
            WAIT,
          );
          assertEquals(
            await page.evaluate(() => document.getElementById("scroller").scrollTop),
            300,
          );
          await page.click("#jump");
          assertEquals(await page.evaluate(() => document.getElementById("jump").hidden), true);
          assertEquals(
            await page.evaluate(() => document.activeElement.id),
            "input",
            "the jump puts the keyboard back in the message box",
          );
          // At the bottom, new messages keep the view at the bottom.
          await send(server!, message(63));
          await page.waitForFunction(() => document.querySelector('[data-id="63"]') !== null, WAIT);
          assert(
            await page.evaluate(() => {
              const s = document.getElementById("scroller");
              return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
            }),
          );
        });
      } finally {
        await bridge.close();
      }
    });
  },
});

Deno.test({
  name: "a welcome whose catch-up continues is completed with `after` pages, in order" +
    SKIP_REASON,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const requests: Record<string, unknown>[] = [];
    await withScriptedServer(async (_number, _hello, conn) => {
      await send(conn, welcome(range(1, 3), { more: true }));
      for await (const frame of framesFrom(conn)) {
        if (frame.type !== "history") continue;
        requests.push(frame);
        if (frame.after === 3) {
          // A live record overtakes the rest of the catch-up.
          await send(conn, message(9));
          await send(conn, { type: "page", records: range(4, 6), after: 3, more: true });
        } else {
          await send(conn, { type: "page", records: range(7, 8), after: 6, more: false });
        }
      }
    }, async (port) => {
      const bridge = startWebBridge(() => port);
      try {
        await withBrowser(async (browser) => {
          const page = await browser.newPage();
          await joinPage(page, bridge.url);
          await page.waitForFunction(
            () => document.querySelectorAll(".entry[data-id]").length === 9,
            WAIT,
          );
          assertEquals(await shownIds(page), range(1, 9).map((r) => r.id));
          assertEquals(requests, [
            { type: "history", room: "#general", after: 3, limit: 500 },
            { type: "history", room: "#general", after: 6, limit: 500 },
          ]);
        });
      } finally {
        await bridge.close();
      }
    });
  },
});

Deno.test({
  name: "reopening the page fetches the whole catch-up up to lastId and counts all of it" +
    SKIP_REASON,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const requests: Record<string, unknown>[] = [];
    await withScriptedServer(async (number, _hello, conn) => {
      if (number === 0) return void await send(conn, welcome(range(1, 2)));
      await send(conn, welcome(range(3, 4), { catchUp: true, more: true, lastId: 8 }));
      for await (const frame of framesFrom(conn)) {
        if (frame.type !== "history") continue;
        requests.push(frame);
        await send(conn, message(9)); // live, after lastId
        await send(conn, { type: "page", records: range(5, 8), after: 4, more: true });
      }
    }, async (port, hellos) => {
      const bridge = startWebBridge(() => port);
      try {
        await withBrowser(async (browser) => {
          const page = await browser.newPage();
          await joinPage(page, bridge.url);
          await page.waitForFunction(() => document.querySelector('[data-id="2"]') !== null, WAIT);
          await page.close();
          const again = await browser.newPage();
          await again.goto(bridge.url);
          await again.waitForFunction(() => document.querySelector('[data-id="9"]') !== null, WAIT);
          const { since, room, resume } = hellos[1];
          assertEquals({ since, room, resume }, { since: 2, room: "#general", resume: "token-1" });
          assertEquals(await shownIds(again), range(3, 9).map((r) => r.id));
          assertEquals(
            await again.evaluate(() => document.querySelector(".marker.since-left").textContent),
            "6 new messages since you left",
          );
          assertEquals(requests, [{ type: "history", room: "#general", after: 4, limit: 500 }]);
        });
      } finally {
        await bridge.close();
      }
    });
  },
});
