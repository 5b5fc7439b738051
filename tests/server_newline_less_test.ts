/**
 * A client like the seed's Tk one — one message per write without a
 * newline, each 1024-byte read shown as one row — gets one event per write:
 * no line endings, no UTF-8 character cut by a read, a short history.
 * `nc`-style clients keep their lines. Real server, real sockets.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { LineClient } from "./support/line_client.ts";
import { withServer } from "./support/test_server.ts";
import {
  MAX_EVENT_BYTES,
  PlainOutputStyle,
  SHORT_HISTORY,
} from "../src/server/plain_output_style.ts";

const utf8 = new TextEncoder();
/** Room limits that let alice fill the history at once. */
const FAST = { rateBurst: 100, ratePerSecond: 100 };

/** A Tk-style client: raw writes, 1024-byte reads kept as they came. */
class SeedStyleClient {
  readonly reads: Uint8Array[] = [];
  #ended = false;
  private constructor(readonly conn: Deno.Conn) {
    (async () => {
      const buffer = new Uint8Array(1024);
      try {
        while (true) {
          const count = await conn.read(buffer);
          if (count === null) break;
          this.reads.push(buffer.slice(0, count));
        }
      } catch {
        // closed
      }
      this.#ended = true;
    })();
  }

  static async connect(port: number): Promise<SeedStyleClient> {
    return new SeedStyleClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async write(text: string): Promise<void> {
    await this.conn.write(utf8.encode(text));
  }

  /** The reads as text (a character cut by a read shows as U+FFFD). */
  rows(): string[] {
    return this.reads.map((bytes) => new TextDecoder().decode(bytes));
  }

  async waitFor(accept: (rows: string[]) => boolean, what: string): Promise<string[]> {
    const deadline = Date.now() + 5000;
    while (!accept(this.rows())) {
      assert(Date.now() < deadline && !this.#ended, `no ${what}; rows:\n${this.rows().join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.rows();
  }
}

Deno.test("a newline-less client gets one event per write: no line endings, whole characters, short history", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    for (let i = 1; i <= 25; i++) await alice.say(`earlier ${i}`);
    await alice.nextFrame((f) => f.type === "message" && f.text === "earlier 25");
    const seed = await SeedStyleClient.connect(port);
    await seed.waitFor((rows) => rows.join("").includes("Type your name"), "greeting");
    const greetingReads = seed.reads.length;
    await seed.write("carol");
    await seed.waitFor((rows) => rows.some((r) => r.includes("carol joined")), "own join");
    // A long message of two-byte characters: more than one read's worth.
    const long = "é".repeat(1500);
    await alice.say(long);
    await alice.say("line one\\nline two".replace("\\n", "\n"));
    await seed.write("hello from tk");
    const rows = await seed.waitFor(
      (rows) => rows.some((r) => r.endsWith("carol: hello from tk")),
      "own message",
    );
    const afterGreeting = rows.slice(greetingReads);
    for (const row of afterGreeting) {
      assert(!/[\r\n]/.test(row), `a row with a line ending: ${JSON.stringify(row)}`);
    }
    for (const bytes of seed.reads) assert(bytes.length <= MAX_EVENT_BYTES);
    const shownEarlier = afterGreeting.filter((r) =>
      /alice: earlier \d+/.test(r.replace(/.*\] /, ""))
    );
    assert(
      shownEarlier.length > 0 && shownEarlier.length <= SHORT_HISTORY,
      afterGreeting.join("\n"),
    );
    assert(
      afterGreeting.join("").includes("alice: earlier 25"),
      "the newest earlier message is shown",
    );
    assertEquals(
      new TextDecoder("utf-8", { fatal: true }).decode(concat(seed.reads)).split("é").length - 1,
      1500,
      "every character of the long message arrived",
    );
    assert(afterGreeting.some((r) => r.includes("line one ↵ line two")), afterGreeting.join("\n"));
    seed.conn.close();
    alice.close();
  }, { limits: FAST });
});

Deno.test("an nc-style client that sends lines keeps CRLF lines and the full history", async () => {
  await withServer(async (_server, port) => {
    const { client: alice } = await LineClient.join(port, "alice");
    for (let i = 1; i <= 25; i++) await alice.say(`earlier ${i}`);
    await alice.nextFrame((f) => f.type === "message" && f.text === "earlier 25");
    const nc = await SeedStyleClient.connect(port);
    await nc.write("dave\n");
    const rows = await nc.waitFor((rows) => rows.join("").includes("dave joined"), "own join");
    const text = rows.join("");
    assert(text.includes("\r\n"), "lines end with CRLF");
    assertEquals(text.match(/alice: earlier \d+/g)?.length, 25);
    nc.conn.close();
    alice.close();
  }, { limits: FAST });
});

Deno.test("each write for a newline-less client is one event of whole characters, at most 1024 bytes", () => {
  const style = new PlainOutputStyle();
  style.noteLine(false);
  assert(style.perWrite);
  const text = "é".repeat(700) + "😀".repeat(300); // 1400 + 1200 bytes, cut points inside characters
  const writes = style.frameEvents({ type: "message", id: 1, ts: 0, from: "bob", text });
  assert(writes.length >= 3);
  for (const bytes of writes) {
    assert(bytes.length <= MAX_EVENT_BYTES);
    const row = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // throws on a cut character
    assert(!/[\r\n]/.test(row));
  }
  const history = Array.from({ length: 30 }, (_, i) => ({
    type: "message" as const,
    id: i + 1,
    ts: 0,
    from: "bob",
    text: `m${i + 1}`,
  }));
  const welcome = style.frameEvents({
    type: "welcome",
    version: 2,
    name: "carol",
    members: ["bob", "carol"],
    history,
    catchUp: false,
    session: "s",
    log: "l",
    room: "#general",
    limits: { maxMessageChars: 4000, maxLineBytes: 16384 },
  }).map((bytes) => new TextDecoder().decode(bytes));
  assertEquals(welcome.filter((row) => / bob: m\d+$/.test(row)).length, SHORT_HISTORY);
  assert(welcome.at(-2)!.endsWith("bob: m30"), welcome.join("\n"));
  style.noteLine(true);
  assert(!style.perWrite, "a client that once sent a newline gets lines");
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}
