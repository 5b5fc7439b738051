/**
 * Rooms in the browser page, in real headless Chromium against a real chat
 * server: the room list with unread counts and markers, switching with the
 * mouse and the keyboard, joining (with keys), leaving, `/rooms`, topics,
 * per-room catch-up after a reload, members of other rooms (TCP and nc) kept
 * out of rooms they are not in, and the phone's room switcher. Without
 * Chromium these tests are registered as ignored, with the reason in their name.
 */

import type { Page } from "puppeteer-core";
import { LineClient } from "./support/line_client.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { DEFAULT_LIMITS } from "../src/protocol/limits.ts";
import { assert, assertEquals } from "./support/assert.ts";
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

/** What the room list shows: key, unread count and mention marker of each entry, in order. */
function roomList(page: Page): Promise<string[]> {
  return page.$$eval(".room-item", (items) =>
    items.map((item) => {
      const unread = item.querySelector(".room-unread")?.textContent ?? "0";
      const mark = item.querySelector(".room-mention") ? "!" : "";
      const current = item.hasAttribute("aria-current") ? "*" : "";
      return `${current}${
        (item as unknown as { dataset: { key: string } }).dataset.key
      } ${unread}${mark}`;
    }));
}

/** Waits until the room list reads `wanted`. */
async function listReads(page: Page, wanted: string[]): Promise<void> {
  try {
    await page.waitForFunction(
      (want: string) =>
        JSON.stringify(
          [...document.querySelectorAll(".room-item")].map((item) => {
            const unread = item.querySelector(".room-unread")?.textContent ?? "0";
            const mark = item.querySelector(".room-mention") ? "!" : "";
            const current = item.hasAttribute("aria-current") ? "*" : "";
            return `${current}${item.dataset.key} ${unread}${mark}`;
          }),
        ) === want,
      WAIT,
      JSON.stringify(wanted),
    );
  } catch (error) {
    assertEquals(await roomList(page), wanted, String(error));
  }
}

/** A structured member in `rooms` (the first is where it starts). */
async function member(port: number, name: string, ...rooms: string[]): Promise<LineClient> {
  const [first, ...others] = rooms;
  const { client } = await LineClient.join(port, name, { room: first, multiRoom: true });
  for (const room of others) {
    await client.sendFrame({ type: "join", room });
    await client.nextFrame((f) => f.type === "joined");
  }
  return client;
}

/** Sets the topic of `room` as `client`, and waits for its notice. */
async function setTopic(client: LineClient, room: string, topic: string): Promise<void> {
  await client.sendFrame({ type: "send", text: `/topic ${topic}`, room });
  await frameWith(client, "notice", topic);
}

/** Says `text` in `room` as `client`, and waits for the echo. */
async function sayIn(client: LineClient, room: string, text: string): Promise<void> {
  await client.sendFrame({ type: "send", text, room });
  await frameWith(client, "message", text);
}

