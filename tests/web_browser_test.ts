/**
 * The browser page in real headless Chromium, served by a real chat server
 * on its own port (HTTP and the WebSocket on the chat port), with real TCP
 * members in the same room. Without Chromium these tests are registered as ignored,
 * with the reason in their name.
 */

import type { Page } from "puppeteer-core";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { TmuxServer } from "./support/tmux.ts";
import { chatCommand } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { assert, assertEquals } from "./support/assert.ts";
import axe from "axe-core";
import { DEFAULT_LIMITS } from "../src/protocol/limits.ts";
import {
  browserTest,
  frameWith,
  join,
  rowsWith,
  say,
  seeText,
  show,
  WAIT,
} from "./support/page_room.ts";

// The callbacks given to puppeteer run in the page, where these exist; the tests are
// type-checked without the DOM library.
// deno-lint-ignore no-explicit-any
declare const document: any;
// deno-lint-ignore no-explicit-any
declare function getComputedStyle(element: any): { display: string };

browserTest("two browser members and a TCP member chat, privately too", async (room) => {
  const { client: carol } = await LineClient.join(room.port, "carol");
  const alice = await join(room, "alice");
  const bob = await join(room, "bob");
  await seeText(alice, "bob joined");

  await say(alice, "hello from alice");
  await seeText(bob, "hello from alice");
  await frameWith(carol, "message", "hello from alice");

  await carol.say("hi browsers");
  await seeText(alice, "hi browsers");
  await seeText(bob, "hi browsers");

  await say(bob, "/msg alice psst alice");
  // A private message has a conversation of its own in the room list, marked until read.
  await alice.waitForSelector('.room-item[data-key="@bob"] .room-mention', WAIT);
  assertEquals(await rowsWith(alice, "psst alice"), 0, "not in #general");
  await show(alice, "@bob");
  await seeText(alice, "psst alice");
  assertEquals(
    await alice.$eval(
      "#scroller .messages .entry-private:last-child",
      (row) => row.classList.contains("for-me"),
    ),
    true,
  );
  await say(alice, "/msg carol for carol only");
  const secret = await frameWith(carol, "private", "for carol only");
  assertEquals([secret.from, secret.to], ["alice", "carol"]);
  await carol.say("/msg bob back to bob");
  await show(bob, "@carol");
  await seeText(bob, "back to bob");
  await show(alice, "@carol");
  await seeText(alice, "for carol only");
  assertEquals(await rowsWith(alice, "back to bob"), 0, "a private message stays private");
  assertEquals(await rowsWith(alice, "for carol only"), 1, "the sender sees her own copy");
  // Typed in a private conversation, a line goes to that person only.
  await say(alice, "just for you, carol");
  const direct = await frameWith(carol, "private", "just for you, carol");
  assertEquals([direct.from, direct.to], ["alice", "carol"]);

  await show(alice, "#general");
  await show(bob, "#general");
  await say(alice, "/me waves");
  await seeText(bob, "* alice waves");
  assertEquals(
    await alice.$$eval("#member-list li", (items) => items.map((item) => item.textContent)),
    ["alice (you)", "bob", "carol"],
  );
  // A pasted block of lines is one message; Shift+Enter makes a new line.
  await alice.focus("#input");
  await alice.type("#input", "line one");
  await alice.keyboard.down("Shift");
  await alice.keyboard.press("Enter");
  await alice.keyboard.up("Shift");
  await alice.type("#input", "line two");
  await alice.keyboard.press("Enter");
  const multi = await frameWith(carol, "message", "line one");
  assertEquals(multi.text, "line one\nline two");
  assertEquals(room.problems, []);
  carol.close();
});

const MOTD = `<i>motd</i> <img src=x onerror="window.__xss=9">`;

browserTest("what people type renders as text, never as HTML", async (room) => {
  const payloads = [
    `<img src=x onerror="window.__xss=1">`,
    `<script>window.__xss=2</script>`,
    `"><svg onload=window.__xss=3>`,
  ];
  const { client: evil } = await LineClient.join(room.port, "<b>x</b>");
  const alice = await join(room, "alice");
  for (const payload of payloads) await evil.say(payload);
  await evil.say(`/me ${payloads[0]}`);
  await evil.say(`/msg alice ${payloads[1]}`);
  room.server.say(payloads[2]);
  await seeText(alice, `* <b>x</b> ${payloads[0]}`);
  await seeText(alice, payloads[1]);
  await seeText(alice, payloads[2]);
  room.server.kick("<b>x</b>", payloads[0]);
  await seeText(alice, `kicked by the operator: ${payloads[0]}`);
  const found = await alice.evaluate(() => ({
    xss: typeof (globalThis as { __xss?: number }).__xss,
    elements:
      document.querySelectorAll("#scroller img, #scroller script, #scroller svg, #scroller b")
        .length,
    motd: document.querySelector(".motd p")?.textContent,
  }));
  assertEquals(found, { xss: "undefined", elements: 0, motd: MOTD });
  assertEquals(await rowsWith(alice, payloads[0]), 3, "the message, the /me and the kick reason");
  assertEquals(room.problems, []);
  evil.close();
}, MOTD);

