/**
 * `chat join` over TLS: a pinned self-signed certificate is accepted, an
 * impostor's certificate is refused before anything is sent, and a TLS/plain
 * mismatch in either direction gets a sentence saying what to do.
 */

import { assert, assertEquals, assertMatch, assertRejects } from "./support/assert.ts";
import { runChat } from "./support/chat_process.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { withServer } from "./support/test_server.ts";
import { CannotJoinError, ChatConnection, type ConnectionEvent } from "../src/client/connection.ts";
import { fingerprintOf } from "../src/protocol/fingerprint.ts";
import { createSelfSigned, firstCertificateDer } from "../src/server/tls_identity.ts";

function connection(
  port: number,
  tls: { fingerprint?: string } | undefined,
  events: ConnectionEvent[] = [],
) {
  return new ChatConnection({
    host: "127.0.0.1",
    port,
    name: "alice",
    tls,
    backoff: { firstMs: 30, maxMs: 100 },
    onEvent: (event) => events.push(event),
  });
}

Deno.test("TLS with the room's fingerprint: joins and chats, and reconnects over TLS", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const fingerprint = await fingerprintOf(firstCertificateDer(identity.cert));
  await withServer(async (_server, port) => {
    const proxy = new TcpProxy(port);
    const events: ConnectionEvent[] = [];
    const alice = connection(proxy.port, { fingerprint }, events);
    const waitFor = async (accept: (e: ConnectionEvent) => boolean, what: string) => {
      const deadline = Date.now() + 5000;
      while (!events.some(accept)) {
        assert(Date.now() < deadline, `no ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      assertEquals(await alice.start(), "joined");
      assert(alice.secure);
      alice.send("over TLS");
      await waitFor((e) => e.type === "record" && e.record.type === "message", "echo over TLS");
      proxy.cut();
      await waitFor((e) => e.type === "joined" && e.rejoined, "rejoin over TLS");
      assert(alice.send("again"));
      await waitFor(
        (e) => e.type === "record" && e.record.type === "message" && e.record.text === "again",
        "echo after the rejoin",
      );
    } finally {
      await alice.quit();
      await proxy.close();
    }
  }, { tls: identity });
});

Deno.test("TLS: another certificate than the pinned one is refused, and nothing is sent", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const impostor = await createSelfSigned(["localhost", "127.0.0.1"]);
  const expected = await fingerprintOf(firstCertificateDer(impostor.cert));
  await withServer(async (server, port) => {
    const alice = connection(port, { fingerprint: expected });
    await assertRejects(() => alice.start(), (error: unknown) => {
      assert(error instanceof CannotJoinError);
      assertMatch(
        error.message,
        /not the one you asked for: its fingerprint is SHA256:\S+, not SHA256:/,
      );
      return true;
    });
    assertEquals(server.room.size, 0, "nobody joined");
  }, { tls: identity });
});

Deno.test("TLS without a fingerprint refuses a self-signed certificate, and says what to do", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  await withServer(async (_server, port) => {
    await assertRejects(() => connection(port, {}).start(), (error: unknown) => {
      assert(error instanceof CannotJoinError);
      assertMatch(error.message, /not signed by an authority this computer trusts.*--fingerprint/);
      return true;
    });
  }, { tls: identity });
});

Deno.test("TLS/plain mismatches: each direction gets one clear sentence and exit 1", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const fingerprint = await fingerprintOf(firstCertificateDer(identity.cert));
  await withServer(async (_server, port) => {
    const plainIntoTls = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "hi\n",
    });
    assertEquals(plainIntoTls.code, 1);
    assertEquals(
      plainIntoTls.stderr,
      "This room uses TLS: join with --tls and the --fingerprint its banner shows.\n",
    );
    const pinned = await runChat([
      "join",
      "--name",
      "bot",
      "--fingerprint",
      fingerprint,
      `127.0.0.1:${port}`,
    ], {
      input: "hello over TLS\n",
    });
    assertEquals(pinned.code, 0, pinned.stderr);
    assertMatch(pinned.stdout, /\] bot: hello over TLS\n/);
  }, { tls: identity });
  await withServer(async (_server, port) => {
    const tlsIntoPlain = await runChat(["join", "--name", "bot", "--tls", `127.0.0.1:${port}`], {
      input: "",
    });
    assertEquals(tlsIntoPlain.code, 1);
    assertMatch(
      tlsIntoPlain.stderr,
      /^The server did not answer with TLS\. .*without "--tls"\.\n$/,
    );
  });
});

Deno.test("--fingerprint must be a fingerprint", async () => {
  const result = await runChat(["join", "--fingerprint", "nope"], { input: "" });
  assertEquals(result.code, 2);
  assertMatch(result.stderr, /--fingerprint must be a SHA-256 fingerprint/);
});