browserTest(
  "two rooms: unread counts and the mention marker in the list, switching reads them",
  async (room) => {
    const carol = await member(room.port, "carol", "#general", "#homework");
    const alice = await join(room, "alice");
    await listReads(alice, ["*#general 0"]);
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await seeText(alice, "You joined as alice");
    assertEquals(await alice.$eval("#room-title", (title) => title.textContent), "#homework");

    await sayIn(carol, "#general", "hello general");
    await sayIn(carol, "#general", "alice, are you there?");
    await listReads(alice, ["#general 2!", "*#homework 0"]);
    assertEquals(await alice.title(), "(2) chat", "the title sums every room");
    assertEquals(await rowsWith(alice, "hello general"), 0, "not shown in #homework");
    const label = await alice.$eval(
      '.room-item[data-key="#general"]',
      (item) => item.getAttribute("aria-label"),
    );
    assertEquals(label, "#general, 2 unread, mentions you, Alt+1");

    await sayIn(carol, "#homework", "exercise 3 is hard");
    await seeText(alice, "exercise 3 is hard");
    await listReads(alice, ["#general 2!", "*#homework 0"]);

    // Alt+1 shows #general: the "new messages" marker is above what came, the count is gone.
    await alice.focus("#input");
    await alice.keyboard.down("Alt");
    await alice.keyboard.press("Digit1");
    await alice.keyboard.up("Alt");
    await listReads(alice, ["*#general 0", "#homework 0"]);
    await seeText(alice, "alice, are you there?");
    assertEquals(await alice.title(), "chat");
    assertEquals(await rowsWith(alice, "exercise 3 is hard"), 0, "#homework's stays there");
    const markerThenMessage = await alice.evaluate(() => {
      const marker = document.querySelector("#scroller .unread-marker");
      return marker?.nextElementSibling?.textContent.includes("hello general");
    });
    assert(markerThenMessage, "the new-messages marker sits above the first unread message");

    // Alt+Down and Alt+Up walk the list; a click works too.
    await alice.keyboard.down("Alt");
    await alice.keyboard.press("ArrowDown");
    await alice.keyboard.up("Alt");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await alice.keyboard.down("Alt");
    await alice.keyboard.press("ArrowUp");
    await alice.keyboard.up("Alt");
    await listReads(alice, ["*#general 0", "#homework 0"]);
    // Tab reaches the list's buttons and Enter shows a room; the focus stays on the button.
    await alice.focus('.room-item[data-key="#general"]');
    await alice.keyboard.press("Tab");
    assertEquals(await alice.evaluate(() => document.activeElement.dataset.key), "#homework");
    await alice.keyboard.press("Enter");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    assertEquals(await alice.evaluate(() => document.activeElement.dataset.key), "#homework");
    // The marker was read: it is gone the next time.
    await show(alice, "#general");
    assertEquals(await alice.$$eval("#scroller .unread-marker", (m) => m.length), 0);

    // What alice types goes to the room she looks at.
    await say(alice, "back in general");
    const heard = await frameWith(carol, "message", "back in general");
    assertEquals(heard.room, "#general");
    await show(alice, "#homework");
    await say(alice, "/me does exercise 3");
    const emote = await frameWith(carol, "message", "does exercise 3");
    assertEquals([emote.room, emote.emote], ["#homework", true]);

    // A topic set in #homework shows above its messages.
    await setTopic(carol, "#homework", "chapter 4, exercises 1-3");
    await alice.waitForFunction(
      () => document.getElementById("room-topic").textContent === "chapter 4, exercises 1-3",
      WAIT,
    );
    await show(alice, "#general");
    assertEquals(await alice.$eval("#room-topic", (topic) => topic.textContent), "");
    await say(alice, "/topic general chat");
    await alice.waitForFunction(
      () => document.getElementById("room-topic").textContent === "general chat",
      WAIT,
    );
    assertEquals(room.problems, []);
    carol.close();
  },
);

browserTest(
  "a private room: no key and a wrong key say so, the right key joins; /part leaves",
  async (room) => {
    const carol = await member(room.port, "carol", "#general");
    await carol.say("/join #secret sesame");
    await carol.nextFrame((f) => f.type === "joined");
    await sayIn(carol, "#secret", "the plan");
    const alice = await join(room, "alice");

    const joinForm = async (name: string, key: string) => {
      await alice.evaluate(() => {
        document.getElementById("room-join-name").value = "";
        document.getElementById("room-join-key").value = "";
        document.getElementById("room-join-error").textContent = "";
      });
      await alice.type("#room-join-name", name);
      if (key) await alice.type("#room-join-key", key);
      await alice.click("#room-join-button");
    };
    const formError = async (wanted: string) => {
      await alice.waitForFunction(
        (text: string) => document.getElementById("room-join-error").textContent.includes(text),
        WAIT,
        wanted,
      );
    };
    await joinForm("#secret", "");
    await formError("is private");
    await seeText(alice, "is private");
    await joinForm("#secret", "guess");
    await formError("key");
    await listReads(alice, ["*#general 0"]);
    await joinForm("#secret", "sesame");
    await listReads(alice, ["#general 0", "*#secret 0"]);
    await seeText(alice, "the plan");
    assertEquals(await alice.$eval("#room-join-key", (input) => input.value), "", "key cleared");
    // After a reload the page enters the private room again with its key, caught up.
    await alice.reload();
    await listReads(alice, ["#general 0", "*#secret 0"]);
    await sayIn(carol, "#secret", "after your reload");
    await seeText(alice, "after your reload");
    await seeText(alice, "no new messages since you left");
    assertEquals(await rowsWith(alice, "the plan"), 0, "what was seen is not shown again");
    assertEquals(await rowsWith(alice, "after your reload"), 1);

    // The same from the message box.
    await say(alice, "/part");
    await listReads(alice, ["*#general 0"]);
    await seeText(alice, "You left #secret.");
    // Having been in with the key, she is let back in without it, like someone invited, until the
    // key changes (docs/PROTOCOL.md, "Rooms").
    await say(alice, "/join #secret");
    await listReads(alice, ["#general 0", "*#secret 0"]);
    await frameWith(carol, "join", "");
    await alice.click("#part-button");
    await listReads(alice, ["*#general 0"]);
    const left = await carol.nextFrame((f) => f.type === "leave" && f.room === "#secret");
    assertEquals(left.name, "alice");
    // The only room cannot be left; the server says why.
    await say(alice, "/part");
    await seeText(alice, "is your only room");
    carol.close();
  },
);