browserTest("a hidden tab counts unread messages in its title and favicon", async (room) => {
  const { client: carol } = await LineClient.join(room.port, "carol");
  const alice = await join(room, "alice");
  assertEquals(await alice.title(), "chat");
  const other = await (alice.browserContext()).newPage();
  await other.bringToFront();
  assertEquals(await alice.evaluate(() => document.visibilityState), "hidden");
  await carol.say("one");
  await carol.say("two, alice");
  await carol.say("three");
  await alice.waitForFunction(() => document.title === "(3) chat", WAIT);
  assertEquals(
    await alice.$eval("#favicon", (link) => link.getAttribute("href")),
    "/icon-unread.svg",
  );
  assertEquals(await rowsWith(alice, "two, alice"), 1);
  assert(
    await alice.$eval(
      "#scroller .messages .entry:nth-last-child(2)",
      (row) => row.classList.contains("for-me"),
    ),
  );
  await alice.bringToFront();
  await alice.waitForFunction(() => document.title === "chat", WAIT);
  assertEquals(await alice.$eval("#favicon", (link) => link.getAttribute("href")), "/icon.svg");
  carol.close();
});

browserTest("a 360×740 phone screen never scrolls sideways", async (room) => {
  const alice = await room.open();
  await alice.setViewport({ width: 360, height: 740 });
  await join(room, "alice", alice);
  await say(alice, "a".repeat(300) + " https://example.invalid/" + "b".repeat(200));
  await seeText(alice, "bbbbbbbbbbbb");
  const widths = await alice.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    scroller: document.getElementById("scroller")!.scrollWidth,
    bar: document.querySelector(".top-bar")!.scrollWidth,
  }));
  assert(widths.page <= 360 && widths.scroller <= 360 && widths.bar <= 360, JSON.stringify(widths));
  // The member list is behind a button on a phone, and keyboard-reachable.
  assertEquals(
    await alice.$eval("#members-panel", (panel) => getComputedStyle(panel).display),
    "none",
  );
  await alice.click("#members-toggle");
  assertEquals(
    await alice.$eval("#members-panel", (panel) => getComputedStyle(panel).display),
    "block",
  );
});

