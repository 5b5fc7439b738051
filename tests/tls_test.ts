/**
 * TLS on the server: a self-signed identity that persists, a real handshake
 * with a pinned certificate, refusal of another certificate, and a plain
 * client on the TLS port that gets nothing readable and harms nobody.
 */

import { fingerprintOf, normalizeFingerprint } from "../src/protocol/fingerprint.ts";
import { pemDecode } from "../src/protocol/pem.ts";
import { createSelfSigned, selfSignedIdentity } from "../src/server/tls_identity.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertRejects,
} from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";

async function joinOverTls(port: number, cert: string, name: string) {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [cert],
    unsafelyDisableHostnameVerification: true,
  });
  const client = LineClient.over(conn);
  await client.sendFrame({ type: "hello", version: 2, name });
  return { client, welcome: await client.nextFrame((f) => f.type === "welcome") };
}

Deno.test("the self-signed identity is created once and kept: the fingerprint stays", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await selfSignedIdentity(`${dir}/tls`, ["localhost", "127.0.0.1"]);
    assert(first.created);
    assertMatch(first.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    const again = await selfSignedIdentity(`${dir}/tls`, ["localhost"]);
    assertEquals([again.created, again.fingerprint], [false, first.fingerprint]);
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(`${dir}/tls/key.pem`)).mode! & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fingerprints: ssh-style base64 and openssl-style hex name the same certificate", async () => {
  const { cert } = await createSelfSigned(["localhost"]);
  const der = pemDecode(cert);
  const canonical = await fingerprintOf(der);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der as BufferSource));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
  assertEquals(normalizeFingerprint(hex), canonical);
  assertEquals(normalizeFingerprint(`sha256:${canonical.slice(7)}=`), canonical);
  assertEquals(normalizeFingerprint("SHA256:tooshort"), undefined);
  assertEquals(normalizeFingerprint("not a fingerprint"), undefined);
});

Deno.test("TLS: members chat over a pinned certificate; another certificate is refused", async () => {
  const identity = await createSelfSigned(["localhost", "127.0.0.1"]);
  const impostor = await createSelfSigned(["localhost", "127.0.0.1"]);
  await withServer(async (_server, port) => {
    const { client: alice } = await joinOverTls(port, identity.cert, "alice");
    const { client: bob } = await joinOverTls(port, identity.cert, "bob");
    await alice.say("secret over TLS");
    assertEquals((await bob.nextFrame((f) => f.type === "message")).text, "secret over TLS");
    await assertRejects(async () => {
      const conn = await Deno.connectTls({
        hostname: "127.0.0.1",
        port,
        caCerts: [impostor.cert],
        unsafelyDisableHostnameVerification: true,
      });
      try {
        await conn.handshake();
      } finally {
        conn.close();
      }
    }, /UnknownIssuer|certificate/i);
    alice.close();
    bob.close();
  }, { tls: identity });
});

Deno.test("TLS: a plain-text client gets nothing readable and does not hurt the room", async () => {
  const identity = await createSelfSigned(["127.0.0.1"]);
  await withServer(async (server, port) => {
    const { client: alice } = await joinOverTls(port, identity.cert, "alice");
    const plain = await Deno.connect({ hostname: "127.0.0.1", port });
    await plain.write(new TextEncoder().encode("mallory\nhello in clear text\n"));
    const received: number[] = [];
    const buffer = new Uint8Array(4096);
    try {
      for (let n = await plain.read(buffer); n !== null; n = await plain.read(buffer)) {
        received.push(...buffer.subarray(0, n));
      }
    } catch {
      // reset by the server: fine
    }
    plain.close();
    const text = new TextDecoder().decode(Uint8Array.from(received));
    assert(!/Welcome|mallory|chat/i.test(text), `readable reply: ${JSON.stringify(text)}`);
    assert(received.length < 64, "at most a TLS alert");
    await alice.say("still fine");
    assertEquals((await alice.nextFrame((f) => f.type === "message")).text, "still fine");
    assert(!alice.transcript.some((l) => l.includes("mallory")), "the plain client never joined");
    assertNotEquals(server.connectionCount, 0);
    alice.close();
  }, { tls: identity });
});
