/**
 * Look-alike names over real TCP: the room refuses a name that looks like a
 * present member's or a recently claimed one (also after a restart), for
 * plain-text and structured clients, on join and on /nick.
 */

import { join } from "node:path";
import { ChatServer } from "../src/server/chat_server.ts";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { assertEquals } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withServer } from "./support/test_server.ts";

function startServer(dir: string): ChatServer {
  const store = openSqliteStore(join(dir, "history.db"), { historyLimit: 1000 });
  return new ChatServer({ hostname: "127.0.0.1", port: 0, store });
}

Deno.test("a look-alike of a present member's name is refused on join and on /nick", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const plain = await LineClient.connect(port);
    await plain.nextLine((l) => l.startsWith("Type your name"));
    await plain.sendLine("aIice");
    assertEquals(
      await plain.nextLine((l) => l.startsWith("!!")),
      '!! "aIice" looks too much like "alice", who is here. Pick another name.',
    );
    await plain.sendLine("bob");
    await plain.nextLine((l) => l.startsWith("-- Welcome, bob!"));

    const structured = await LineClient.connect(port);
    await structured.sendFrame({ type: "hello", version: 2, name: "ａIice" });
    const error = await structured.nextFrame();
    assertEquals([error.type, error.code], ["error", "name_taken"]);
    assertEquals(
      error.message,
      '"aIice" looks too much like "alice", who is here. Pick another name.',
    );

    await plain.sendLine("/nick bоb"); // Cyrillic о: refused as mixed script
    await plain.nextLine((l) => l.startsWith("!!") && l.includes("different scripts"));
    await plain.sendLine("/nick aIice");
    assertEquals(
      await plain.nextLine((l) => l.startsWith("!!")),
      '!! "aIice" looks too much like "alice", who is here. Pick another name.',
    );
    await alice.sendFrame({ type: "send", text: "/nick aIice" }); // her own look-alike: fine
    const nick = await alice.nextFrame((f) => f.type === "nick");
    assertEquals([nick.from, nick.to], ["alice", "aIice"]);
    for (const client of [alice, plain, structured]) client.close();
  });
});

Deno.test("a look-alike of a recently claimed name is refused, also after a restart", async () => {
  await withTempDir(async (dir) => {
    let server = startServer(dir);
    try {
      const { client: alice } = await LineClient.join(server.addr.port, "alice");
      // Saying something makes the name really used, so its claim is kept (a throwaway is not).
      await alice.say("hello");
      await alice.nextFrame((f) => f.type === "message");
      alice.close();
      await alice.ended;
      await server.shutdown();
      server = startServer(dir);
      const port = server.addr.port;
      const other = await LineClient.connect(port);
      await other.sendFrame({ type: "hello", version: 2, name: "aIice" });
      const error = await other.nextFrame();
      assertEquals([error.type, error.code, error.message], [
        "error",
        "name_taken",
        '"aIice" looks too much like "alice", a name used here recently. Pick another name.',
      ]);
      // The name itself is free to take, as before (names are not accounts).
      await other.sendFrame({ type: "hello", version: 2, name: "alice" });
      await other.nextFrame((f) => f.type === "welcome");
      other.close();
    } finally {
      await server.shutdown();
    }
  });
});
