/**
 * HTTP and WebSocket on the chat port (src/server/transports/): the page and
 * the WebSocket share the port with JSON-line and plain-text TCP clients,
 * and every limit holds for WebSocket members as for TCP ones. Real sockets
 * on 127.0.0.1.
 */

import { withServer } from "./support/test_server.ts";
import { type AnyFrame, LineClient } from "./support/line_client.ts";
import { WsClient } from "./support/ws_client.ts";
import { assert, assertEquals } from "./support/assert.ts";
import { createSelfSigned } from "../src/server/tls_identity.ts";
import { WebSocket as WsWebSocket } from "ws";

/** Sends `request` as raw bytes and returns everything the server answers before it closes. */
async function rawHttp(port: number, request: string, timeoutMs = 5000): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(request));
  const timer = setTimeout(() => conn.close(), timeoutMs);
  let text = "";
  try {
    for await (const chunk of conn.readable) text += new TextDecoder().decode(chunk);
  } catch {
    // closed by the timer
  } finally {
    clearTimeout(timer);
  }
  return text;
}

Deno.test("the page, a WebSocket member, a JSON-line member and an nc member share one port", async () => {
  await withServer(async (_server, port) => {
    // nc first: a silent connection from an address that just loaded the page is greeted later.
    const nc = await LineClient.connect(port);
    await nc.nextLine((l) => l.startsWith("Welcome to chat"));
    await nc.sendLine("ncy");
    await nc.nextLine((l) => l.includes("Welcome"));
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assertEquals(page.status, 200);
    assert((await page.text()).includes("<html"));
    const { client: web, answer } = await WsClient.join(port, "webby");
    assertEquals(answer.type, "welcome");
    const { client: tcp } = await LineClient.join(port, "tcpy");

    web.send({ type: "send", text: "hello from the browser" });
    assertEquals((await tcp.nextFrame((f) => f.type === "message")).text, "hello from the browser");
    await nc.nextLine((l) => l.endsWith("webby: hello from the browser"));
    await tcp.say("hello from tcp");
    assertEquals((await web.next((f) => f.text === "hello from tcp")).from, "tcpy");
    await nc.sendLine("/msg webby psst");
    const whisper = await web.next((f) => f.type === "private");
    assertEquals([whisper.from, whisper.text], ["ncy", "psst"]);
    web.close();
    tcp.close();
    nc.close();
  });
});

Deno.test("HTTP: unknown paths 404, other methods 405, a cross-site WebSocket 403, a huge head refused", async () => {
  await withServer(async (_server, port) => {
    assertEquals(
      await fetch(`http://127.0.0.1:${port}/secret`).then((r) => (r.body?.cancel(), r.status)),
      404,
    );
    const post = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x" });
    await post.body?.cancel();
    assertEquals(post.status, 405);
    await assertRejects(() => WsClient.open(port, { origin: "http://evil.example" }));
    const huge = await rawHttp(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    assert(!huge.startsWith("HTTP/1.1 200"), huge.slice(0, 80));
  });
});

async function assertRejects(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch {
    return;
  }
  throw new Error("expected a refusal");
}

Deno.test("WebSocket members: a message over the line limit ends the connection with a bye", async () => {
  await withServer(async (_server, port) => {
    const { client } = await WsClient.join(port, "longy");
    client.send({ type: "send", text: "x".repeat(3000) });
    const bye = await client.next((f) => f.type === "bye");
    assertEquals(bye.code, "line_too_long");
    await client.waitForClose();
  }, { limits: { maxLineBytes: 2048 } });
});

Deno.test("WebSocket members: the rate limit, connections per address and bans hold as for TCP", async () => {
  await withServer(async (server, port) => {
    const { client: fast } = await WsClient.join(port, "fast");
    for (let i = 0; i < 10; i++) fast.send({ type: "send", text: `m${i}` });
    assertEquals((await fast.next((f) => f.type === "error")).code, "rate_limited");
    // maxConnectionsPerAddress is 2: a third connection from 127.0.0.1 is turned away.
    const { client: second } = await WsClient.join(port, "second");
    const { client: third, answer } = await WsClient.join(port, "third");
    assertEquals(answer.type, "bye");
    await third.waitForClose();
    server.ban("second");
    assertEquals((await second.next((f) => f.type === "bye")).code, "banned");
    fast.close();
  }, { limits: { rateBurst: 3, ratePerSecond: 1, maxConnectionsPerAddress: 2 } });
});

Deno.test("--trust-proxy takes a WebSocket member's address from X-Forwarded-For; off, it is ignored", async () => {
  for (const trustProxy of [true, false]) {
    await withServer(async (server, port) => {
      const socket = await WsClient.open(port, { "x-forwarded-for": "198.51.100.7, 203.0.113.9" });
      socket.send({ type: "hello", version: 2, name: "proxied" });
      await socket.next((f) => f.type === "welcome");
      const [member] = server.members();
      assertEquals(member.address, trustProxy ? "203.0.113.9" : "127.0.0.1");
      socket.close();
    }, { trustProxy });
  }
});

Deno.test("an HTTP head that never ends is cut off (slowloris)", async () => {
  await withServer(async (_server, port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n"));
    const closed = await conn.read(new Uint8Array(100)).catch(() => null);
    assertEquals(closed, null);
    conn.close();
  }, { webRequestTimeoutMs: 200 });
});

Deno.test("with TLS the port serves the page over HTTPS and the chat over wss, with the fingerprint", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const fingerprint = "SHA256:the-fingerprint-the-banner-printed";
  await withServer(async (_server, port) => {
    const client = Deno.createHttpClient({ caCerts: [identity.cert] });
    const page = await fetch(`https://127.0.0.1:${port}/`, { client });
    assertEquals(page.status, 200);
    assert((await page.text()).includes("<html"));
    client.close();
    const socket = new WsWebSocket(`wss://127.0.0.1:${port}/ws`, {
      ca: identity.cert,
      origin: `https://127.0.0.1:${port}`,
    });
    const frames: string[] = [];
    const info = new Promise<string>((resolve, reject) => {
      socket.on("message", (data: unknown) => {
        const frame = JSON.parse(String(data));
        frames.push(frame.type);
        if (frame.type === "info") resolve(frame.text);
      });
      socket.on("error", reject);
    });
    socket.on(
      "open",
      () => socket.send(JSON.stringify({ type: "hello", version: 2, name: "tlsy" })),
    );
    assert((await info).includes(fingerprint), await info);
    assertEquals(frames[0], "welcome");
    socket.close();
  }, { tls: { cert: identity.cert, key: identity.key }, fingerprint });
});

