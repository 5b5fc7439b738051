/**
 * Screenshots of the browser page from a real run: `chat serve` on
 * 127.0.0.1 serving the page on its own port, the room of
 * scripts/screenshot_room.ts (a `chat join` member, an `nc` member, …) and
 * alice in headless Chromium, in `#general` and `#homework` with a private
 * message waiting, captured on a desktop and a phone screen (its room
 * switcher closed and open), light and dark, into docs/screenshots/web-*.png.
 *
 * Usage: deno run --allow-all scripts/web_screenshots.ts [OUTPUT_DIR]
 *
 * @module
 */

import type { Page } from "puppeteer-core";
import { withBrowser } from "../tests/support/browser.ts";
import { LineClient } from "../tests/support/line_client.ts";
import { ScreenshotRoom } from "./screenshot_room.ts";
import { shareFiles } from "./web_screenshot_files.ts";

const output = Deno.args[0] ?? "docs/screenshots";
await Deno.mkdir(output, { recursive: true });

const SIZES = { desktop: { width: 1100, height: 640 }, phone: { width: 360, height: 740 } };
const WAIT = { timeout: 15_000 };
const SCHEMES = ["light", "dark"] as const;

// The callbacks given to puppeteer run in the page, where this exists.
// deno-lint-ignore no-explicit-any
declare const document: any;

/** Waits until the page's conversation shows `text`. */
async function seeText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted: string) => document.getElementById("scroller").textContent.includes(wanted),
    WAIT,
    text,
  );
}

/** Types `text` into the message box and sends it. */
async function say(page: Page, text: string): Promise<void> {
  await page.focus("#input");
  await page.type("#input", text);
  await page.keyboard.press("Enter");
}

const room = await ScreenshotRoom.open();
let erin: LineClient | undefined;
try {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await page.setViewport(SIZES.desktop);
    await page.goto(`http://127.0.0.1:${room.port}/`); // the page, served on the chat port
    await page.type("#join-name", "alice");
    for (const scheme of SCHEMES) {
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await page.screenshot({ path: `${output}/web-join-${scheme}.png` });
    }
    await page.keyboard.press("Enter");
    await page.waitForSelector("#room-view:not([hidden])", WAIT);
    // bob's private message opens a conversation of its own in the room list.
    const seePrivate = () => page.waitForSelector('.room-item[data-key="@bob"]', WAIT);
    await room.talkWith(
      "alice",
      (text) => seeText(page, text),
      (text) => say(page, text),
      () => seePrivate().then(() => {}),
    );
    await shareFiles(page); // a card and a thumbnail in the pictures

    // A second room, with a topic; erin asks there while alice reads #general.
    await say(page, "/join #homework");
    await page.waitForSelector('.room-item[data-key="#homework"][aria-current]', WAIT);
    await say(page, "/topic Chapter 4, exercises 1-3 (due Friday)");
    await seeText(page, "set the topic");
    ({ client: erin } = await LineClient.join(room.port, "erin", { room: "#homework" }));
    await erin.say("Has anyone started exercise 2?");
    await seeText(page, "exercise 2?");
    await page.click('.room-item[data-key="#general"]');
    await erin.say("alice, you had the formula yesterday, right?");
    await erin.say("I get 42 but the book says 41.");
    await page.waitForFunction(
      () =>
        document.querySelector('.room-item[data-key="#homework"] .room-unread')?.textContent ===
          "2",
      WAIT,
    );
    // No caret blinking in the pictures.
    await page.$eval("#input", (input) => (input as unknown as { blur(): void }).blur());
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewport(viewport);
      await page.$eval("#scroller", (scroller) => {
        const box = scroller as unknown as { scrollTop: number; scrollHeight: number };
        box.scrollTop = box.scrollHeight;
      });
      for (const scheme of SCHEMES) {
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
        await page.screenshot({ path: `${output}/web-${size}-${scheme}.png` });
      }
    }
    // The phone's room switcher, open.
    await page.click("#rooms-toggle");
    for (const scheme of SCHEMES) {
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await page.screenshot({ path: `${output}/web-phone-rooms-${scheme}.png` });
    }
  });
} finally {
  erin?.close();
  await room.close();
}
console.log(`Screenshots written to ${output}/.`);
