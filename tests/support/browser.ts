/**
 * Real Chromium for browser tests (Debian's `chromium`, driven by
 * puppeteer-core over a pipe), headless, in a fresh empty profile that is
 * removed afterwards. Without Chromium the tests register as ignored, with
 * the reason in their name.
 *
 * @module
 */

import puppeteer, { type Browser } from "puppeteer-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when Chromium is installed. */
export function chromiumAvailable(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Runs `body` with a headless Chromium; the browser and its profile are removed afterwards.
 * With `preconnect`, Chromium predicts connections as a person's browser does (it opens
 * connections to an origin ahead of time and leaves them silent until it needs them).
 */
export async function withBrowser(
  body: (browser: Browser) => Promise<void>,
  options: { preconnect?: boolean } = {},
): Promise<void> {
  const profile = await Deno.makeTempDir({ prefix: "chat-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir: profile,
    headless: true,
    pipe: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      ...(options.preconnect ? [] : ["--disable-background-networking"]),
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    await body(browser);
  } finally {
    await browser.close();
    await Deno.remove(profile, { recursive: true });
  }
}