browserTest("axe-core finds no serious or critical problems, light and dark", async (room) => {
  const axeSource = axe.source;
  const { client: carol } = await LineClient.join(room.port, "carol");
  const alice = await room.open();
  const check = async (what: string) => {
    await alice.evaluate(axeSource);
    const violations = await alice.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const result = await (globalThis as any).axe.run(document);
      // deno-lint-ignore no-explicit-any
      return result.violations.filter((v: any) => v.impact === "serious" || v.impact === "critical")
        // deno-lint-ignore no-explicit-any
        .map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`);
    });
    assertEquals(violations, [], what);
  };
  for (const scheme of ["light", "dark"] as const) {
    await alice.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    await alice.goto(room.url);
    if (scheme === "light") {
      await check("join form, light");
      await join(room, "alice", alice);
      await say(alice, "/help");
      await say(alice, "/msg alice note to self");
      await say(alice, "hello alice");
      await seeText(alice, "hello alice");
      // A second room, and unread messages with a mention in the first: every badge shows.
      await say(alice, "/join #homework");
      await alice.waitForSelector('.room-item[data-key="#homework"][aria-current]', WAIT);
      await say(alice, "/topic chapter 4");
      await carol.say("alice, look");
      await alice.waitForSelector('.room-item[data-key="#general"] .room-mention', WAIT);
      await say(alice, "/rooms");
      await alice.waitForSelector("#scroller .rooms-join", WAIT);
    } else {
      await seeText(alice, "no new messages since you left");
      await alice.waitForSelector('.room-item[data-key="#homework"]', WAIT);
    }
    await alice.click("#settings-toggle");
    await check(`room, ${scheme}`);
    await alice.click("#settings-toggle");
    // The phone's room switcher, open.
    await alice.setViewport({ width: 360, height: 740 });
    await alice.click("#rooms-toggle");
    await check(`phone room list, ${scheme}`);
    await alice.click("#rooms-toggle");
    await alice.setViewport({ width: 1000, height: 700 });
  }
  carol.close();
});

browserTest(
  "after a dropped connection and a reload, nothing twice, nothing missing",
  async (room) => {
    // Alice reaches the room through a proxy, which drops her connection while the server stays up.
    const proxy = new TcpProxy(room.port);
    const { client: carol } = await LineClient.join(room.port, "carol");
    const alice = await join({ ...room, url: `http://127.0.0.1:${proxy.port}/` }, "alice");
    await carol.say("before the drop");
    await seeText(alice, "before the drop");

    proxy.refusing = true;
    proxy.cut();
    await alice.waitForFunction(
      () => document.getElementById("status")!.textContent!.startsWith("Not connected"),
      WAIT,
    );
    await carol.say("missed one");
    await carol.say("missed two");
    proxy.refusing = false;
    // The network comes back: the page reconnects at once instead of waiting out its backoff.
    await alice.setOfflineMode(true);
    await alice.setOfflineMode(false);
    await seeText(alice, "missed two");
    await alice.waitForFunction(
      () => document.getElementById("status")!.textContent === "Connected as alice",
      WAIT,
    );
    await carol.say("after the drop");
    await seeText(alice, "after the drop");
    for (const text of ["before the drop", "missed one", "missed two", "after the drop"]) {
      assertEquals(await rowsWith(alice, text), 1, text);
    }

    // Closing the page and coming back later: "N new messages since you left".
    const context = alice.browserContext();
    await alice.close();
    await frameWith(carol, "leave", "");
    await carol.say("while you were gone");
    const again = await context.newPage();
    await again.goto(`http://127.0.0.1:${proxy.port}/`);
    await seeText(again, "1 new message since you left");
    await seeText(again, "while you were gone");
    assertEquals(await rowsWith(again, "while you were gone"), 1);
    assertEquals(await rowsWith(again, "after the drop"), 0, "what was seen is not shown again");
    assertEquals(room.problems.filter((p) => !p.includes("WebSocket")), []);
    carol.close();
    await proxy.close();
  },
);

browserTest("the keyboard: Tab completes, Up recalls, /help and unknown commands", async (room) => {
  const { client: carol } = await LineClient.join(room.port, "carol");
  const alice = await join(room, "alice");
  const value = () =>
    alice.$eval("#input", (input) => (input as unknown as { value: string }).value);
  await alice.focus("#input");
  await alice.type("#input", "ca");
  await alice.keyboard.press("Tab");
  assertEquals(await value(), "carol: ");
  await alice.type("#input", "hi");
  await alice.keyboard.press("Enter");
  await frameWith(carol, "message", "carol: hi");
  await alice.type("#input", "/he");
  await alice.keyboard.press("Tab");
  assertEquals(await value(), "/help ");
  await alice.keyboard.press("Enter");
  await seeText(alice, "/msg NAME TEXT");
  await seeText(alice, "Shift+Enter starts a new line");
  await alice.keyboard.press("ArrowUp");
  assertEquals(await value(), "/help ");
  await alice.keyboard.press("ArrowUp");
  assertEquals(await value(), "carol: hi");
  await alice.keyboard.press("ArrowDown");
  await alice.keyboard.press("ArrowDown");
  assertEquals(await value(), "");
  await say(alice, "/dance");
  await seeText(alice, "There is no /dance command.");
  // Nothing to complete: Tab leaves the box, so the keyboard is never trapped.
  await alice.keyboard.press("Tab");
  assert(await alice.evaluate(() => document.activeElement.id !== "input"));
  carol.close();
});

browserTest(
  "a room with a password asks for it, and a wrong one says so",
  async (room) => {
    const page = await room.open();
    await page.goto(room.url);
    await page.type("#join-name", "alice");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#password-row:not([hidden])", WAIT);
    await page.waitForFunction(
      () => document.getElementById("join-error").textContent.length > 0,
      WAIT,
    );
    assertEquals(await page.evaluate(() => document.activeElement.id), "join-password");
    await page.evaluate(() => document.getElementById("join-error").textContent = "");
    await page.type("#join-password", "guess");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => document.getElementById("join-error").textContent.includes("password"),
      WAIT,
    );
    await page.evaluate(() => document.getElementById("join-password").value = "");
    await page.type("#join-password", "open sesame");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#room-view:not([hidden])", WAIT);
    await seeText(page, "You joined as alice");
  },
  undefined,
  { password: "open sesame" },
);

