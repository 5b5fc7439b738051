/**
 * A file shared from a chat connection, seen in the browser page (real
 * Chromium): the record is a link; a picture opens as a picture, and an HTML
 * file is downloaded, never rendered.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { chromiumAvailable, withBrowser } from "./support/browser.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { DiskFileStore } from "../src/server/files/file_store.ts";
import { FileService } from "../src/server/files/file_service.ts";

const HAVE_CHROMIUM = chromiumAvailable();
const WAIT = { timeout: 15_000, polling: 50 };
// A 1×1 PNG.
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

async function share(
  client: LineClient,
  port: number,
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
) {
  await client.sendFrame({ type: "upload", name, size: bytes.length, ref: name });
  const slot = await client.nextFrame((f) => f.type === "upload_slot" && f.ref === name);
  const response = await fetch(`http://127.0.0.1:${port}${slot.url}`, {
    method: "PUT",
    body: bytes,
  });
  assertEquals(response.status, 201);
  return (await response.json()).url as string;
}

Deno.test({
  name:
    `the page shows a shared PNG as a thumbnail that opens as a picture; an HTML file is never rendered${
      HAVE_CHROMIUM ? "" : " (ignored: chromium is not installed)"
    }`,
  ignore: !HAVE_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withTempDir(async (dir) => {
      const files = new FileService({
        store: new DiskFileStore({ dir, quotaBytes: 1e9 }),
        maxFileBytes: 25e6,
        uploadsPerMinute: 100,
      });
      await withServer(async (_server, port) => {
        const { client: alice } = await LineClient.join(port, "alice");
        const picture = await share(alice, port, "dot.png", PNG);
        const html = await share(
          alice,
          port,
          "page.html",
          new TextEncoder().encode("<html><body><h1 id=pwned>ran</h1></body></html>"),
        );
        await withBrowser(async (browser) => {
          const page = await (await browser.createBrowserContext()).newPage();
          await page.goto(`http://127.0.0.1:${port}/`);
          await page.type("#join-name", "bob");
          await page.keyboard.press("Enter");
          await page.waitForSelector("a.file-thumb", WAIT);
          await page.waitForSelector(".file-card a.file-download", WAIT);
          // The PNG is a thumbnail linking to the picture; the HTML file a card that downloads it.
          const links = await page.$$eval(
            "a.file-thumb, a.file-download",
            (anchors) => anchors.map((a) => [a.className, a.getAttribute("href")]),
          );
          assertEquals(links, [["file-thumb", picture], ["file-download", html]]);
          const row = await page.$eval(".entry-file", (element) => element.textContent ?? "");
          assertMatch(row, /alice shared dot\.png · \d+ B/);
          // The picture opens as a picture.
          const shown = await page.goto(`http://127.0.0.1:${port}${picture}`);
          assertEquals(shown?.headers()["content-type"], "image/png");
          assert(await page.$("img") !== null, "Chromium shows the image");
          // The HTML file downloads (the navigation is aborted), its markup never becomes a page.
          const rendered = await page.goto(`http://127.0.0.1:${port}${html}`).then(
            () => "rendered",
            (error: Error) => error.message,
          );
          assertMatch(rendered, /ERR_ABORTED/);
          assertEquals(await page.$("#pwned"), null);
        });
        alice.close();
      }, { files });
    }),
});
