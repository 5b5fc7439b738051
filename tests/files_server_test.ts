/**
 * File sharing over real TCP and HTTP on the chat port: upload slots asked
 * over the chat connection, bytes sent with PUT, file records to the room
 * and to private peers, downloads with their safety headers, links an `nc`
 * member can fetch with curl, limits, quota eviction and interrupted uploads.
 */

import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { randomBytes } from "./support/random_bytes.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { askSlot, upload } from "./support/file_upload.ts";
import { withServer } from "./support/test_server.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { DiskFileStore } from "../src/server/files/file_store.ts";
import { FileService } from "../src/server/files/file_service.ts";
import type { ChatServer } from "../src/server/chat_server.ts";
import { PlainOutputStyle } from "../src/server/plain_output_style.ts";

const utf8 = new TextEncoder();
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6]);

/** Runs `body` against a server sharing files in a fresh directory. */
function withFileServer(
  body: (port: number, dir: string, server: ChatServer) => Promise<void>,
  options: {
    quotaBytes?: number;
    maxFileBytes?: number;
    uploadsPerMinute?: number;
    uploadIdleMs?: number;
  } = {},
): Promise<void> {
  return withTempDir(async (dir) => {
    const files = new FileService({
      store: new DiskFileStore({ dir, quotaBytes: options.quotaBytes ?? 1e9 }),
      maxFileBytes: options.maxFileBytes ?? 25e6,
      uploadsPerMinute: options.uploadsPerMinute ?? 100,
      uploadIdleMs: options.uploadIdleMs,
    });
    await withServer((server, port) => body(port, dir, server), { files });
  });
}

/** Files in a directory (none when it does not exist). */
async function listDir(path: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
  } catch {
    // missing: empty
  }
  return names;
}

/** Runs curl (which is what an `nc` member would use) and returns its output. */
async function curl(args: string[]): Promise<{ code: number; stdout: Uint8Array; text: string }> {
  const output = await new Deno.Command("curl", { args: ["-sS", ...args], stdout: "piped" })
    .output();
  return {
    code: output.code,
    stdout: output.stdout,
    text: new TextDecoder().decode(output.stdout),
  };
}

Deno.test("a shared file reaches the room as a record, and an nc member's link fetched with curl gives the same bytes", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const nc = await LineClient.connect(port);
    await nc.sendLine("carol");
    await nc.nextLine((line) => line.includes("Welcome, carol"));
    const bytes = randomBytes(300_000);
    const { status, body } = await upload(alice, port, "holiday.bin", bytes);
    assertEquals(status, 201);
    assertEquals(body.name, "holiday.bin");
    const record = await bob.nextFrame((f) => f.type === "file");
    assertEquals(
      [record.from, record.name, record.size, record.mime, record.room],
      ["alice", "holiday.bin", 300_000, "application/octet-stream", "#general"],
    );
    assertEquals(record.url, body.url);
    const line = await nc.nextLine((l) => l.includes(" shared "));
    const link = `http://127.0.0.1:${port}${record.url}`;
    assertMatch(
      line,
      /^\[\d\d:\d\d\] alice shared holiday\.bin \(300 KB\): http:\/\/127\.0\.0\.1:/,
    );
    assert(line.endsWith(`: ${link}`), line);
    const fetched = await curl([link]);
    assertEquals(fetched.code, 0);
    assertEquals(fetched.stdout, bytes);
    for (const client of [alice, bob, nc]) client.close();
  });
});