browserTest(
  "a browser member comes back after a server restart and sees what it missed once",
  async (room) => {
    const alice = await join(room, "alice");
    const { client: carol } = await LineClient.join(room.port, "carol");
    await carol.say("before the restart");
    await seeText(alice, "before the restart");
    carol.close();
    await room.stop();
    await seeText(alice, "The server is shutting down.");
    room.start();
    // Said while alice's page is still waiting to reconnect: she must see it exactly once.
    const { client: dave } = await LineClient.join(room.port, "dave");
    await dave.say("while you were away");
    await seeText(alice, "while you were away");
    await alice.waitForFunction(
      () => document.getElementById("status")!.textContent === "Connected as alice",
      WAIT,
    );
    await dave.say("after the restart");
    await seeText(alice, "after the restart");
    assertEquals(await rowsWith(alice, "before the restart"), 1);
    assertEquals(await rowsWith(alice, "while you were away"), 1);
    assertEquals(await rowsWith(alice, "after the restart"), 1);
    assertEquals(await rowsWith(alice, "The server was restarted"), 0, "same room, same ids");
    dave.close();
  },
);

browserTest("desktop notifications only after the reader asks, then for mentions", async (room) => {
  const { client: carol } = await LineClient.join(room.port, "carol");
  const alice = await room.open();
  const context = alice.browserContext();
  await context.overridePermissions(new URL(room.url).origin, ["notifications"]);
  // Records each notification the page shows (the real one is still shown).
  await alice.evaluateOnNewDocument(() => {
    // deno-lint-ignore no-explicit-any
    const real = (globalThis as any).Notification;
    const shown: string[] = [];
    // deno-lint-ignore no-explicit-any
    (globalThis as any).shownNotifications = shown;
    // deno-lint-ignore no-explicit-any
    (globalThis as any).Notification = class extends real {
      constructor(title: string, options: { body: string }) {
        super(title, options);
        shown.push(`${title}: ${options.body}`);
      }
    };
  });
  await join(room, "alice", alice);
  const other = await context.newPage();
  await other.bringToFront();
  await carol.say("alice, before you asked");
  await seeText(alice, "before you asked");
  // deno-lint-ignore no-explicit-any
  const shown = () => alice.evaluate(() => (globalThis as any).shownNotifications);
  assertEquals(await shown(), [], "nothing until the reader asks");

  await alice.bringToFront();
  await alice.click("#settings-toggle");
  await alice.click("#notify-button");
  await alice.waitForFunction(
    () => document.getElementById("notify-state").textContent.includes("are on"),
    WAIT,
  );
  await other.bringToFront();
  await carol.say("just chatting");
  await carol.say("alice, now you get a notification");
  await carol.say("/msg alice and one for this");
  // deno-lint-ignore no-explicit-any
  await alice.waitForFunction(() => (globalThis as any).shownNotifications.length === 2, WAIT);
  assertEquals(await shown(), [
    "carol: alice, now you get a notification",
    "carol (private): and one for this",
  ]);
  carol.close();
});

browserTest(
  "a message over the server's limit stays in the box, with the reason",
  async (room) => {
    const alice = await join(room, "alice");
    await say(alice, "twelve chars");
    await seeText(alice, "the limit is 10. Shorten it");
    assertEquals(
      await alice.$eval("#input", (input) => (input as unknown as { value: string }).value),
      "twelve chars",
    );
    assertEquals(await rowsWith(alice, "alice: twelve"), 0);
  },
  undefined,
  { limits: { ...DEFAULT_LIMITS, maxMessageChars: 10 } },
);

browserTest(
  "only new messages are in the live region; what came before is not announced",
  async (room) => {
    const { client: carol } = await LineClient.join(room.port, "carol");
    await carol.say("said before alice came");
    const alice = await join(room, "alice");
    await carol.say("said after alice came");
    await seeText(alice, "said after alice came");
    const regions = await alice.evaluate(() => ({
      log: document.querySelector('[role="log"]').textContent,
      earlier: document.querySelector("#scroller .history").textContent,
    }));
    assert(regions.log.includes("said after alice came"));
    assert(!regions.log.includes("said before alice came"));
    assert(regions.earlier.includes("said before alice came"));
    carol.close();
  },
);

browserTest("a taken name gets the server's reason, and another name joins", async (room) => {
  const { client: carol } = await LineClient.join(room.port, "carol");
  const page = await room.open();
  await page.goto(room.url);
  await page.type("#join-name", "Carol");
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    () => document.getElementById("join-error").textContent.includes("already called"),
    WAIT,
  );
  assertEquals(await page.evaluate(() => document.activeElement.id), "join-name");
  await page.evaluate(() => document.getElementById("join-name").value = "");
  await page.type("#join-name", "carol2");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#room-view:not([hidden])", WAIT);
  await seeText(page, "You joined as carol2");
  carol.close();
});