Deno.test("HTTP connections held open count per address: past the cap a new one is closed at once", async () => {
  await withServer(async (_server, port) => {
    const head = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n");
    const held = [];
    for (let i = 0; i < 3; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(head);
      held.push(conn);
    }
    // The third is over maxConnectionsPerAddress (2) and is closed without an answer.
    assertEquals(await held[2].read(new Uint8Array(100)).catch(() => null), null);
    // The first two are still being served: finishing the head gets the page.
    await held[0].write(new TextEncoder().encode("Connection: close\r\n\r\n"));
    const answer = new Uint8Array(64);
    const count = await held[0].read(answer);
    assert(new TextDecoder().decode(answer.subarray(0, count ?? 0)).startsWith("HTTP/1.1 200"));
    for (const conn of held) conn.close();
  }, { limits: { maxConnectionsPerAddress: 2 } });
});

Deno.test("WebSocket members: the handshake timeout and wrong passwords as on TCP", async () => {
  await withServer(async (_server, port) => {
    // No hello: the handshake timeout closes it with a bye.
    const silent = await WsClient.open(port);
    assertEquals((await silent.next((f) => f.type === "bye", 5000)).code, "handshake_timeout");
    // A wrong password is refused as over TCP, and counts for the address.
    const { client: guesser, answer } = await WsClient.join(port, "guess", { password: "nope" });
    assertEquals([answer.type, answer.code], ["error", "wrong_password"]);
    guesser.close();
    const { client: member, answer: welcome } = await WsClient.join(port, "right", {
      password: "sesame",
    });
    assertEquals(welcome.type, "welcome");
    member.close();
  }, { password: "sesame", limits: { handshakeTimeoutMs: 300 } });
});

Deno.test("a browser that stops reading is dropped; the others get every message", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    const sleepy = new WsWebSocket(`ws://127.0.0.1:${port}/ws`, {
      origin: `http://127.0.0.1:${port}`,
    });
    await new Promise((resolve) => sleepy.on("open", resolve));
    sleepy.send(JSON.stringify({ type: "hello", version: 2, name: "sleepy" }));
    await alice.nextFrame((f) => f.type === "join" && f.name === "sleepy");
    sleepy.pause(); // stops reading its socket, as a frozen tab would
    const { client: bob } = await WsClient.join(port, "bob");
    const text = "m".repeat(3000);
    let dropped: AnyFrame | undefined;
    const watcher = alice.nextFrame((f) => f.type === "leave" && f.name === "sleepy", 60_000)
      .then((f) => dropped = f);
    // alice says a batch, bob (a browser reading at its pace) reads it, in order; sleepy reads
    // nothing, so its queue alone grows until the server cuts it off.
    let sent = 0;
    while (!dropped && sent < 20_000) {
      const batch = sent + 20;
      for (; sent < batch; sent++) await alice.say(`${sent} ${text}`);
      for (let i = batch - 20; i < batch; i++) {
        const got = await bob.next((f) => f.type === "message", 20_000);
        assertEquals(got.text.split(" ")[0], String(i));
      }
    }
    await watcher;
    assertEquals(dropped?.reason, "too slow (stopped reading)");
    sleepy.terminate();
    bob.close();
    alice.close();
  }, { limits: { maxQueueBytes: 256 * 1024, rateBurst: 1e6, ratePerSecond: 1e6 } });
});

Deno.test("an address that loaded the page a day ago is greeted in plain text at once again", async () => {
  let clock = 1_000_000;
  await withServer(async (_server, port) => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    await page.body?.cancel();
    clock += 25 * 60 * 60_000; // its greeting would wait 12 s within the day after
    const nc = await LineClient.connect(port);
    await nc.nextLine((line) => line.startsWith("Welcome to chat"), 5000);
    nc.close();
  }, { now: () => clock });
});
