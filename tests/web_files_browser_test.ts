/**
 * Sharing files from the browser page, in real headless Chromium against a
 * real `chat serve` process: the paperclip's file chooser, a drop on the
 * conversation, a pasted image; thumbnails and cards; an SVG with a script
 * that never renders; refusals and Cancel; a phone screen and axe-core.
 * An `nc`-style member (plain text over TCP) sees each record's link and
 * fetches the same bytes from it. Without Chromium these tests are
 * registered as ignored, with the reason in their name.
 */

import type { Browser, Page } from "puppeteer-core";
import axe from "axe-core";
import { join as joinPath } from "node:path";
import { chromiumAvailable, withBrowser } from "./support/browser.ts";
import { startServe } from "./support/chat_process.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";

// The callbacks given to puppeteer run in the page, where these exist; the tests are
// type-checked without the DOM library.
// deno-lint-ignore no-explicit-any
declare const document: any;
// deno-lint-ignore no-explicit-any
declare const DataTransfer: any;
// deno-lint-ignore no-explicit-any
declare const DragEvent: any;
// deno-lint-ignore no-explicit-any
declare const ClipboardEvent: any;
// deno-lint-ignore no-explicit-any
declare const OffscreenCanvas: any;

const HAVE_CHROMIUM = chromiumAvailable();
const SKIP_REASON = HAVE_CHROMIUM ? "" : " (ignored: chromium is not installed)";
const WAIT = { timeout: 15_000, polling: 50 };

interface FileRoom {
  port: number;
  url: string;
  /** A folder for files to upload. */
  dir: string;
  browser: Browser;
  /** A page in its own browser context, with its problems (CSP violations, errors) collected. */
  open(): Promise<Page>;
  problems: string[];
}

/** Runs `body` with a `chat serve` process (extra `args`) and Chromium. */
function filesTest(name: string, body: (room: FileRoom) => Promise<void>, args: string[] = []) {
  Deno.test({
    name: name + SKIP_REASON,
    ignore: !HAVE_CHROMIUM,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () =>
      withTempDir(async (dir) => {
        const serve = await startServe(["--data", joinPath(dir, "data"), ...args]);
        try {
          await withBrowser(async (browser) => {
            const problems: string[] = [];
            const open = async () => {
              const page = await (await browser.createBrowserContext()).newPage();
              page.on("pageerror", (error) => problems.push(`page error: ${error}`));
              page.on("console", (message) => {
                if (message.type() === "error") problems.push(`console: ${message.text()}`);
              });
              return page;
            };
            await body({
              port: serve.port,
              url: `http://127.0.0.1:${serve.port}/`,
              dir,
              browser,
              open,
              problems,
            });
          });
        } finally {
          await serve.stop();
        }
      }),
  });
}

/** Opens the page, joins as `name`, waits for the room. */
async function join(room: FileRoom, name: string, page?: Page): Promise<Page> {
  page ??= await room.open();
  await page.goto(room.url);
  await page.type("#join-name", name);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#room-view:not([hidden])", WAIT);
  await page.waitForFunction(
    (wanted: string) => document.getElementById("scroller").textContent.includes(wanted),
    WAIT,
    `You joined as ${name}`,
  );
  return page;
}

/** A plain-text member, as `nc` would be: it types its name and reads lines. */
async function ncMember(port: number, name: string): Promise<LineClient> {
  const nc = await LineClient.connect(port);
  await nc.sendLine(name);
  await nc.nextLine((line) => line.includes(`Welcome, ${name}`));
  return nc;
}

/** Waits for the nc member's line about `fileName` and returns the bytes its link gives. */
async function fetchShared(nc: LineClient, fileName: string): Promise<Uint8Array> {
  const line = await nc.nextLine((l) => l.includes(` shared ${fileName} `));
  const url = line.match(/(http:\/\/127\.0\.0\.1:\d+\/f\/\S+)/)?.[1];
  assert(url, line);
  const response = await fetch(url);
  assertEquals(response.status, 200, line);
  return new Uint8Array(await response.arrayBuffer());
}

/** A real PNG drawn by Chromium (`width`×`height`, one colour). */
async function pngBytes(page: Page, width: number, height: number): Promise<Uint8Array> {
  const numbers = await page.evaluate(
    async (w: number, h: number) => {
      const canvas = new OffscreenCanvas(w, h);
      const context = canvas.getContext("2d");
      context.fillStyle = "#c03060";
      context.fillRect(0, 0, w, h);
      const blob = await canvas.convertToBlob({ type: "image/png" });
      return [...new Uint8Array(await blob.arrayBuffer())];
    },
    width,
    height,
  );
  return new Uint8Array(numbers);
}

