/**
 * `chat join` over TLS: a pinned self-signed certificate is accepted, an
 * impostor's certificate is refused before anything is sent, and a TLS/plain
 * mismatch in either direction gets a sentence saying what to do.
 */

import { assert, assertEquals, assertMatch, assertRejects } from "./support/assert.ts";
import { runChat, spawnChat } from "./support/chat_process.ts";
import { TcpProxy } from "./support/tcp_proxy.ts";
import { withServer } from "./support/test_server.ts";
import { CannotJoinError, ChatConnection, type ConnectionEvent } from "../src/client/connection.ts";
import { fingerprintOf } from "../src/protocol/fingerprint.ts";
import { KnownHosts } from "../src/client/known_hosts.ts";
import type { TlsSettings } from "../src/client/tls_connect.ts";
import { pemDecode } from "../src/protocol/pem.ts";
import { createSelfSigned } from "../src/server/tls_identity.ts";
import { withTempDir } from "./support/temp_dir.ts";
import { reservePort } from "./support/chat_process.ts";

function connection(
  port: number,
  tls: TlsSettings | undefined,
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
  const fingerprint = await fingerprintOf(pemDecode(identity.cert));
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
  const expected = await fingerprintOf(pemDecode(impostor.cert));
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

Deno.test("TLS without a fingerprint pins the first certificate and refuses a changed one", async () => {
  const first = await createSelfSigned(["localhost", "127.0.0.1"]);
  const second = await createSelfSigned(["localhost", "127.0.0.1"]);
  const firstPrint = await fingerprintOf(pemDecode(first.cert));
  const secondPrint = await fingerprintOf(pemDecode(second.cert));
  await withTempDir(async (dir) => {
    const knownHosts = new KnownHosts(`${dir}/known_hosts`);
    const pinned: string[] = [];
    const settings = {
      knownHosts,
      onFirstUse: (target: string, print: string) => {
        pinned.push(`${target} ${print}`);
        return true;
      },
    };
    let port = 0;
    await withServer(async (_server, serverPort) => {
      port = serverPort;
      const alice = connection(port, settings);
      assertEquals(await alice.start(), "joined");
      await alice.quit();
      assertEquals(pinned, [`127.0.0.1:${port} ${firstPrint}`], "told once, on first use");
      assertEquals(await knownHosts.lookup(`127.0.0.1:${port}`), firstPrint);
      const again = connection(port, settings);
      assertEquals(await again.start(), "joined");
      await again.quit();
      assertEquals(pinned.length, 1, "a known room is not announced again");
    }, { tls: first, port: reservePort() }); // the second server comes back on this port
    // Same address, another certificate: refused loudly, nothing sent, nobody joins.
    await withServer(async (server) => {
      await assertRejects(
        () => connection(server.addr.port, settings).start(),
        (error: unknown) => {
          assert(error instanceof CannotJoinError);
          assertMatch(error.message, /^WARNING: THE CERTIFICATE OF 127\.0\.0\.1:\d+ HAS CHANGED\./);
          assertMatch(
            error.message,
            new RegExp(`Remembered: ${firstPrint.replace(/[+/]/g, "\\$&")}`),
          );
          assertMatch(error.message, /known_hosts/);
          return true;
        },
      );
      assertEquals(server.room.size, 0);
      // The person checks and accepts the new certificate with --fingerprint: it is remembered.
      const accepted = connection(server.addr.port, { ...settings, fingerprint: secondPrint });
      assertEquals(await accepted.start(), "joined");
      await accepted.quit();
      assertEquals(await knownHosts.lookup(`127.0.0.1:${server.addr.port}`), secondPrint);
    }, { tls: second, port });
  });
});

Deno.test("TLS with --ca checks the authority and the host name instead of pinning", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const stranger = await createSelfSigned(["localhost", "127.0.0.1"]);
  await withServer(async (_server, port) => {
    const alice = connection(port, { caCerts: [identity.cert] });
    assertEquals(await alice.start(), "joined");
    await alice.quit();
    await assertRejects(
      () => connection(port, { caCerts: [stranger.cert] }).start(),
      (error: unknown) => {
        assert(error instanceof CannotJoinError);
        assertMatch(error.message, /not signed by the authority given with --ca/);
        return true;
      },
    );
  }, { tls: identity });
});