Deno.test("an interrupted upload leaves no file behind and posts no record", async () => {
  await withFileServer(async (port, dir) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const slot = await askSlot(alice, { name: "big.bin", size: 1_000_000 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const head = `PUT ${slot.url} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
      "Content-Length: 1000000\r\n\r\n";
    await conn.write(utf8.encode(head));
    await conn.write(new Uint8Array(400_000));
    // The part file exists while the upload is under way…
    const deadline = Date.now() + 5000;
    while ((await listDir(join(dir, "incoming"))).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assertEquals((await listDir(join(dir, "incoming"))).length, 1);
    conn.close();
    // …and is gone once the connection is.
    while ((await listDir(join(dir, "incoming"))).length > 0 && Date.now() < deadline + 5000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assertEquals(await listDir(join(dir, "incoming")), []);
    assertEquals(await listDir(join(dir, "blobs")), []);
    // Nothing was posted: the next record the room sees is this message.
    await alice.say("after");
    const next = await alice.nextFrame((f) => f.type === "message" || f.type === "file");
    assertEquals(next.type, "message");
    alice.close();
  });
});

Deno.test("an upload that stops sending is cut off after its idle time, leaving nothing", async () => {
  await withFileServer(async (port, dir) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const slot = await askSlot(alice, { name: "stuck.bin", size: 100_000 });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(utf8.encode(
      `PUT ${slot.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n`,
    ));
    await conn.write(new Uint8Array(10_000));
    // The server closes the connection on its own (the test only keeps it open).
    const buffer = new Uint8Array(1024);
    const closed = (async () => {
      while (await conn.read(buffer).catch(() => null) !== null) {
        // an answer, if any, then the end
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<"open">((resolve) =>
      timer = setTimeout(() => resolve("open"), 5000)
    );
    const outcome = await Promise.race([closed.then(() => "closed" as const), gaveUp]);
    clearTimeout(timer);
    conn.close();
    assertEquals(outcome, "closed");
    const deadline = Date.now() + 5000;
    while ((await listDir(join(dir, "incoming"))).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assertEquals(await listDir(join(dir, "incoming")), []);
    assertEquals(await listDir(join(dir, "blobs")), []);
    alice.close();
  }, { uploadIdleMs: 200 });
});

Deno.test("a file over --max-file-mb is refused with a clear error, before and during the upload", async () => {
  await withFileServer(async (port, dir) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const refused = await askSlot(alice, { name: "movie.mkv", size: 2_000_000 });
    assertEquals(refused.type, "error");
    assertEquals(refused.code, "file_too_large");
    assertEquals(
      refused.message,
      "movie.mkv is 2.0 MB; this server takes files up to 1.0 MB. Send a smaller file, or share it another way.",
    );
    // A slot for 10 bytes does not take more.
    const slot = await askSlot(alice, { name: "small.txt", size: 10 });
    const response = await fetch(`http://127.0.0.1:${port}${slot.url}`, {
      method: "PUT",
      body: new Uint8Array(5000),
    });
    assertEquals(response.status, 413);
    assertEquals((await response.json()).code, "wrong_size");
    assertEquals(await listDir(join(dir, "blobs")), []);
    alice.close();
  }, { maxFileBytes: 1_000_000 });
});

Deno.test("over the quota the oldest file is deleted: its record says expired and its link answers 410", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const first = await upload(alice, port, "first.bin", new Uint8Array(600).fill(1));
    const second = await upload(alice, port, "second.bin", new Uint8Array(600).fill(2));
    assertEquals([first.status, second.status], [201, 201]);
    const gone = await fetch(`http://127.0.0.1:${port}${first.body.url}`);
    assertEquals(gone.status, 410);
    assertMatch((await gone.json()).message, /first\.bin was deleted to make room/);
    // A person who opens the link in a browser reads the sentence, not JSON.
    const inBrowser = await fetch(`http://127.0.0.1:${port}${first.body.url}`, {
      headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    });
    assertEquals(
      [inBrowser.status, inBrowser.headers.get("content-type")],
      [410, "text/plain; charset=utf-8"],
    );
    assertMatch(
      await inBrowser.text(),
      /^first\.bin was deleted to make room for newer files; .*\n$/,
    );
    assertEquals((await fetch(`http://127.0.0.1:${port}${second.body.url}`)).status, 200);
    // Records read back from history say which file expired.
    const { client: bob, welcome } = await LineClient.join(port, "bob");
    const files = welcome.history.filter((r: AnyFrame) => r.type === "file");
    assertEquals(
      files.map((r: AnyFrame) => [r.name, r.expired ?? false]),
      [["first.bin", true], ["second.bin", false]],
    );
    const nc = await LineClient.connect(port);
    await nc.sendLine("carol");
    const line = await nc.nextLine((l) => l.includes("first.bin"));
    assert(line.endsWith("shared first.bin (600 B): expired (deleted to make room)"), line);
    for (const client of [alice, bob, nc]) client.close();
  }, { quotaBytes: 1000 });
});

Deno.test("a file deleted to make room is announced in its room (lines on screen keep their links); a private one is not", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const nc = await LineClient.connect(port);
    await nc.sendLine("carol");
    await nc.nextLine((l) => l.includes("carol joined"));
    const secret = await upload(alice, port, "diary.bin", new Uint8Array(400).fill(9), {
      to: "bob",
    });
    assertEquals(secret.status, 201);
    assertEquals((await upload(alice, port, "first.bin", new Uint8Array(400).fill(1))).status, 201);
    // The next file needs room: diary.bin and first.bin, the oldest, go.
    assertEquals(
      (await upload(alice, port, "second.bin", new Uint8Array(700).fill(2))).status,
      201,
    );
    const notice = await bob.nextFrame((f) => f.type === "notice");
    assertEquals(
      notice.text,
      "first.bin was deleted to make room for newer files; its link no longer works.",
    );
    const line = await nc.nextLine((l) => l.includes("deleted to make room"));
    assert(
      line.endsWith(
        "-- first.bin was deleted to make room for newer files; its link no longer works.",
      ),
      line,
    );
    assert(!line.includes("diary"), "a private file's name is never told to the room");
    assertEquals((await fetch(`http://127.0.0.1:${port}${secret.body.url}`)).status, 410);
    for (const client of [alice, bob, nc]) client.close();
  }, { quotaBytes: 1000 });
});

