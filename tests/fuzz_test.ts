/**
 * Fuzzing a live server: tens of thousands of random and mutated frames from
 * several hostile connections while two well-behaved members chat. The
 * server must stay up, its memory bounded, and the two must receive every one
 * of their messages, in order. The seed is printed so a failure can be replayed
 * (FUZZ_SEED=… deno test -A tests/fuzz_test.ts).
 */

import { assert, assertEquals } from "./support/assert.ts";
import { startServe } from "./support/chat_process.ts";
import { LineClient } from "./support/line_client.ts";

const FRAMES = 12_000;
const HOSTILE_CONNECTIONS = 4;
const GOOD_MESSAGES = 150;

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const utf8 = new TextEncoder();

/** Produces one hostile line (newline included) of a randomly chosen kind. */
function hostileFrame(next: () => number): Uint8Array {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const junkText = () =>
    pick([
      "\x1b[2J\x1b[H",
      "\x1b]0;owned\x07",
      "\u202eevil",
      "\x00\x00",
      "\ud800",
      "😀".repeat(50),
      "a".repeat(Math.floor(next() * 5000)),
      "/nick x" + Math.floor(next() * 1e6),
      "/msg alice hi",
      "/me dances",
      "/who",
      "{quit}",
      "",
    ]);
  const wrongValue = () =>
    pick<unknown>([
      null,
      true,
      1e308,
      -1e308,
      123456789012345678901234567890,
      [],
      {},
      [1, [2, [3]]],
      { nested: { deeper: "x" } },
      "",
      junkText(),
    ]);
  const valid = () =>
    pick<Record<string, unknown>>([
      { type: "hello", version: 2, name: `fz${Math.floor(next() * 1e6)}` },
      { type: "hello", version: pick([0, 2, 1.5, -1, 1e308]), name: junkText() },
      { type: "send", text: junkText() },
      { type: "ping", data: junkText() },
      { type: "pong" },
      { type: pick(["teleport", "", "HELLO", "send ", "__proto__", "constructor"]) },
    ]);
  const kind = Math.floor(next() * 9);
  let text: string;
  switch (kind) {
    case 0: { // valid shape, wrong types
      const frame = valid();
      for (const key of Object.keys(frame)) if (next() < 0.5) frame[key] = wrongValue();
      text = JSON.stringify(frame);
      break;
    }
    case 1: { // deep nesting
      const depth = 1 + Math.floor(next() * 5000);
      text = next() < 0.5 ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" +
        "}".repeat(depth);
      break;
    }
    case 2: { // truncated UTF-8 inside a frame
      const bytes = utf8.encode(JSON.stringify({ type: "send", text: "日本語😀" + junkText() }));
      const cut = bytes.slice(0, Math.max(1, Math.floor(next() * bytes.length)));
      return concatLine(cut);
    }
    case 3: { // random bytes, NUL included
      const bytes = new Uint8Array(Math.floor(next() * 300));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
      return concatLine(bytes.map((b) => (b === 0x0a ? 0x00 : b)));
    }
    case 4: { // a valid frame with bytes flipped, inserted or removed
      const bytes = [...utf8.encode(JSON.stringify(valid()))];
      for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
        const at = Math.floor(next() * bytes.length);
        const op = Math.floor(next() * 3);
        if (op === 0) bytes[at] = Math.floor(next() * 256);
        else if (op === 1) bytes.splice(at, 0, Math.floor(next() * 256));
        else bytes.splice(at, 1);
      }
      return concatLine(Uint8Array.from(bytes.filter((b) => b !== 0x0a)));
    }
    case 5: // huge numbers and odd JSON values
      text = pick([
        '{"type":"send","text":"x","id":1e999999}',
        '{"type":"hello","version":1e999,"name":"n"}',
        '{"type":"hello","version":1,"name":"n","since":-1e300}',
        '{"type":"hello","version":1,"name":"n","since":9007199254740993}',
        "NaN",
        "null",
        '"just a string"',
        "12345",
      ]);
      break;
    case 6: // control characters and escapes in names and texts
      text = JSON.stringify({
        type: pick(["hello", "send"]),
        version: 1,
        name: junkText(),
        text: junkText(),
      });
      break;
    case 7: // raw text with NUL bytes and escapes (a plain-text client gone wrong)
      text = `${junkText()}\x00${junkText()}`;
      break;
    default: // plausible frames
      text = JSON.stringify(valid());
  }
  return concatLine(utf8.encode(text.replaceAll("\n", " ")));
}

