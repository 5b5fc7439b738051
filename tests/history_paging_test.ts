/**
 * History paging over real TCP, with the memory store and a real SQLite
 * file: `history` requests `before` and `after` an id walk the whole history
 * in bounded pages, oldest first, nothing twice and nothing missing; private
 * records reach only their sender's and recipient's holders; retention
 * (--history-limit) is respected; bad requests get clear errors.
 */

import { join } from "node:path";
import type { RoomStore } from "../src/server/room_store.ts";
import { memoryStore } from "../src/server/room_store.ts";
import { fitToBytes } from "../src/server/history_pages.ts";
import { PageRequests } from "../src/server/page_requests.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { ratePerSecond: 1e6, rateBurst: 1e6 };

/** Runs `body` once with each kind of store. */
async function withEachStore(
  body: (store: RoomStore) => Promise<void>,
): Promise<void> {
  await body(memoryStore(10_000));
  await withTempDir((dir) =>
    body(openSqliteStore(join(dir, "history.db"), { historyLimit: 10_000 }))
  );
}

/** Every record visible to `client`, walking pages in one direction with `limit` per page. */
async function walk(
  client: LineClient,
  direction: "before" | "after",
  limit: number,
): Promise<AnyFrame[]> {
  const records: AnyFrame[] = [];
  let from = direction === "before" ? Number.MAX_SAFE_INTEGER : 0;
  while (true) {
    await client.sendFrame({ type: "history", [direction]: from, limit });
    const page = await client.nextFrame((f) => f.type === "page");
    assertEquals(page[direction], from, "the page echoes the request");
    assert(page.records.length <= limit, `at most ${limit} records in a page`);
    const ids = page.records.map((r: AnyFrame) => r.id);
    assertEquals(ids, [...ids].sort((a, b) => a - b), "a page is oldest first");
    if (direction === "before") records.unshift(...page.records);
    else records.push(...page.records);
    if (!page.more) return records;
    assert(page.records.length > 0, "a page that says more is not empty");
    from = direction === "before" ? ids[0] : ids[ids.length - 1];
  }
}

function describe(records: AnyFrame[]): string[] {
  return records.map((r) =>
    r.type === "private" ? `${r.from}>${r.to}:${r.text}` : r.type === "message" ? r.text : r.type
  );
}

Deno.test("pages before and after walk the history; private records only for their audience", async () => {
  await withEachStore((store) =>
    withServer(async (_server, port) => {
      const { client: alice } = await LineClient.join(port, "alice");
      const { client: bob } = await LineClient.join(port, "bob");
      const { client: carol } = await LineClient.join(port, "carol");
      // One at a time, each after the previous one's echo, so the order is known.
      const said = async (client: LineClient, text: string) => {
        await client.say(text);
        await client.nextFrame((f) =>
          (f.type === "message" || f.type === "private") && text.endsWith(f.text)
        );
      };
      for (let i = 1; i <= 7; i++) await said(alice, `m${i}`);
      await said(alice, "/msg bob for bob");
      await said(bob, "/msg alice for alice");
      await said(alice, "/msg carol for carol");
      await said(carol, "m8");

      // Private messages are between people, not rooms: no room's pages carry them.
      const everyone = ["m1", "m2", "m3", "m4", "m5", "m6", "m7"];
      const expected = { alice: everyone, bob: everyone, carol: everyone };
      for (const [name, client] of [["alice", alice], ["bob", bob], ["carol", carol]] as const) {
        const back = await walk(client, "before", 3);
        const forth = await walk(client, "after", 4);
        assertEquals(describe(back), describe(forth), `${name}: both directions agree`);
        const ids = forth.map((r) => r.id);
        assertEquals(new Set(ids).size, ids.length, `${name}: nothing twice`);
        const texts = describe(forth).filter((t) => t.startsWith("m") || t.includes(">"));
        assertEquals(texts, [...expected[name], "m8"], `${name} sees`);
        assert(forth.some((r) => r.type === "join"), "pages carry every kind of record");
      }

      // A later "bob" without the token is another person: none of bob's private records.
      bob.close();
      await alice.nextFrame((f) => f.type === "leave" && f.name === "bob");
      const { client: otherBob } = await LineClient.join(port, "bob");
      const seen = describe(await walk(otherBob, "after", 50));
      assertEquals(seen.filter((t) => t.includes(">")), [], "another bob sees no private records");
      for (const client of [alice, carol, otherBob]) client.close();
    }, { store, limits: UNLIMITED })
  );
});