Deno.test("a wrong or made-up token downloads nothing", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { body } = await upload(alice, port, "notes.txt", utf8.encode("secret notes"));
    const wrong = body.url.replace(/\/f\/[^/]+\//, "/f/AAAAAAAAAAAAAAAAAAAAAA/");
    const response = await fetch(`http://127.0.0.1:${port}${wrong}`);
    assertEquals(response.status, 404);
    assert(!(await response.text()).includes("secret"));
    // An upload address works once.
    const slot = await askSlot(alice, { name: "a.txt", size: 1 });
    const put = () =>
      fetch(`http://127.0.0.1:${port}${slot.url}`, { method: "PUT", body: utf8.encode("a") });
    assertEquals((await put()).status, 201);
    const again = await put();
    assertEquals(again.status, 404);
    await again.body?.cancel();
    alice.close();
  });
});

Deno.test("HTML and SVG with script download as attachments with nosniff and a sandboxing CSP; a PNG shows inline", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const html = utf8.encode("<html><script>alert(document.cookie)</script></html>");
    const svg = utf8.encode(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    for (
      const [name, bytes] of [["page.html", html], ["logo.svg", svg], ["fake.png", html]] as const
    ) {
      const { body } = await upload(alice, port, name, bytes);
      assertEquals(body.mime, "application/octet-stream");
      const response = await fetch(`http://127.0.0.1:${port}${body.url}`);
      assertEquals(response.headers.get("content-type"), "application/octet-stream");
      assertMatch(response.headers.get("content-disposition")!, /^attachment; filename="/);
      assertEquals(response.headers.get("x-content-type-options"), "nosniff");
      assertMatch(response.headers.get("content-security-policy")!, /default-src 'none'.*sandbox/);
      assertEquals(new Uint8Array(await response.arrayBuffer()), bytes);
    }
    const { body } = await upload(alice, port, "dot.png", PNG);
    assertEquals(body.mime, "image/png");
    const response = await fetch(`http://127.0.0.1:${port}${body.url}`);
    assertEquals(response.headers.get("content-type"), "image/png");
    assertMatch(response.headers.get("content-disposition")!, /^inline; /);
    assertEquals(response.headers.get("x-content-type-options"), "nosniff");
    await response.body?.cancel();
    alice.close();
  });
});

Deno.test("path-traversal, bidi and reserved names are cleaned in the record and the download's name", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const cases: Array<[string, string]> = [
      ["../../etc/passwd", "etc_passwd"],
      ["..\\..\\boot.ini", "boot.ini"],
      ["invoice\u202Efdp.exe", "invoicefdp.exe"],
      ["CON.txt", "_CON.txt"],
      ["bell\u0007\nname.txt", "bellname.txt"],
    ];
    for (const [sent, kept] of cases) {
      const { body } = await upload(alice, port, sent, utf8.encode("x"));
      assertEquals(body.name, kept, sent);
      const response = await fetch(`http://127.0.0.1:${port}${body.url}`);
      assertEquals(
        response.headers.get("content-disposition"),
        `attachment; filename="${kept}"; filename*=UTF-8''${encodeURIComponent(kept)}`,
      );
      await response.body?.cancel();
    }
    alice.close();
  });
});

Deno.test("a private file reaches only its two members, and a third one finds no record of it", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const { client: bob } = await LineClient.join(port, "bob");
    const { client: carol } = await LineClient.join(port, "carol");
    const { status, body } = await upload(alice, port, "diary.txt", utf8.encode("dear diary"), {
      to: "bob",
    });
    assertEquals(status, 201);
    const atBob = await bob.nextFrame((f) => f.type === "file");
    assertEquals([atBob.from, atBob.to, atBob.url], ["alice", "bob", body.url]);
    const atAlice = await alice.nextFrame((f) => f.type === "file");
    assertEquals(atAlice.to, "bob");
    // carol sees the next message, never the file; nor in history.
    await alice.say("public");
    const atCarol = await carol.nextFrame((f) => f.type === "message" || f.type === "file");
    assertEquals(atCarol.type, "message");
    const { client: carol2, welcome } = await LineClient.join(port, "dave");
    assert(!JSON.stringify(welcome).includes(body.url));
    await carol.sendFrame({ type: "history", before: 1000 });
    const page = await carol.nextFrame((f) => f.type === "page");
    assert(!JSON.stringify(page).includes(body.url));
    // A private file to someone who is not here is refused at once.
    const refused = await askSlot(alice, { name: "x.txt", size: 1, to: "nobody" });
    assertEquals([refused.type, refused.code], ["error", "no_such_member"]);
    for (const client of [alice, bob, carol, carol2]) client.close();
  });
});