/**
 * Drops a file onto the conversation, as a drag from the desktop would: made of
 * `content`, or of that many zero bytes. Returns whether the drop target showed.
 */
async function dropFile(page: Page, name: string, content: Uint8Array | number): Promise<boolean> {
  const numbers = typeof content === "number" ? content : [...content];
  return await page.evaluate(
    (fileName: string, numbers: number[] | number) => {
      const transfer = new DataTransfer();
      const bytes = typeof numbers === "number" ? new Uint8Array(numbers) : new Uint8Array(numbers);
      transfer.items.add(new File([bytes], fileName));
      const target = document.getElementById("scroller");
      const fire = (type: string) =>
        target.dispatchEvent(
          new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      fire("dragenter");
      fire("dragover");
      const shown = document.getElementById("conversation").classList.contains("drop-target");
      fire("drop");
      return shown;
    },
    name,
    numbers,
  );
}

/** Pastes an image file made of `bytes` into the message box. */
async function pasteImage(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.evaluate(
    (fileName: string, numbers: number[]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(numbers)], fileName, { type: "image/png" }));
      document.getElementById("input").dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }),
      );
    },
    name,
    [...bytes],
  );
}

/**
 * Picks `path` in the file chooser that `open` (a click on the paperclip by
 * default) opens. Its own DevTools session turns the chooser's interception on
 * first: puppeteer's waitForFileChooser may still be doing so when a quick key
 * press opens the chooser, which then goes unseen.
 */
