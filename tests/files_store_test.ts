/** The file store on a real directory: eviction order, restarts, leftovers. */

import { join } from "node:path";
import { assertEquals, assertRejects } from "./support/assert.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { DiskFileStore, UploadError } from "../src/server/files/file_store.ts";

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

function share(store: DiskFileStore, token: string, hash: string, at: number) {
  store.addShare({ token, hash, name: `${token}.txt`, size: 0, mime: "x", room: "#r", at });
}

Deno.test("the oldest stored file goes first; a file stored again counts as new", async () => {
  await withTempDir(async (dir) => {
    let clock = 1000;
    const store = new DiskFileStore({ dir, quotaBytes: 25, now: () => clock++ });
    const a = await store.receive(chunks("aaaaaaaaaa"), 10);
    share(store, "A", a.hash, 1);
    const b = await store.receive(chunks("bbbbbbbbbb"), 10);
    share(store, "B", b.hash, 2);
    await store.receive(chunks("aaaaaaaaaa"), 10); // a again: now the newest
    const c = await store.receive(chunks("cccccccccc"), 10);
    share(store, "C", c.hash, 3);
    assertEquals([store.expired("A"), store.expired("B"), store.expired("C")], [
      false,
      true,
      false,
    ]);
    assertEquals(store.usedBytes, 20);
    store.close();
  });
});

Deno.test("a stream with more or fewer bytes than announced is refused and leaves nothing", async () => {
  await withTempDir(async (dir) => {
    const store = new DiskFileStore({ dir, quotaBytes: 1000 });
    await assertRejects(() => store.receive(chunks("12345", "678"), 5), UploadError);
    await assertRejects(() => store.receive(chunks("123"), 5), UploadError);
    assertEquals([...Deno.readDirSync(join(dir, "incoming"))], []);
    assertEquals([...Deno.readDirSync(join(dir, "blobs"))], []);
    store.close();
  });
});

Deno.test("at start, leftovers of an interrupted run are deleted and a missing file reads as expired", async () => {
  await withTempDir(async (dir) => {
    const first = new DiskFileStore({ dir, quotaBytes: 1000 });
    const kept = await first.receive(chunks("kept"), 4);
    share(first, "K", kept.hash, 1);
    const lost = await first.receive(chunks("lost"), 4);
    share(first, "L", lost.hash, 2);
    first.close();
    await Deno.writeTextFile(join(dir, "incoming", "x.part"), "half");
    await Deno.writeTextFile(join(dir, "blobs", "f".repeat(64)), "unknown");
    await Deno.remove(join(dir, "blobs", lost.hash));
    const second = new DiskFileStore({ dir, quotaBytes: 1000 });
    assertEquals([...Deno.readDirSync(join(dir, "incoming"))], []);
    assertEquals([...Deno.readDirSync(join(dir, "blobs"))].map((e) => e.name), [kept.hash]);
    assertEquals([second.expired("K"), second.expired("L")], [false, true]);
    assertEquals(second.usedBytes, 4);
    second.close();
  });
});