function concatLine(bytes: Uint8Array): Uint8Array {
  const line = new Uint8Array(bytes.length + 1);
  line.set(bytes);
  line[bytes.length] = 0x0a;
  return line;
}

/** Resident memory of a process in KiB (Linux), or undefined elsewhere. */
async function rssKiB(pid: number): Promise<number | undefined> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return Number(status.match(/VmRSS:\s+(\d+)/)?.[1]);
  } catch {
    return undefined;
  }
}

/** One hostile connection: sends its share of frames, reconnecting whenever the server closes it. */
async function hostile(port: number, frames: number, next: () => number): Promise<number> {
  let sent = 0;
  let reconnects = 0;
  while (sent < frames) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    // Drain whatever the server says, so the connection is never dropped as a slow reader.
    const draining = (async () => {
      const sink = new Uint8Array(64 * 1024);
      try {
        while ((await conn.read(sink)) !== null) { /* discard */ }
      } catch { /* closed */ }
    })();
    try {
      while (sent < frames) {
        const batch: Uint8Array[] = [];
        for (let i = 0; i < 20 && sent < frames; i++, sent++) batch.push(hostileFrame(next));
        const bytes = new Uint8Array(batch.reduce((n, b) => n + b.length, 0));
        let offset = 0;
        for (const b of batch) {
          bytes.set(b, offset);
          offset += b.length;
        }
        for (let written = 0; written < bytes.length;) {
          written += await conn.write(bytes.subarray(written));
        }
      }
    } catch {
      reconnects++; // the server closed us (line too long, quit, …): come back
    }
    try {
      conn.close();
    } catch { /* already closed */ }
    await draining;
  }
  return reconnects;
}

Deno.test({
  name:
    "fuzz: 12,000 hostile frames while two members chat; nothing lost, server up, memory bounded",
  async fn() {
    const seed = Number(Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const next = random(seed);
    const server = await startServe([
      "--rate-limit",
      "1000000",
      "--rate-burst",
      "1000000",
      "--max-per-address",
      "1000",
      // Hostile and good connections all come from 127.0.0.1: the newcomer at the end must not
      // be refused for the joins the hostile ones made.
      "--join-burst",
      "1000000",
      "--connect-burst",
      "1000000",
    ]);
    try {
      const { client: alice } = await LineClient.join(server.port, "alice");
      const { client: bob } = await LineClient.join(server.port, "bob");
      const before = await rssKiB(server.child.pid);
      let peak = before ?? 0;
      const sampling = setInterval(async () => {
        peak = Math.max(peak, (await rssKiB(server.child.pid)) ?? 0);
      }, 50);

      const chatting = (async () => {
        for (let i = 0; i < GOOD_MESSAGES; i++) {
          await alice.say(`alice ${i}`);
          await bob.say(`bob ${i}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const perConnection = Math.ceil(FRAMES / HOSTILE_CONNECTIONS);
      const reconnects = await Promise.all(
        Array.from(
          { length: HOSTILE_CONNECTIONS },
          () => hostile(server.port, perConnection, next),
        ),
      );
      await chatting;
      clearInterval(sampling);

      for (const client of [alice, bob]) {
        const seen = { alice: 0, bob: 0 } as Record<string, number>;
        while (seen.alice < GOOD_MESSAGES || seen.bob < GOOD_MESSAGES) {
          const frame = await client.nextFrame(
            (f) => f.type === "message" && (f.from === "alice" || f.from === "bob"),
            30_000,
          );
          assertEquals(frame.text, `${frame.from} ${seen[frame.from]}`, "in order, none missing");
          seen[frame.from]++;
        }
      }
      // Still serving: a newcomer joins and chats.
      const { client: carol } = await LineClient.join(server.port, "carol");
      await carol.say("after the storm");
      assertEquals((await alice.nextFrame((f) => f.from === "carol")).text, "after the storm");
      console.log(
        `hostile reconnects: ${
          reconnects.join(", ")
        }; server RSS ${before} KiB before, peak ${peak} KiB`,
      );
      if (before !== undefined) {
        assert(peak - before < 64 * 1024, `server memory grew by ${peak - before} KiB`);
      }
      for (const c of [alice, bob, carol]) c.close();
    } finally {
      const status = await server.stop();
      assertEquals(status.code, 0, `the server exited cleanly:\n${server.output().slice(-2000)}`);
    }
  },
});
