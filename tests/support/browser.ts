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
 * With `within` (a command prefix such as `ip netns exec NAME`), Chromium runs inside it,
 * e.g. in another network namespace: a browser on another computer of the LAN.
 */
export async function withBrowser(
  body: (browser: Browser) => Promise<void>,
  options: { preconnect?: boolean; within?: string[] } = {},
): Promise<void> {
  const profile = await Deno.makeTempDir({ prefix: "chat-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: options.within ? await launcherWithin(options.within, profile) : CHROMIUM,
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

/**
 * A small launcher script in `dir` that runs Chromium under `prefix`
 * (puppeteer takes one executable; the pipe's descriptors pass through exec).
 */
async function launcherWithin(prefix: string[], dir: string): Promise<string> {
  const path = `${dir}/chromium-within.sh`;
  const quoted = [...prefix, CHROMIUM].map((word) => `'${word.replaceAll("'", "'\\''")}'`);
  await Deno.writeTextFile(path, `#!/bin/sh\nexec ${quoted.join(" ")} "$@"\n`, { mode: 0o755 });
  return path;
}
