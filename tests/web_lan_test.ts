/**
 * Issue 11's "done when": a person on another device of the network opens
 * the page at the address `chat serve` printed and chats with a terminal
 * user. Two network namespaces joined by a veth pair (tests/support/netns.ts)
 * are the two computers: `chat serve` and a `chat join` member (plain mode)
 * on 192.0.2.1, Chromium on 192.0.2.2 opening the banner's browser address.
 * Chromium's namespace has only its own loopback and the veth, so the page
 * can reach the server only across the "LAN". Nothing is sent outside the namespaces. Where namespaces or Chromium are
 * not available, the test is registered as ignored with the reason in its name.
 */

import type { Page } from "puppeteer-core";
import { assert } from "./support/assert.ts";
import { chromiumAvailable, withBrowser } from "./support/browser.ts";
import { NetNamespace, netnsUnavailable } from "./support/netns.ts";
import { type ChatSandbox, makeSandbox, SandboxedChat } from "./support/sandboxed_chat.ts";

const WHY_NOT = netnsUnavailable() ??
  (chromiumAvailable() ? undefined : "Chromium is not installed");
const IGNORED = WHY_NOT ? ` (ignored: ${WHY_NOT})` : "";
const WAIT = { timeout: 20_000 };

// Functions passed to page.waitForFunction run in the page, where `document` exists.
// deno-lint-ignore no-explicit-any
declare const document: any;

/** Waits until the page's conversation shows `text`. */
async function seeText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => document.getElementById("scroller")!.textContent!.includes(wanted),
    WAIT,
    text,
  );
}

Deno.test({
  name:
    `a browser on another computer of the LAN opens the address serve printed and chats with a terminal member${IGNORED}`,
  ignore: WHY_NOT !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { a: server, b: phone } = await NetNamespace.lan();
    const sandboxes: ChatSandbox[] = [];
    const processes: SandboxedChat[] = [];
    const run = async (args: string[], within: NetNamespace) => {
      const sandbox = await makeSandbox();
      sandboxes.push(sandbox);
      const chat = SandboxedChat.fromSource(args, sandbox, within.within);
      processes.push(chat);
      return chat;
    };
    try {
      // The server's computer: `chat serve` as the README says, on every interface.
      const serve = await run(["serve", "--port", "0", "--no-history", "--no-announce"], server);
      const port = (await serve.stdout.waitFor(/open on port (\d+)/, 20_000, "serve"))[1];
      await serve.stdout.waitFor(/Or in a web browser on your network/, 10_000, "serve");
      // The address a person reads off the banner and types into the phone.
      const url =
        (await serve.stdout.waitFor(/^\s+(http:\/\/192\.0\.2\.1:\d+\/)$/, 10_000, "serve"))[1];
      assert(url === `http://192.0.2.1:${port}/`, `banner address ${url}, port ${port}`);

      const terminal = await run(["join", "--name", "tina", `192.0.2.1:${port}`], server);
      await terminal.stdout.waitFor(/tina/, 20_000, "join");

      await withBrowser(async (browser) => {
        const page = await browser.newPage();
        await page.goto(url, WAIT);
        await page.type("#join-name", "phone");
        await page.keyboard.press("Enter");
        await page.waitForSelector("#room-view:not([hidden])", WAIT);
        await seeText(page, "You joined as phone");
        await terminal.stdout.waitFor(/phone.*joined/, 20_000, "join");

        // Phone → terminal.
        await page.focus("#input");
        await page.type("#input", "hello from the phone");
        await page.keyboard.press("Enter");
        await terminal.stdout.waitFor(/phone.*hello from the phone/, 20_000, "join");

        // Terminal → phone.
        await terminal.write("hi phone, tina here\n");
        await seeText(page, "hi phone, tina here");
      }, { within: phone.within });
    } finally {
      await Promise.all(processes.map((chat) => chat.stop(5000).catch(() => {})));
      for (const sandbox of sandboxes) await sandbox.remove().catch(() => {});
      await server.remove();
      await phone.remove();
    }
  },
});
