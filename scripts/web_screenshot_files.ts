/**
 * Files for the web screenshots (scripts/web_screenshots.ts): the captured
 * member drops the slides (a small PDF) on the conversation and pastes a
 * picture drawn in the page, the way a person shares files from the page,
 * then waits until the card and the thumbnail are on screen.
 *
 * @module
 */

import type { Page } from "puppeteer-core";

/** The page's globals the callbacks below use (they run in the page). */
// deno-lint-ignore no-explicit-any
type PageGlobals = any;

/** Shares a PDF (dropped) and a picture (pasted) from `page`; resolves once both are shown. */
export async function shareFiles(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const g = globalThis as PageGlobals;
    const transfer = new g.DataTransfer();
    transfer.items.add(new File(["%PDF-1.4\n% slides\n".repeat(9000)], "slides-week-3.pdf"));
    for (const type of ["dragenter", "dragover", "drop"]) {
      g.document.getElementById("scroller").dispatchEvent(
        new g.DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
    }
    // A sunset over the sea, as a photo would be.
    const canvas = new g.OffscreenCanvas(480, 320);
    const draw = canvas.getContext("2d");
    const sky = draw.createLinearGradient(0, 0, 0, 200);
    sky.addColorStop(0, "#2b3a8c");
    sky.addColorStop(1, "#f29a5b");
    draw.fillStyle = sky;
    draw.fillRect(0, 0, 480, 200);
    draw.fillStyle = "#ffd36e";
    draw.beginPath();
    draw.arc(240, 200, 56, 0, 2 * Math.PI);
    draw.fill();
    draw.fillStyle = "#1d4f73";
    draw.fillRect(0, 200, 480, 120);
    const photo = await canvas.convertToBlob({ type: "image/png" });
    const clipboard = new g.DataTransfer();
    clipboard.items.add(new File([photo], "sunset.png", { type: "image/png" }));
    g.document.getElementById("input").dispatchEvent(
      new g.ClipboardEvent("paste", { clipboardData: clipboard, bubbles: true, cancelable: true }),
    );
  });
  await page.waitForFunction(() => {
    const document = (globalThis as PageGlobals).document;
    const image = document.querySelector('.file-thumb img[alt="sunset.png"]');
    return document.querySelector(".file-card") !== null && image?.complete &&
      image.naturalWidth > 0;
  }, { timeout: 15_000 });
}
