/**
 * Screenshots of the browser page from a real run: `chat serve` on
 * 127.0.0.1 serving the page on its own port, the room of
 * scripts/screenshot_room.ts (a `chat join` member, an `nc` member, …) and
 * alice in headless Chromium, captured on a desktop and a phone screen,
 * light and dark, into docs/screenshots/web-*.png.
 *
 * Usage: deno run --allow-all scripts/web_screenshots.ts [OUTPUT_DIR]
 *
 * @module
 */

import type { Page } from "puppeteer-core";
import { withBrowser } from "../tests/support/browser.ts";
import { ScreenshotRoom } from "./screenshot_room.ts";
import { shareFiles } from "./web_screenshot_files.ts";

const output = Deno.args[0] ?? "docs/screenshots";
await Deno.mkdir(output, { recursive: true });

const SIZES = { desktop: { width: 1100, height: 640 }, phone: { width: 360, height: 740 } };
const WAIT = { timeout: 15_000 };
const SCHEMES = ["light", "dark"] as const;

/** Waits until the page's conversation shows `text`. */
async function seeText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted: string) =>
      (globalThis as unknown as {
        document: { getElementById(id: string): { textContent: string } };
      }).document.getElementById("scroller").textContent.includes(wanted),
    WAIT,
    text,
  );
}

const room = await ScreenshotRoom.open();
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
    await room.talkWith("alice", (text) => seeText(page, text), async (text) => {
      await page.focus("#input");
      await page.type("#input", text);
      await page.keyboard.press("Enter");
    });
    await shareFiles(page); // a card and a thumbnail in the pictures
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
  });
} finally {
  await room.close();
}
console.log(`Screenshots written to ${output}/.`);