browserTest(
  "one port for the page and nc: 50 page loads in Chromium (new tabs and reloads), none broken",
  async (room) => {
    // The default context keeps what Chromium learns about the origin, so it opens
    // connections ahead of time (preconnect) and leaves them silent: the trap a
    // plain-text greeting on those connections would spring (ERR_INVALID_HTTP_RESPONSE).
    const failures: string[] = [];
    // This computer opened the page before (any HTTP request marks its address as browsing). The
    // very first visit relies on its navigation sending the request within the greeting delay,
    // which 50 ms does not leave a loaded machine; the loads below are what the 12 s rule is for.
    await (await fetch(room.url)).arrayBuffer();
    const connected = (page: Page) =>
      page.waitForFunction(
        () => document.getElementById("status")!.textContent === "Connected as alice",
        WAIT,
      );
    for (let i = 0; i < 25; i++) {
      const page = await room.browser.newPage();
      page.on(
        "requestfailed",
        (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`),
      );
      page.on("response", (response) => {
        if (response.status() >= 400) failures.push(`${response.url()}: ${response.status()}`);
      });
      await page.goto(room.url);
      if (i === 0) {
        await page.type("#join-name", "alice");
        await page.keyboard.press("Enter");
      }
      await connected(page);
      await page.reload();
      await connected(page);
      await page.close();
    }
    assertEquals(failures, []);
    // nc from the same address: typing a name works at once (its greeting waits longer, see
    // docs/PROTOCOL.md), and the room answers in plain text.
    const nc = await LineClient.connect(room.port);
    await nc.sendLine("carol");
    await nc.nextLine((line) => line.startsWith("-- Welcome, carol!"));
    nc.close();
  },
  undefined,
  // A greeting due after 50 ms of silence instead of 150 makes the trap spring more often.
  // 50 page loads in a row from one address: more joins and connections than a person makes.
  {
    limits: {
      ...DEFAULT_LIMITS,
      joinBurst: 1000,
      joinsPerMinute: 6000,
      connectBurst: 1000,
      greetingDelayMs: 50,
    },
  },
  { preconnect: true },
);

browserTest(
  "two browsers, chat join in tmux and nc in one room; private messages every way",
  async (room) => {
    // nc first, before this address loads the page: it is greeted as usual.
    const dave = await LineClient.connect(room.port);
    await dave.nextLine((line) => line.startsWith("Welcome to chat"));
    await dave.sendLine("dave");
    await dave.nextLine((line) => line.startsWith("-- Welcome, dave!"));
    const tmux = new TmuxServer();
    try {
      const command = chatCommand(["join", "--name", "carol", `127.0.0.1:${room.port}`])
        .map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
      const carol = await tmux.open("carol", command, { columns: 100, rows: 30 });
      await carol.waitFor("Welcome, carol!", 20_000);
      const alice = await join(room, "alice");
      const bob = await join(room, "bob");
      await seeText(alice, "bob joined");

      await say(alice, "hello from the browser");
      await seeText(bob, "hello from the browser");
      await carol.waitFor("hello from the browser");
      await dave.nextLine((line) => line.endsWith("alice: hello from the browser"));
      await carol.type("hello from the terminal");
      await carol.press("Enter");
      await seeText(alice, "hello from the terminal");
      await dave.nextLine((line) => line.endsWith("carol: hello from the terminal"));
      await dave.sendLine("hello from nc");
      await seeText(bob, "hello from nc");
      await carol.waitFor("hello from nc");

      await say(alice, "/msg carol psst carol");
      await carol.waitFor("@alice 1!"); // in a window of its own, the second
      await carol.press("M-2");
      await carol.waitFor("psst carol");
      await carol.type("/msg alice psst alice");
      await carol.press("Enter");
      await show(alice, "@carol");
      await seeText(alice, "psst alice");
      await dave.sendLine("/msg bob psst bob");
      await show(bob, "@dave");
      await seeText(bob, "psst bob");
      await say(bob, "/msg dave psst dave");
      await dave.nextLine((line) => line.includes("psst dave"));
      assertEquals(await rowsWith(bob, "psst carol"), 0, "private stays private");
      assertEquals(await rowsWith(alice, "psst bob"), 0, "private stays private");
      assert(!dave.transcript.some((line) => line.includes("psst alice")));
      assertEquals(room.problems, []);
      dave.close();
    } finally {
      await tmux.kill();
    }
  },
  undefined,
  {},
  { tmux: true },
);