async function chooseFile(
  page: Page,
  path: string,
  open = () => page.click("#attach"),
): Promise<void> {
  const cdp = await page.createCDPSession();
  try {
    await cdp.send("Page.enable");
    await cdp.send("Page.setInterceptFileChooserDialog", { enabled: true });
    const opened = new Promise<{ backendNodeId?: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("No file chooser opened.")), WAIT.timeout);
      cdp.once("Page.fileChooserOpened", (event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
    await open();
    const { backendNodeId } = await opened;
    await cdp.send("DOM.setFileInputFiles", { files: [path], backendNodeId });
  } finally {
    await cdp.detach();
  }
}

/** Waits until a thumbnail of `name` has loaded; returns its size on screen. */
async function loadedThumbnail(page: Page, name: string) {
  const selector = `.file-thumb img[alt="${name}"]`;
  await page.waitForFunction(
    (s: string) => {
      const image = document.querySelector(s);
      return image !== null && image.complete && image.naturalWidth > 0;
    },
    WAIT,
    selector,
  );
  return await page.$eval(selector, (image) => ({
    width: image.getBoundingClientRect().width,
    natural: image.naturalWidth,
    loading: image.getAttribute("loading"),
    link: image.parentElement.getAttribute("href"),
    target: image.parentElement.getAttribute("target"),
  }));
}

/** The card of `name`: its texts and its download link. */
async function waitForCard(page: Page, name: string) {
  await page.waitForFunction(
    (wanted: string) =>
      [...document.querySelectorAll(".file-card .file-name")].some((n) => n.textContent === wanted),
    WAIT,
    name,
  );
  return await page.evaluate((wanted: string) => {
    const card = [...document.querySelectorAll(".file-card")].find((c) =>
      c.querySelector(".file-name").textContent === wanted
    );
    const link = card.querySelector("a.file-download");
    return {
      meta: card.querySelector(".file-meta").textContent,
      href: link?.getAttribute("href"),
      label: link?.getAttribute("aria-label"),
      download: link?.getAttribute("download"),
      expired: card.querySelector(".file-expired")?.textContent,
    };
  }, name);
}

filesTest(
  "files from the page by chooser, drop and paste: thumbnails for images, a card for a PDF, the same bytes for an nc member",
  async (room) => {
    const nc = await ncMember(room.port, "carol");
    const alice = await join(room, "alice");
    const bob = await room.open();
    await bob.setViewport({ width: 800, height: 360 }); // a picture makes it scroll
    await join(room, "bob", bob);

    // The paperclip: a keyboard-usable button with a name, opening the file chooser.
    assertEquals(await alice.$eval("#attach", (b) => b.getAttribute("aria-label")), "Share a file");
    const photo = await pngBytes(alice, 640, 480);
    const photoPath = joinPath(room.dir, "photo.png");
    await Deno.writeFile(photoPath, photo);
    await alice.focus("#input");
    await alice.keyboard.down("Shift");
    await alice.keyboard.press("Tab");
    await alice.keyboard.up("Shift");
    assertEquals(await alice.evaluate(() => document.activeElement.id), "attach");
    await chooseFile(alice, photoPath, () => alice.keyboard.press("Enter"));
    for (const page of [alice, bob]) {
      const thumb = await loadedThumbnail(page, "photo.png");
      assertEquals(thumb.natural, 640);
      assert(thumb.width <= 320 && thumb.width > 0, `the thumbnail is small: ${thumb.width}px`);
      assertEquals([thumb.loading, thumb.target], ["lazy", "_blank"]);
      assertMatch(thumb.link!, /^\/f\/[^/]+\/photo\.png$/);
    }
    // The picture made bob's conversation taller when it loaded; his view followed it to the end.
    await bob.waitForFunction(() => {
      const scroller = document.getElementById("scroller");
      const below = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
      return scroller.scrollHeight > scroller.clientHeight && below < 2;
    }, WAIT);
    assertEquals(await fetchShared(nc, "photo.png"), photo);
    // The progress rows are gone once the file is there.
    await alice.waitForSelector("#uploads", { hidden: true, ...WAIT });

    // A PDF dropped on the conversation, which shows itself as a drop target meanwhile.
    const pdf = new TextEncoder().encode("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
    assert(await dropFile(alice, "report.pdf", pdf), "the drop target shows while dragging");
    const card = await waitForCard(bob, "report.pdf");
    assertEquals(card.meta, `${pdf.length} B · PDF file`);
    assertEquals([card.label, card.download], [
      `Download report.pdf (${pdf.length} B)`,
      "report.pdf",
    ]);
    assertMatch(card.href!, /^\/f\/[^/]+\/report\.pdf$/);
    assertEquals(
      await alice.$eval("#conversation", (c) => c.classList.contains("drop-target")),
      false,
    );
    assertEquals(await fetchShared(nc, "report.pdf"), pdf);
    assertEquals(
      await bob.$$eval(".file-thumb img", (images) => images.length),
      1,
      "no picture of a PDF",
    );

    // An image pasted into the message box (a screenshot), sent as it is.
    const screenshot = await pngBytes(alice, 30, 20);
    await pasteImage(alice, "image.png", screenshot);
    assertEquals((await loadedThumbnail(bob, "image.png")).natural, 30);
    assertEquals(await fetchShared(nc, "image.png"), screenshot);
    assertEquals(await alice.$eval("#input", (input) => input.value), "", "nothing pasted as text");

    // A file shared privately with alice (as `chat join`'s /send PATH NAME does) reaches her only.
    await nc.sendLine("after the files");
    for (const page of [alice, bob]) {
      await page.waitForFunction(
        () => document.getElementById("scroller").textContent.includes("after the files"),
        WAIT,
      );
    }
    const { client: dave } = await LineClient.join(room.port, "dave");
    await dave.sendFrame({ type: "upload", name: "secret.txt", size: 6, to: "alice", ref: "p" });
    const slot = await dave.nextFrame((f) => f.type === "upload_slot");
    const put = await fetch(`${room.url.slice(0, -1)}${slot.url}`, {
      method: "PUT",
      body: "secret",
    });
    assertEquals(put.status, 201);
    // It opens alice's private conversation with dave, where it is shown.
    await alice.waitForSelector('.room-item[data-key="@dave"]', WAIT);
    await alice.click('.room-item[data-key="@dave"]');
    await waitForCard(alice, "secret.txt");
    assertMatch(
      await alice.$eval(".entry-file.entry-private .body", (b) => b.textContent),
      /^private file from dave secret\.txt/,
    );
    await dave.sendFrame({ type: "send", text: "dave was here" });
    await bob.waitForFunction(
      () => document.getElementById("scroller").textContent.includes("dave was here"),
      WAIT,
    );
    assertEquals(
      await bob.$$eval(".file-card", (cards) => cards.length),
      1,
      "bob sees only the PDF",
    );
    assertEquals(room.problems, []);
    nc.close();
    dave.close();
  },
);

filesTest("an SVG with a script is never shown inline and its script never runs", async (room) => {
  const nc = await ncMember(room.port, "carol");
  const alice = await join(room, "alice");
  const requests: string[] = [];
  alice.on("request", (request) => requests.push(request.url()));
  const svg = new TextEncoder().encode(
    `<svg xmlns="http://www.w3.org/2000/svg" onload="fetch('/pwned-onload')">` +
      `<script>fetch('/pwned-script'); parent.__pwned = 1;</script><circle r="9"/></svg>`,
  );
  const path = joinPath(room.dir, "evil.svg");
  await Deno.writeFile(path, svg);
  // Through the hidden file input itself, as an element handle.
  const input = await alice.$("#file-input");
  await input!.uploadFile(path);
  const card = await waitForCard(alice, "evil.svg");
  assertEquals(card.meta, `${svg.length} B · SVG file`);
  const link = card.href!;
  assertEquals(
    await alice.evaluate(() => ({
      pictures: document.querySelectorAll(
        "#scroller img, #scroller svg, #scroller object, #scroller iframe",
      ).length,
      pwned: (globalThis as { __pwned?: number }).__pwned ?? 0,
    })),
    { pictures: 0, pwned: 0 },
  );
  assertEquals(await fetchShared(nc, "evil.svg"), svg);

  // Opened directly, it downloads: the browser never renders it, so nothing in it runs.
  const direct = await room.open();
  direct.on("request", (request) => requests.push(request.url()));
  const response = await fetch(`${room.url.slice(0, -1)}${link}`);
  await response.body?.cancel();
  assertMatch(response.headers.get("content-disposition") ?? "", /^attachment/);
  assertEquals(response.headers.get("content-type"), "application/octet-stream");
  await direct.goto(`${room.url.slice(0, -1)}${link}`).catch((error) => {
    // A download ends the navigation (net::ERR_ABORTED): nothing was shown.
    assertMatch(String(error), /ERR_ABORTED/);
  });
  assertEquals(await direct.evaluate(() => document.querySelectorAll("svg, script").length), 0);
  assertEquals(requests.filter((url) => url.includes("pwned")), []);
  assertEquals(room.problems, []);
  nc.close();
});

filesTest(
  "a refused upload says why in a sentence, and one cancelled midway posts nothing",
  async (room) => {
    const nc = await ncMember(room.port, "carol");
    // Alice reaches the server through a proxy that can hold an upload midway.
    const proxy = new TcpProxy(room.port);
    try {
      const alice = await join({ ...room, url: `http://127.0.0.1:${proxy.port}/` }, "alice");
      const big = joinPath(room.dir, "big.bin");
      await Deno.writeFile(big, new Uint8Array(26_000_000));
      await chooseFile(alice, big);
      await alice.waitForSelector(".upload.failed", WAIT);
      const refusal = await alice.$eval(".upload.failed", (row) => ({
        text: row.querySelector(".upload-state").textContent,
        role: row.querySelector(".upload-state").getAttribute("role"),
        button: row.querySelector("button").textContent,
      }));
      assertEquals(refusal.role, "alert");
      assertEquals(refusal.button, "Dismiss");
      assertMatch(refusal.text, /^big\.bin is 26 MB; this server takes files up to 25 MB\./);
      await alice.click(".upload.failed button");
      await alice.waitForSelector("#uploads", { hidden: true, ...WAIT });
      assertEquals(await alice.evaluate(() => document.activeElement.id), "input");

      // Held after 100 KB, the upload shows partial progress until Cancel is pressed.
      const slow = joinPath(room.dir, "slow.bin");
      await Deno.writeFile(slow, new Uint8Array(20_000_000).fill(7));
      proxy.stallAfter = 100_000;
      await chooseFile(alice, slow);
      await alice.waitForFunction(() => {
        const bar = document.querySelector(".upload progress");
        return bar !== null && bar.value > 0 && bar.value < bar.max;
      }, WAIT);
      assertMatch(await alice.$eval(".upload-state", (state) => state.textContent), /^\d+%$/);
      await alice.click(".upload-cancel");
      await alice.waitForSelector("#uploads", { hidden: true, ...WAIT });
      proxy.stallAfter = undefined;
      await alice.type("#input", "after the cancel");
      await alice.keyboard.press("Enter");
      const next = await nc.nextLine((line) =>
        line.includes("after the cancel") || line.includes("shared")
      );
      assert(next.includes("after the cancel"), `no record of a cancelled upload: ${next}`);
      assertEquals(room.problems, []);
    } finally {
      await proxy.close();
      nc.close();
    }
  },
);

filesTest(
  "a file deleted to make room shows as expired, without a link",
  async (room) => {
    const alice = await join(room, "alice");
    const first = joinPath(room.dir, "first.txt");
    const second = joinPath(room.dir, "second.txt");
    await Deno.writeFile(first, new Uint8Array(900_000).fill(65));
    await Deno.writeFile(second, new Uint8Array(900_000).fill(66));
    await chooseFile(alice, first);
    assertEquals((await waitForCard(alice, "first.txt")).expired, undefined);
    await chooseFile(alice, second);
    await waitForCard(alice, "second.txt");
    // Records on screen stay as they came; the history a newcomer gets says which expired.
    const bob = await join(room, "bob");
    const expired = await waitForCard(bob, "first.txt");
    assertEquals([expired.expired, expired.href], ["expired", undefined]);
    assertEquals((await waitForCard(bob, "second.txt")).expired, undefined);
    assertEquals(room.problems, []);
  },
  ["--max-file-mb", "1", "--max-files-gb", "0.0015"],
);

filesTest(
  "files on a 360 px phone never scroll sideways, and axe-core finds no serious problems, light and dark",
  async (room) => {
    const alice = await room.open();
    await alice.setViewport({ width: 360, height: 740 });
    await join(room, "alice", alice);
    const long = `${"a-very-long-file-name-without-spaces".repeat(5)}.pdf`;
    await dropFile(alice, long, new TextEncoder().encode("%PDF-1.4\n"));
    await waitForCard(alice, long);
    await pasteImage(alice, "wide.png", await pngBytes(alice, 1600, 300));
    await loadedThumbnail(alice, "wide.png");
    // A refused upload's row is on screen too.
    await dropFile(alice, `too-big-${"x".repeat(80)}.bin`, 1_100_000);
    await alice.waitForSelector(".upload.failed", WAIT);
    await alice.evaluate(() => document.getElementById("scroller").scrollTo(0, 1e6));
    const widths = await alice.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      scroller: document.getElementById("scroller").scrollWidth,
      composer: document.getElementById("composer").scrollWidth,
      uploads: document.getElementById("uploads").scrollWidth,
    }));
    assert(Object.values(widths).every((width) => width <= 360), JSON.stringify(widths));

    await alice.setViewport({ width: 1000, height: 800 });
    for (const scheme of ["light", "dark"] as const) {
      await alice.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await alice.evaluate(axe.source);
      const violations = await alice.evaluate(async () => {
        // deno-lint-ignore no-explicit-any
        const result = await (globalThis as any).axe.run(document);
        // deno-lint-ignore no-explicit-any
        return result.violations.filter((v: any) =>
          v.impact === "serious" || v.impact === "critical"
        )
          // deno-lint-ignore no-explicit-any
          .map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
      });
      assertEquals(violations, [], scheme);
    }
    assertEquals(room.problems, []);
  },
  ["--max-file-mb", "1"],
);

