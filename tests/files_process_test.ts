/**
 * File sharing in a real `chat serve` process: the file and its record
 * survive a restart (catch-up shows the record, the link still downloads),
 * and the flags are checked and listed in --help.
 */

import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { runChat, startServe } from "./support/chat_process.ts";
import { withTempDir } from "./support/temp_dir.ts";

const utf8 = new TextEncoder();

Deno.test("a file record comes back in the catch-up after a server restart, and its link still downloads", async () => {
  await withTempDir(async (dir) => {
    const first = await startServe(["--data", dir]);
    let since = 0;
    let url = "";
    let log = "";
    try {
      const { client: alice, welcome } = await LineClient.join(first.port, "alice");
      since = welcome.lastId;
      log = welcome.log;
      await alice.sendFrame({ type: "upload", name: "report.txt", size: 11, ref: "1" });
      const slot = await alice.nextFrame((f) => f.type === "upload_slot");
      const response = await fetch(`http://127.0.0.1:${first.port}${slot.url}`, {
        method: "PUT",
        body: utf8.encode("hello world"),
      });
      assertEquals(response.status, 201);
      url = (await response.json()).url;
      await alice.nextFrame((f) => f.type === "file");
      alice.close();
    } finally {
      await first.stop();
    }
    const second = await startServe(["--data", dir], { port: first.port });
    try {
      const { client: bob, welcome } = await LineClient.join(second.port, "bob", { since, log });
      assert(welcome.catchUp);
      const record = welcome.history.find((r: { type: string }) => r.type === "file");
      assertEquals([record?.name, record?.url, record?.expired], ["report.txt", url, undefined]);
      const download = await fetch(`http://127.0.0.1:${second.port}${url}`);
      assertEquals(await download.text(), "hello world");
      bob.close();
    } finally {
      await second.stop();
    }
  });
});

Deno.test("chat serve lists the file flags in --help and refuses a file limit over the space", async () => {
  const help = await runChat(["serve", "--help"]);
  for (const flag of ["--no-files", "--max-file-mb", "--max-files-gb", "--uploads-per-minute"]) {
    assert(help.stdout.includes(flag), flag);
  }
  const bad = await runChat(["serve", "--max-file-mb", "3000", "--max-files-gb", "1"]);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /--max-file-mb can't be more than --max-files-gb holds/);
});
