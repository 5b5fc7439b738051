/**
 * A big room closed while it gathers joins and leaves writes nothing more:
 * the gathering's timer (injected here) finds the room closed. Over real TCP
 * with a real database file, read back after the server stopped.
 */

import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openSqliteStore } from "../src/server/sqlite_store.ts";
import { runConsoleLine } from "../src/server/operator_console.ts";
import { assertEquals } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { withServer } from "./support/test_server.ts";

const UNLIMITED = { joinBurst: 1000, joinsPerMinute: 1000, rateBurst: 1000, ratePerSecond: 1000 };

Deno.test("the presence timer of a closed big room writes nothing to it", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "history.db");
    const later: Array<() => void> = [];
    await withServer(async (server, port) => {
      const clients: LineClient[] = [];
      for (const name of ["a1", "a2", "a3", "a4"]) {
        clients.push((await LineClient.join(port, name, { room: "#big" })).client);
      }
      assertEquals(later.length, 1, "the fourth join is being gathered");
      assertEquals(runConsoleLine(server, "/close #big"), [
        "#big is closed; its history is deleted.",
      ]);
      for (const client of clients) {
        assertEquals((await client.nextFrame((f) => f.type === "joined")).room, "#general");
      }
      later.shift()!(); // the gathering's time is up, after the close
      // A new #big starts clean.
      const { client: newcomer, welcome } = await LineClient.join(port, "b1", { room: "#big" });
      assertEquals(welcome.history, []);
      await newcomer.nextFrame((f) => f.type === "join" && f.name === "b1");
      await newcomer.sendFrame({ type: "history", before: Number.MAX_SAFE_INTEGER });
      const page = await newcomer.nextFrame((f) => f.type === "page");
      assertEquals(page.records.map((r: { type: string }) => r.type), ["join"], "only its own");
      for (const client of [...clients, newcomer]) client.close();
    }, {
      store: openSqliteStore(file, { historyLimit: 100 }),
      limits: UNLIMITED,
      rooms: { presence: { threshold: 3, intervalMs: 1000, schedule: (run) => later.push(run) } },
    });
    const db = new DatabaseSync(file);
    const rows = db.prepare("SELECT record FROM records WHERE room = '#big'").all();
    db.close();
    assertEquals(rows.map((row) => JSON.parse(String(row.record)).type), ["join"]);
  });
});