Deno.test("chat join --tls in plain mode: a first visit is refused unless --trust-first", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const fingerprint = await fingerprintOf(pemDecode(identity.cert));
  await withTempDir(async (dir) => {
    await withServer(async (server, port) => {
      const result = await runChat(["join", "--name", "bot", "--tls", `127.0.0.1:${port}`], {
        input: "first\n",
        env: { CHAT_CONFIG_DIR: dir },
      });
      assertEquals(result.code, 1);
      assertEquals(result.stdout, "");
      assertEquals(
        result.stderr,
        `First visit to 127.0.0.1:${port}: its certificate fingerprint is ${fingerprint}. ` +
          'Compare it with the one "chat serve" printed, then join with --fingerprint (or --trust-first).\n',
      );
      assertEquals(server.room.size, 0);
      await assertRejects(() => Deno.stat(`${dir}/known_hosts`), Deno.errors.NotFound);
    }, { tls: identity });
  });
});

Deno.test("chat join --tls --trust-first remembers a room on the first visit and says so", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const fingerprint = await fingerprintOf(pemDecode(identity.cert));
  await withTempDir(async (dir) => {
    await withServer(async (_server, port) => {
      const env = { CHAT_CONFIG_DIR: dir };
      const first = await runChat([
        "join",
        "--name",
        "bot",
        "--tls",
        "--trust-first",
        `127.0.0.1:${port}`,
      ], {
        input: "first\n",
        env,
      });
      assertEquals(first.code, 0, first.stderr);
      assertMatch(
        first.stderr,
        new RegExp(
          `^First visit to 127\\.0\\.0\\.1:${port}: its certificate fingerprint is ${
            fingerprint.replace(/[+/]/g, "\\$&")
          }\\.`,
        ),
      );
      assertMatch(
        await Deno.readTextFile(`${dir}/known_hosts`),
        new RegExp(`127\\.0\\.0\\.1:${port} SHA256:`),
      );
      const second = await runChat(["join", "--name", "bot", "--tls", `127.0.0.1:${port}`], {
        input: "second\n",
        env,
      });
      assertEquals([second.code, second.stderr], [0, ""]);
    }, { tls: identity });
  });
});

Deno.test("TLS/plain mismatches: each direction gets one clear sentence and exit 1", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const fingerprint = await fingerprintOf(pemDecode(identity.cert));
  await withServer(async (_server, port) => {
    const plainIntoTls = await runChat(["join", "--name", "bot", `127.0.0.1:${port}`], {
      input: "hi\n",
    });
    assertEquals(plainIntoTls.code, 1);
    assertEquals(
      plainIntoTls.stderr,
      "This room uses TLS: join with --tls and the --fingerprint its banner shows.\n",
    );
    assertEquals(plainIntoTls.stdout, "", "said once: on stderr, not again on stdout");
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

Deno.test("a certificate that changes during a session: the loud message and exit 1", async () => {
  const first = await createSelfSigned(["localhost", "127.0.0.1"]);
  const second = await createSelfSigned(["localhost", "127.0.0.1"]);
  const configDir = await Deno.makeTempDir({ prefix: "chat-tls-change-" });
  let port = 0;
  let child: Deno.ChildProcess | undefined;
  const output: string[] = [];
  let reading: Promise<void> = Promise.resolve();
  await withServer(async (server, serverPort) => {
    port = serverPort;
    child = spawnChat(
      ["join", "--name", "bot", "--tls", "--trust-first", `127.0.0.1:${port}`],
      { CHAT_CONFIG_DIR: configDir },
    );
    reading = (async () => {
      for await (const chunk of child!.stdout.pipeThrough(new TextDecoderStream())) {
        output.push(chunk);
      }
    })();
    const deadline = Date.now() + 10_000;
    while (server.room.size === 0) {
      assert(Date.now() < deadline, "bot never joined");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }, { tls: first });
  await withServer(async () => {
    const status = await child!.status;
    await reading;
    const text = output.join("");
    assertEquals(status.code, 1, text);
    assertMatch(text, /WARNING: THE CERTIFICATE OF 127\.0\.0\.1:\d+ HAS CHANGED\./);
    await child!.stdin.close().catch(() => {});
    await child!.stderr.cancel();
  }, { tls: second, port });
  await Deno.remove(configDir, { recursive: true });
});