browserTest(
  "/rooms lists every room with counts and topics; a click joins one",
  async (room) => {
    const bob = await member(room.port, "bob", "#homework");
    await setTopic(bob, "#homework", "chapter 4");
    const alice = await join(room, "alice");
    await say(alice, "/rooms");
    await alice.waitForSelector("#scroller .rooms-join", WAIT);
    const listed = await alice.$$eval(
      "#scroller .rooms-join",
      (buttons) => buttons.map((button) => button.textContent),
    );
    assertEquals(listed, ["#general: 1 here (you are here)", "#homework: 1 here — chapter 4"]);
    await alice.click('#scroller .rooms-join[aria-label^="Join #homework"]');
    await listReads(alice, ["#general 0", "*#homework 0"]);
    assertEquals(await alice.$eval("#room-topic", (topic) => topic.textContent), "chapter 4");
    bob.close();
  },
  undefined,
  { rooms: { creation: true } },
);

browserTest(
  "joining refused by the server: room creation off, too many rooms",
  async (room) => {
    const alice = await join(room, "alice");
    await say(alice, "/join #brand-new");
    await seeText(alice, "#brand-new");
    await alice.waitForFunction(
      () => document.getElementById("room-join-error").textContent.length > 0,
      WAIT,
    );
    await listReads(alice, ["*#general 0"]);
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await say(alice, "/join #random");
    await seeText(alice, "/part one first");
    await listReads(alice, ["#general 0", "*#homework 0"]);
  },
  undefined,
  {
    rooms: { creation: false, preset: ["homework", "random"], maxRoomsPerMember: 2 },
  },
);

browserTest(
  "after a reload each room shows what was missed there, once, and counts it in the list",
  async (room) => {
    const carol = await member(room.port, "carol", "#general", "#homework");
    const alice = await join(room, "alice");
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await sayIn(carol, "#homework", "seen in homework");
    await seeText(alice, "seen in homework");
    await show(alice, "#general");
    await sayIn(carol, "#general", "seen in general");
    await seeText(alice, "seen in general");

    const context = alice.browserContext();
    await alice.close();
    await carol.nextFrame((f) => f.type === "leave" && f.name === "alice");
    await sayIn(carol, "#general", "missed general 1");
    await sayIn(carol, "#homework", "missed homework 1");
    await sayIn(carol, "#homework", "missed homework 2");
    await sayIn(carol, "#general", "missed general 2");
    await sayIn(carol, "#homework", "alice, missed homework 3");

    const again = await context.newPage();
    await again.goto(room.url);
    await seeText(again, "2 new messages since you left");
    await listReads(again, ["*#general 0", "#homework 3!"]);
    for (const text of ["missed general 1", "missed general 2"]) {
      assertEquals(await rowsWith(again, text), 1, text);
    }
    assertEquals(await rowsWith(again, "seen in general"), 0, "what was seen is not shown again");
    assertEquals(await rowsWith(again, "missed homework"), 0, "each room's own records");
    await show(again, "#homework");
    await seeText(again, "3 new messages since you left");
    for (const text of ["missed homework 1", "missed homework 2", "missed homework 3"]) {
      assertEquals(await rowsWith(again, text), 1, text);
    }
    assertEquals(await rowsWith(again, "seen in homework"), 0, "what was seen is not shown again");
    assertEquals(await again.title(), "chat");

    // Live messages after the catch-up arrive once, in their rooms.
    await sayIn(carol, "#homework", "after the reload");
    await seeText(again, "after the reload");
    assertEquals(await rowsWith(again, "after the reload"), 1);
    assertEquals(room.problems.filter((p) => !p.includes("WebSocket")), []);
    carol.close();
  },
);

