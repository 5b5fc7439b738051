/**
 * Screenshots of the browser page from a real run: a chat server on
 * 127.0.0.1, the page served by it on its own port, a few members talking
 * (two over TCP, one in the browser), captured by headless Chromium on a
 * desktop and a phone screen, light and dark, into docs/screenshots/.
 *
 * Usage: deno run --allow-all scripts/web_screenshots.ts [OUTPUT_DIR]
 *
 * @module
 */

import { withServer } from "../tests/support/test_server.ts";
import { withBrowser } from "../tests/support/browser.ts";
import { LineClient } from "../tests/support/line_client.ts";

const output = Deno.args[0] ?? "docs/screenshots";
await Deno.mkdir(output, { recursive: true });

const SIZES = { desktop: { width: 1100, height: 720 }, phone: { width: 360, height: 740 } };
const WAIT = { timeout: 15_000 };

await withServer(async (server, port) => {
  const url = `http://127.0.0.1:${port}/`; // the page, served by the chat server on its port
  const { client: bob } = await LineClient.join(port, "bob");
  await bob.say("Morning! Anyone up for lunch at 12:30?");
  const { client: carol } = await LineClient.join(port, "carol");
  await carol.say("Count me in. The usual place?");
  await bob.say("/me nods");
  try {
    await withBrowser(async (browser) => {
      const page = await browser.newPage();
      await page.setViewport(SIZES.desktop);
      await page.goto(url);
      await page.type("#join-name", "alice");
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
        await page.screenshot({ path: `${output}/web-join-${scheme}.png` });
      }
      await page.keyboard.press("Enter");
      await page.waitForSelector("#room-view:not([hidden])", WAIT);
      await page.type("#input", "Sounds good, see you there!");
      await page.keyboard.press("Enter");
      await carol.say("alice, can you bring the slides from yesterday?");
      await bob.say("/msg alice I'll be 5 minutes late, don't tell carol");
      server.say("The room closes at midnight.");
      await carol.say("Here is the plan:\n1. lunch\n2. slides\n3. coffee");
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: { body: { textContent: string } } }).document
            .body.textContent.includes("3. coffee"),
        WAIT,
      );
      for (const [size, viewport] of Object.entries(SIZES)) {
        await page.setViewport(viewport);
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
          await page.screenshot({ path: `${output}/web-${size}-${scheme}.png` });
        }
      }
    });
  } finally {
    bob.close();
    carol.close();
  }
}, { motd: "Welcome to the study group room. Be kind." });
console.log(`Screenshots written to ${output}/.`);