/** Drops `name` (a few bytes) and returns the sentence its failed row shows. */
async function refusalOf(page: Page, name: string): Promise<string> {
  await dropFile(page, name, new TextEncoder().encode("some bytes"));
  await page.waitForFunction(
    (wanted: string) =>
      [...document.querySelectorAll(".upload.failed .upload-name")].some((n) =>
        n.textContent.startsWith(wanted)
      ),
    WAIT,
    name,
  );
  return await page.evaluate((wanted: string) => {
    const row = [...document.querySelectorAll(".upload.failed")].find((r) =>
      r.querySelector(".upload-name").textContent.startsWith(wanted)
    );
    return row.querySelector(".upload-state[role=alert]").textContent;
  }, name);
}

filesTest("over the uploads a minute, the refusal says to wait", async (room) => {
  const alice = await join(room, "alice");
  await dropFile(alice, "one.txt", new TextEncoder().encode("one"));
  await waitForCard(alice, "one.txt");
  assertEquals(
    await refusalOf(alice, "two.txt"),
    "You can send 1 file a minute here; wait a little and send it again.",
  );
  assertEquals(room.problems, []);
}, ["--uploads-per-minute", "1"]);

filesTest("with --no-files the page says the server takes no files", async (room) => {
  const alice = await join(room, "alice");
  assertEquals(
    await refusalOf(alice, "notes.txt"),
    "This server does not take files (it runs with --no-files).",
  );
  assertEquals(room.problems, []);
}, ["--no-files"]);