browserTest(
  "after a dropped connection every room catches up on its own, nothing twice",
  async (room) => {
    // Alice reaches the server through a proxy, which drops her connection while it stays up.
    const proxy = new TcpProxy(room.port);
    const carol = await member(room.port, "carol", "#general", "#homework");
    const alice = await join({ ...room, url: `http://127.0.0.1:${proxy.port}/` }, "alice");
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await sayIn(carol, "#homework", "before the drop");
    await seeText(alice, "before the drop");

    proxy.refusing = true;
    proxy.cut();
    await alice.waitForFunction(
      () => document.getElementById("status").textContent.startsWith("Not connected"),
      WAIT,
    );
    await sayIn(carol, "#homework", "missed in homework");
    await sayIn(carol, "#general", "missed in general");
    for (let i = 1; i <= 30; i++) await sayIn(carol, "#general", `more missed, ${i}`);
    await sayIn(carol, "#general", "alice, missed too");
    proxy.refusing = false;
    await alice.setOfflineMode(true);
    await alice.setOfflineMode(false);
    await seeText(alice, "missed in homework");
    await listReads(alice, ["#general 32!", "*#homework 0"]);
    await alice.waitForFunction(
      () => document.getElementById("status").textContent === "Connected as alice",
      WAIT,
    );
    await sayIn(carol, "#homework", "after the drop");
    await seeText(alice, "after the drop");
    for (const text of ["before the drop", "missed in homework", "after the drop"]) {
      assertEquals(await rowsWith(alice, text), 1, text);
    }
    await show(alice, "#general");
    for (const text of ["missed in general", "alice, missed too", "more missed, 30"]) {
      assertEquals(await rowsWith(alice, text), 1, text);
    }
    // The room opens at what was missed, not at its bottom.
    const markerAt = await alice.evaluate(() => {
      const scroller = document.getElementById("scroller").getBoundingClientRect();
      const marker = document.querySelector("#scroller .since-left").getBoundingClientRect();
      return { offset: marker.top - scroller.top, height: scroller.height };
    });
    assert(markerAt.offset >= 0 && markerAt.offset < 60, JSON.stringify(markerAt));
    assertEquals(await rowsWith(alice, "missed in homework"), 0);
    assertEquals(room.problems.filter((p) => !p.includes("WebSocket")), []);
    carol.close();
    await proxy.close();
  },
  undefined,
  { limits: { ...DEFAULT_LIMITS, rateBurst: 1000, ratePerSecond: 1000 } },
);