Deno.test("uploads per member per minute are limited, and --no-files says files are off", async () => {
  await withFileServer(async (port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    assertEquals((await askSlot(alice, { name: "1", size: 1 })).type, "upload_slot");
    assertEquals((await askSlot(alice, { name: "2", size: 1 })).type, "upload_slot");
    const third = await askSlot(alice, { name: "3", size: 1 });
    assertEquals([third.type, third.code], ["error", "upload_rate"]);
    alice.close();
  }, { uploadsPerMinute: 2 });
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const refused = await askSlot(alice, { name: "a", size: 1 });
    assertEquals([refused.type, refused.code], ["error", "files_off"]);
    const response = await fetch(`http://127.0.0.1:${port}/f/abc/x`);
    assertEquals(response.status, 404);
    await response.body?.cancel();
    alice.close();
  });
});

Deno.test("the upload rate's refusal counts right: 1 file a minute, 2 files a minute", async () => {
  for (const [perMinute, phrase] of [[1, "1 file a minute"], [2, "2 files a minute"]] as const) {
    await withTempDir((dir) => {
      const files = new FileService({
        store: new DiskFileStore({ dir, quotaBytes: 1e6 }),
        maxFileBytes: 1e6,
        uploadsPerMinute: perMinute,
        now: () => 1000,
      });
      const ask = () =>
        files.slot({
          holder: "h",
          name: "a.png",
          size: 1,
          room: "#general",
          post: () => undefined,
        });
      for (let i = 0; i < perMinute; i++) assert(!("code" in ask()));
      const refused = ask();
      assert("code" in refused, JSON.stringify(refused));
      assertMatch(refused.message, new RegExp(`^You can send ${phrase} here;`));
      return Promise.resolve();
    });
  }
});

Deno.test("a newline-less plain client (one event per write) gets the whole link too", () => {
  const style = new PlainOutputStyle("http://192.168.1.20:53000");
  const [event] = style.frameEvents({
    type: "file",
    id: 3,
    ts: Date.now(),
    room: "#general",
    from: "alice",
    name: "holiday.jpg",
    size: 2_100_000,
    mime: "image/jpeg",
    url: "/f/TOKEN/holiday.jpg",
  });
  assertMatch(
    new TextDecoder().decode(event),
    /^\[\d\d:\d\d\] alice shared holiday\.jpg \(2\.1 MB\): http:\/\/192\.168\.1\.20:53000\/f\/TOKEN\/holiday\.jpg$/,
  );
});

Deno.test("closing a room deletes its files: the link answers 404 and the bytes are gone", async () => {
  await withFileServer(async (port, dir, server) => {
    const { client: alice } = await LineClient.join(port, "alice", { multiRoom: true });
    await alice.sendFrame({ type: "join", room: "#homework" });
    await alice.nextFrame((f) => f.type === "joined");
    const inRoom = await upload(alice, port, "answers.txt", utf8.encode("42"), {
      room: "#homework",
    });
    const kept = await upload(alice, port, "notes.txt", utf8.encode("keep"), {
      room: "#general",
    });
    assertEquals((await listDir(join(dir, "blobs"))).length, 2);
    assertEquals(server.closeRoom("#homework"), undefined);
    const gone = await fetch(`http://127.0.0.1:${port}${inRoom.body.url}`);
    assertEquals(gone.status, 404);
    await gone.body?.cancel();
    assertEquals((await listDir(join(dir, "blobs"))).length, 1);
    assertEquals(await (await fetch(`http://127.0.0.1:${port}${kept.body.url}`)).text(), "keep");
    alice.close();
  });
});

Deno.test("a member who left before the bytes arrived gets 409, and the file is not kept", async () => {
  await withFileServer(async (port, dir) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const slot = await askSlot(alice, { name: "late.txt", size: 4 });
    await alice.sendFrame({ type: "quit" });
    await alice.waitForClose();
    const response = await fetch(`http://127.0.0.1:${port}${slot.url}`, {
      method: "PUT",
      body: utf8.encode("late"),
    });
    assertEquals(response.status, 409);
    assertMatch((await response.json()).message, /You left before the file arrived/);
    assertEquals(await listDir(join(dir, "blobs")), []);
  });
});