Deno.test("pages respect --history-limit: trimmed records are not paged, a catch-up says gap", async () => {
  await withServer(async (_server, port) => {
    const { client: alice, welcome } = await LineClient.join(port, "alice");
    for (let i = 1; i <= 30; i++) await alice.say(`m${i}`);
    await alice.nextFrame((f) => f.type === "message" && f.text === "m30");
    const texts = describe(await walk(alice, "after", 7)).filter((t) => t.startsWith("m"));
    assert(texts.length >= 10 && texts.length <= 11, `kept ${texts.length}: ${texts}`);
    assertEquals(texts.at(-1), "m30");
    const { client: back, welcome: caughtUp } = await LineClient.join(port, "bob", {
      since: 1,
      log: welcome.log,
    });
    assertEquals([caughtUp.catchUp, caughtUp.gap], [true, true]);
    alice.close();
    back.close();
  }, { store: memoryStore(10), limits: UNLIMITED });
});

Deno.test("a long catch-up comes as a first page saying more, and the rest on request up to lastId", async () => {
  await withServer(async (_server, port) => {
    const { client: alice, welcome: first } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    await bob.say("mark");
    const mark = await alice.nextFrame((f) => f.type === "message" && f.text === "mark");
    alice.close();
    for (let i = 1; i <= 1200; i++) await bob.say(`m${i}`);
    await bob.nextFrame((f) => f.type === "message" && f.text === "m1200", 10_000);

    const { client: again, welcome } = await LineClient.join(port, "alice", {
      since: mark.id,
      log: first.log,
      resume: first.session,
    });
    assertEquals([welcome.catchUp, welcome.more], [true, true]);
    assert(welcome.history.length <= 500, `first page: ${welcome.history.length} records`);
    let records = welcome.history;
    let more = welcome.more;
    while (more) {
      await again.sendFrame({ type: "history", after: records.at(-1).id });
      const page = await again.nextFrame((f) => f.type === "page");
      records = records.concat(page.records.filter((r: AnyFrame) => r.id <= welcome.lastId));
      more = page.more && records.at(-1).id < welcome.lastId;
    }
    const texts = records.filter((r: AnyFrame) => r.type === "message").map((r: AnyFrame) =>
      r.text
    );
    assertEquals(texts, Array.from({ length: 1200 }, (_, i) => `m${i + 1}`));
    assertEquals(records.at(-1).id, welcome.lastId, "the catch-up ends at lastId");
    again.close();
    bob.close();
  }, { limits: UNLIMITED });
});

Deno.test("history requests: exactly one of before and after, and only once joined", async () => {
  await withServer(async (_server, port) => {
    const early = await LineClient.connect(port);
    await early.sendFrame({ type: "history", before: 10 });
    assertEquals((await early.nextFrame((f) => f.type === "error")).code, "not_joined");
    const { client } = await LineClient.join(port, "alice");
    await client.sendFrame({ type: "history", before: 10, after: 2 });
    assertEquals((await client.nextFrame((f) => f.type === "error")).code, "bad_arguments");
    await client.sendFrame({ type: "history" });
    assertEquals((await client.nextFrame((f) => f.type === "error")).code, "bad_arguments");
    await client.sendFrame({ type: "history", before: "soon" });
    assertEquals((await client.nextFrame((f) => f.type === "error")).code, "bad_field");
    await client.sendFrame({ type: "history", before: 1 });
    const empty = await client.nextFrame((f) => f.type === "page");
    assertEquals([empty.records, empty.more], [[], false]);
    early.close();
    client.close();
  });
});

Deno.test("a page's byte budget counts UTF-8 bytes exactly and always keeps one record", () => {
  const record = (text: string) => ({ type: "message" as const, id: 1, ts: 1, from: "a", text });
  for (const text of ["abc", "é", "日本", "😀x", "\u07ff\u0800"]) {
    const bytes = new TextEncoder().encode(JSON.stringify(record(text))).length + 1;
    const two = [record(text), record(text)];
    assertEquals(fitToBytes(two, 2 * bytes, "oldest").records.length, 2, text);
    assertEquals(fitToBytes(two, 2 * bytes - 1, "newest"), { records: [two[1]], cut: true }, text);
    assertEquals(fitToBytes(two, 1, "oldest").records, [two[0]], "one record, however big");
  }
});

Deno.test("page requests: a burst at once, then later answers in order, and a refusal past four waiting", async () => {
  let now = 0;
  const pages = new PageRequests(() => now);
  const answered: number[] = [];
  for (let i = 0; i < 20; i++) assertEquals(pages.ask(() => answered.push(i)), undefined);
  assertEquals(answered.length, 20, "the burst is answered at once");
  for (let i = 20; i < 23; i++) assertEquals(pages.ask(() => answered.push(i)), undefined);
  const last = Promise.withResolvers<void>();
  pages.ask(() => {
    answered.push(23);
    last.resolve();
  });
  assertEquals(answered.length, 20, "past the burst, requests wait instead of being refused");
  assertEquals(pages.ask(() => answered.push(99))?.code, "rate_limited");
  now += 60_000; // the budget refills: the waiting ones are answered at the next turn
  const timeout = setTimeout(() => last.reject(new Error(`answered: ${answered}`)), 5000);
  await last.promise;
  clearTimeout(timeout);
  assertEquals(answered, Array.from({ length: 24 }, (_, i) => i), "in the order asked");
  pages.stop();
});