browserTest(
  "members of other rooms (structured and nc) never show up in the wrong room",
  async (room) => {
    // dave types at nc (before this address loads the page, so he is greeted at once).
    const dave = await LineClient.connect(room.port);
    await dave.nextLine((line) => line.startsWith("Welcome to chat"));
    const alice = await join(room, "alice");
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    // He is in #general first, then moves to #random and talks there.
    await dave.sendLine("dave");
    await dave.nextLine((line) => line.startsWith("-- Welcome, dave!"));
    await dave.sendLine("/join #random");
    await dave.nextLine((line) => line.startsWith("-- You are now in #random"));
    await dave.sendLine("from random by nc");
    await dave.nextLine((line) => line.endsWith("dave: from random by nc"));
    const erin = await member(room.port, "erin", "#random");
    await sayIn(erin, "#random", "from random by erin");
    await sayIn(erin, "#random", "alice, from random");
    // A message in #homework marks the moment everything before it has reached the page.
    const bob = await member(room.port, "bob", "#homework");
    await sayIn(bob, "#homework", "homework marker");
    await seeText(alice, "homework marker");
    await show(alice, "#general");
    await seeText(alice, "dave left");
    for (const key of ["#general", "#homework"]) {
      await show(alice, key);
      for (const text of ["from random", "erin"]) {
        assertEquals(await rowsWith(alice, text), 0, `${text} in ${key}`);
      }
    }
    await listReads(alice, ["#general 0", "*#homework 0"]);
    assertEquals(
      await alice.$$eval("#member-list li", (items) => items.map((item) => item.textContent)),
      ["alice (you)", "bob"],
    );
    dave.close();
    erin.close();
    bob.close();
  },
);

browserTest("on a 360 px phone the room switcher fits, opens and switches", async (room) => {
  const carol = await member(room.port, "carol", "#general");
  const alice = await room.open();
  await alice.setViewport({ width: 360, height: 740 });
  await join(room, "alice", alice);
  const longName = `#${"a".repeat(32)}`;
  await say(alice, `/join ${longName}`);
  await listReads(alice, ["#general 0", `*${longName} 0`]);
  await say(alice, "/topic " + "a long topic that has to wrap on a small screen ".repeat(4));
  await sayIn(carol, "#general", "alice: over here");
  await alice.waitForFunction(
    () => document.getElementById("rooms-toggle-count").textContent === "1",
    WAIT,
  );
  const widths = await alice.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    bar: document.querySelector(".top-bar").scrollWidth,
    head: document.querySelector(".room-head").scrollWidth,
    scroller: document.getElementById("scroller").scrollWidth,
  }));
  assert(Object.values(widths).every((width) => width <= 360), JSON.stringify(widths));
  const display = () => alice.$eval("#rooms-panel", (panel) => getComputedStyle(panel).display);
  assertEquals(await display(), "none", "the list is behind the switcher on a phone");
  const label = await alice.$eval("#rooms-toggle", (button) => button.getAttribute("aria-label"));
  assert(label!.includes("1 unread in other rooms"), label!);
  await alice.click("#rooms-toggle");
  assertEquals(await display(), "flex");
  const panelWidth = await alice.evaluate(() => document.documentElement.scrollWidth);
  assert(panelWidth <= 360, String(panelWidth));
  await alice.click('.room-item[data-key="#general"]');
  assertEquals(await display(), "none", "choosing a room closes the list");
  await seeText(alice, "alice: over here");
  carol.close();
});

browserTest(
  "a room the operator closes leaves the list with the reason; with no room left, the default shows",
  async (room) => {
    const alice = await join(room, "alice");
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await say(alice, "/part #general");
    await listReads(alice, ["*#homework 0"]);
    room.server.closeRoom("#homework");
    await listReads(alice, ["*#general 0"]);
    await seeText(alice, "You left #homework: closed by the operator.");
  },
);

browserTest(
  "Tab completes room names after /join, /part and /topic: the page's rooms, then those /rooms listed",
  async (room) => {
    const carol = await member(room.port, "carol", "#general", "#random");
    const alice = await join(room, "alice");
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    const value = () =>
      alice.$eval("#input", (input) => (input as unknown as { value: string }).value);
    const clear = () => alice.evaluate(() => (document.querySelector("#input").value = ""));
    const complete = async (typed: string) => {
      await alice.focus("#input");
      await clear();
      await alice.type("#input", typed);
      await alice.keyboard.press("Tab");
      return await value();
    };
    assertEquals(await complete("/part #h"), "/part #homework ");
    assertEquals(await complete("/join ge"), "/join #general ");
    // #random is only known once /rooms listed it.
    assertEquals(await complete("/join #ra"), "/join #ra");
    await clear();
    await say(alice, "/rooms");
    await seeText(alice, "#random");
    assertEquals(await complete("/join #ra"), "/join #random ");
    assertEquals(await complete("/topic #ho"), "/topic #homework ");
    carol.close();
  },
);

