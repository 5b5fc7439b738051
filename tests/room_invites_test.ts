/**
 * Invites (`/invite NAME`) are kept with the room: they survive the server
 * being killed with SIGKILL and restarted, and end when the operator changes
 * the key or kicks the invitee; wrong keys are limited per address. Over
 * real TCP (against `chat serve`, and an in-process server with an injected
 * clock), and a database file of the schema before invites were kept.
 */

import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { assertEquals } from "./support/assert.ts";
import { startServe } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

/** Sends a command and waits for the frame it causes. */
async function ask(client: LineClient, text: string, type: string, room?: string) {
  await client.sendFrame({ type: "send", text, ...(room ? { room } : {}) });
  return await client.nextFrame((f) => f.type === type || f.type === "error");
}

Deno.test({
  name: "an invite survives kill -9 and a restart; a kick and a new key end invites",
  // The killed server's sockets end abruptly.
  sanitizeResources: false,
  async fn() {
    await withTempDir(async (dir) => {
      const flags = ["--data", dir, "--rate-limit", "1000", "--rate-burst", "1000"];
      const server = await startServe(flags);
      const { client: olga, welcome: olgaWelcome } = await LineClient.join(server.port, "olga");
      assertEquals((await ask(olga, "/join #vault k3y", "joined")).room, "#vault");
      const { client: quinn, welcome: quinnWelcome } = await LineClient.join(server.port, "quinn");
      const { client: pete, welcome: peteWelcome } = await LineClient.join(server.port, "pete");
      await ask(olga, "/invite quinn", "info");
      await ask(olga, "/invite pete", "info");
      server.child.kill("SIGKILL");
      await server.status;
      for (const client of [olga, quinn, pete]) client.close();

      const restarted = await startServe(flags);
      try {
        const port = restarted.port;
        const { client: quinn } = await LineClient.join(port, "quinn", {
          resume: quinnWelcome.session,
        });
        assertEquals((await ask(quinn, "/join #vault", "joined")).room, "#vault", "still invited");
        const { client: stranger } = await LineClient.join(port, "stranger");
        assertEquals((await ask(stranger, "/join #vault", "joined")).code, "key_needed");

        // A kick ends the invite: coming back needs the key.
        const { client: olga } = await LineClient.join(port, "olga", {
          resume: olgaWelcome.session,
          room: "#vault",
        });
        await olga.say("/kick quinn");
        assertEquals((await quinn.nextFrame((f) => f.type === "parted")).room, "#vault");
        assertEquals((await quinn.nextFrame((f) => f.type === "joined")).room, "#general");
        assertEquals((await ask(quinn, "/join #vault", "joined")).code, "key_needed");

        // A new key ends every invite made under the old one.
        await ask(olga, "/key n3w", "info");
        const { client: pete } = await LineClient.join(port, "pete", {
          resume: peteWelcome.session,
        });
        assertEquals((await ask(pete, "/join #vault", "joined")).code, "key_needed");
        assertEquals((await ask(pete, "/join #vault n3w", "joined")).room, "#vault");
        for (const client of [quinn, stranger, olga, pete]) client.close();
      } finally {
        await restarted.stop();
      }
    });
  },
});

Deno.test("a history file of schema 3 (before invites were kept) gets them on open", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "history.db");
    const room = { key: "#vault", name: "#vault", keyDigest: "d", createdAt: 1, usedAt: 1 };
    const made = openSqliteStore(file, { historyLimit: 100 });
    made.rooms.save(room);
    made.close();
    // Back to schema 3, as the release before this one left it.
    const db = new DatabaseSync(file);
    db.exec("ALTER TABLE rooms DROP COLUMN invited; PRAGMA user_version = 3;");
    db.close();
    const upgraded = openSqliteStore(file, { historyLimit: 100 });
    assertEquals(upgraded.rooms.list(), [room], "nothing lost");
    upgraded.rooms.save({ ...room, invited: ["h1", "h2"] });
    upgraded.close();
    const reopened = openSqliteStore(file, { historyLimit: 100 });
    assertEquals(reopened.rooms.list(), [{ ...room, invited: ["h1", "h2"] }]);
    reopened.close();
  });
});

Deno.test("wrong room keys are limited per address: 5, then one a minute, not even checked past it", async () => {
  let now = Date.UTC(2026, 0, 1);
  await withServer(async (_server, port) => {
    const { client: olga } = await LineClient.join(port, "olga");
    assertEquals((await ask(olga, "/join #vault k3y", "joined")).room, "#vault");
    const { client: eve } = await LineClient.join(port, "eve");
    for (let i = 0; i < 5; i++) {
      assertEquals((await ask(eve, `/join #vault guess${i}`, "joined")).code, "wrong_key");
    }
    // From another connection (and name) of the same address too, and with the right key.
    const { client: mallory } = await LineClient.join(port, "mallory");
    const waiting = await ask(mallory, "/join #vault k3y", "joined");
    assertEquals([waiting.code, waiting.message], [
      "too_many_attempts",
      "Too many wrong room keys from your address; wait 1m before trying one again.",
    ]);
    assertEquals((await ask(eve, "/join #vault", "joined")).code, "key_needed");
    now += 60_000;
    assertEquals((await ask(mallory, "/join #vault k3y", "joined")).room, "#vault");
    for (const client of [olga, eve, mallory]) client.close();
  }, { now: () => now, limits: UNLIMITED });
});

Deno.test("/rooms shows a private room's topic only to those in it", async () => {
  await withServer(async (_server, port) => {
    const { client: olga } = await LineClient.join(port, "olga", { multiRoom: true });
    assertEquals((await ask(olga, "/join #vault k3y", "joined")).room, "#vault");
    await ask(olga, "/topic the plans", "notice", "#vault");
    const { client: eve } = await LineClient.join(port, "eve");
    assertEquals((await ask(eve, "/rooms", "info")).text.split("\n").at(-1), "#vault: 1 here");
    assertEquals(
      (await ask(olga, "/rooms", "info")).text.split("\n").at(-1),
      "#vault: 1 here (you are here) — the plans",
    );
    olga.close();
    eve.close();
  }, { limits: UNLIMITED });
});
