/**
 * A room closed (or expired) and created again never gives an id of its name
 * twice, so a member coming back with the last id it saw there gets exactly
 * the new room's records: none skipped, none repeated. Over real TCP with a
 * real database file, and with the memory store.
 */

import { join } from "node:path";
import { memoryStore, type RoomStore } from "../src/server/room_store.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

async function said(client: LineClient, text: string): Promise<AnyFrame> {
  await client.say(text);
  return await client.nextFrame((f) => f.type === "message" && f.text === text);
}

/** Alice saw #x up to "old"; #x is closed and made again; she comes back with her last id. */
async function returnAfterRecreate(store: () => RoomStore): Promise<void> {
  await withServer(async (server, port) => {
    const { client: alice, welcome } = await LineClient.join(port, "alice", { room: "#x" });
    const seen = await said(alice, "old");
    await alice.sendFrame({ type: "quit" });
    await alice.ended;
    assertEquals(runConsoleLine(server, "/close #x"), ["#x is closed; its history is deleted."]);

    const { client: bob, welcome: made } = await LineClient.join(port, "bob", { room: "#x" });
    assertEquals(made.history, [], "the new #x has none of the old one's history");
    const fresh = [await said(bob, "a"), await said(bob, "b"), await said(bob, "c")];
    assert(fresh.every((record) => record.id > seen.id), "ids continue after the old room's");

    const { client: back, welcome: again } = await LineClient.join(port, "alice", {
      resume: welcome.session,
      log: welcome.log,
      room: "#x",
      since: seen.id,
    });
    assertEquals(again.catchUp, true);
    const texts = again.history.filter((r: AnyFrame) => r.type === "message").map((r: AnyFrame) =>
      r.text
    );
    assertEquals(texts, ["a", "b", "c"], "nothing skipped, nothing from before");
    back.close();
    bob.close();
  }, { store: store(), limits: UNLIMITED });
}

Deno.test("a member coming back to a room closed and created again gets all of the new room", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    await returnAfterRecreate(() => openSqliteStore(file, { historyLimit: 100 }));
  });
  await returnAfterRecreate(() => memoryStore(100));
});

Deno.test("ids of a closed room's name continue after a restart too", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    let last = 0;
    await withServer(async (server, port) => {
      const { client: alice } = await LineClient.join(port, "alice", { room: "#x" });
      last = (await said(alice, "before the close")).id;
      alice.close();
      await alice.ended;
      assertEquals(runConsoleLine(server, "/close #x").length, 1);
    }, { store: openSqliteStore(file, { historyLimit: 100 }), limits: UNLIMITED });
    await withServer(async (_server, port) => {
      const { client: bob } = await LineClient.join(port, "bob", { room: "#x" });
      const first = await said(bob, "after the restart");
      assert(first.id > last, `${first.id} > ${last}`);
      bob.close();
    }, { store: openSqliteStore(file, { historyLimit: 100 }), limits: UNLIMITED });
  });
});