browserTest(
  "a room the page can't get back into after a dropped connection leaves the list, with the reason",
  async (room) => {
    const proxy = new TcpProxy(room.port);
    const alice = await join({ ...room, url: `http://127.0.0.1:${proxy.port}/` }, "alice");
    await say(alice, "/join #secret k1");
    await listReads(alice, ["#general 0", "*#secret 0"]);

    proxy.refusing = true;
    proxy.cut();
    await alice.waitForFunction(
      () => document.getElementById("status").textContent.startsWith("Not connected"),
      WAIT,
    );
    // Meanwhile #secret is closed and made again by someone else, with another key.
    room.server.closeRoom("#secret");
    const olga = await member(room.port, "olga", "#general");
    await olga.sendFrame({ type: "join", room: "#secret", key: "k2" });
    await olga.nextFrame((f) => f.type === "joined");
    proxy.refusing = false;
    await alice.setOfflineMode(true);
    await alice.setOfflineMode(false);
    await seeText(alice, "That is not the key of #secret.");
    await listReads(alice, ["*#general 0"]);
    await alice.waitForFunction(
      () => document.getElementById("status").textContent === "Connected as alice",
      WAIT,
    );
    // Reloading does not try it again.
    await alice.reload();
    await listReads(alice, ["*#general 0"]);
    olga.close();
    await proxy.close();
  },
);

browserTest(
  "after a reload a private conversation shows its recent messages again, once, and no one else's",
  async (room) => {
    const carol = await member(room.port, "carol", "#general");
    const dave = await member(room.port, "dave", "#general");
    const alice = await join(room, "alice");
    await carol.sendFrame({ type: "send", text: "/msg alice psst from carol" });
    await show(alice, "@carol");
    await seeText(alice, "psst from carol");
    await say(alice, "psst back");
    await frameWith(carol, "private", "psst back");
    await dave.sendFrame({ type: "send", text: "/msg alice dave here" });
    await alice.waitForSelector('.room-item[data-key="@dave"]', WAIT);
    // Alice closes dave's conversation: it stays closed after the reload.
    await show(alice, "@dave");
    await alice.click("#part-button");
    await listReads(alice, ["#general 0", "*@carol 0"]);

    await alice.reload();
    await listReads(alice, ["*#general 0", "@carol 0"]);
    await show(alice, "@carol");
    await seeText(alice, "psst back");
    await seeText(alice, "psst from carol");
    for (const text of ["psst from carol", "psst back"]) {
      assertEquals(await rowsWith(alice, text), 1, text);
    }
    const order = await alice.evaluate(() => document.getElementById("scroller").textContent);
    assert(order.indexOf("psst from carol") < order.indexOf("psst back"), order);
    assertEquals(await rowsWith(alice, "dave here"), 0);
    // New ones still come once, below.
    await carol.sendFrame({ type: "send", text: "/msg alice after the reload" });
    await seeText(alice, "after the reload");
    assertEquals(await rowsWith(alice, "psst back"), 1);
    carol.close();
    dave.close();
  },
);

browserTest(
  "/switch (by name, number or Tab), /query and /close work in the page as in chat join",
  async (room) => {
    const carol = await member(room.port, "carol", "#general");
    const alice = await join(room, "alice");
    await say(alice, "/join #homework");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await say(alice, "/switch #general");
    await listReads(alice, ["*#general 0", "#homework 0"]);
    await say(alice, "/switch 2");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await say(alice, "/query carol");
    await listReads(alice, ["#general 0", "#homework 0", "*@carol 0"]);
    await say(alice, "just us");
    await frameWith(carol, "private", "just us");
    await alice.type("#input", "/switch #ge");
    await alice.keyboard.press("Tab");
    await alice.keyboard.press("Enter");
    await listReads(alice, ["*#general 0", "#homework 0", "@carol 0"]);
    await say(alice, "/switch @carol");
    await say(alice, "/close");
    await listReads(alice, ["#general 0", "*#homework 0"]);
    await say(alice, "/switch #nowhere");
    await seeText(alice, 'Nothing called "#nowhere" in your list.');
    carol.close();
  },
);
