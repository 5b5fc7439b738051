/**
 * Presence at scale, measured against a real `chat serve` subprocess on
 * 127.0.0.1 (docs/PERFORMANCE.md, "Rooms: presence at scale"):
 *
 * 1. joins: N structured members join one room, as fast as they can; the time
 *    until the last one has its welcome;
 * 2. fan-out: one member says 20 messages; the time until every member has
 *    each (median and slowest of the 20);
 * 3. restart: the server stops (SIGTERM) and starts again on the same data;
 *    R members come back at once with their token and last id; the time until
 *    all have their catch-up, and whether any caught up with a gap.
 *
 * `--code DIR` runs another checkout's `main.ts` (the release before rooms:
 * `--protocol 1`), so before and after are measured by the same script.
 * `--rooms N` has the server hold N more (idle) rooms (`chat serve --rooms`),
 * to show what the other rooms cost the busy one.
 *
 * Usage: deno run --allow-all scripts/rooms_bench.ts [--members 10000] [--reconnect 2000]
 *        [--code DIR] [--protocol 2] [--rooms 0]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const { values } = parseArgs({
  options: {
    members: { type: "string", default: "10000" },
    reconnect: { type: "string", default: "2000" },
    code: { type: "string" },
    protocol: { type: "string", default: "2" },
    rooms: { type: "string", default: "0" },
    help: { type: "boolean" },
  },
});
if (values.help) {
  console.log(
    "Usage: deno run --allow-all scripts/rooms_bench.ts [--members N] [--reconnect N] " +
      "[--code DIR] [--protocol 1|2] [--rooms N]",
  );
  Deno.exit(0);
}
const MEMBERS = Number(values.members);
const RECONNECT = Math.min(Number(values.reconnect), MEMBERS);
const PROTOCOL = Number(values.protocol);
const IDLE_ROOMS = Number(values.rooms);
const MAIN = values.code
  ? join(values.code, "main.ts")
  : fileURLToPath(new URL("../main.ts", import.meta.url));
const OPEN_AT_ONCE = 200;
const FANOUT_MESSAGES = 20;
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A member: one connection that reads everything and remembers its welcome. */
class Member {
  welcome: Record<string, unknown> | undefined;
  readonly #conn: Deno.Conn;
  #pending = "";
  #welcomed = Promise.withResolvers<Record<string, unknown>>();
  /** Markers seen so far (substrings waited for). */
  readonly #waits = new Map<string, () => void>();
  lastId = 0;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#read();
  }

  static async join(port: number, name: string, extra: Record<string, unknown> = {}) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const member = new Member(conn);
    const hello = { type: "hello", version: PROTOCOL, name, ...extra };
    await conn.write(utf8.encode(JSON.stringify(hello) + "\n"));
    member.welcome = await member.#welcomed.promise;
    return member;
  }

  /** Resolves when a line containing `marker` arrives. */
  waitFor(marker: string): Promise<void> {
    return new Promise((resolve) => this.#waits.set(marker, resolve));
  }

  say(line: string): Promise<number> {
    return this.#conn.write(utf8.encode(JSON.stringify({ type: "send", text: line }) + "\n"));
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already gone.
    }
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const count = await this.#conn.read(buffer);
        if (count === null) break;
        const chunk = text.decode(buffer.subarray(0, count), { stream: true });
        if (this.welcome === undefined || this.#waits.size > 0) {
          this.#pending += chunk;
          let newline: number;
          while ((newline = this.#pending.indexOf("\n")) !== -1) {
            const line = this.#pending.slice(0, newline);
            this.#pending = this.#pending.slice(newline + 1);
            this.#line(line);
          }
        } else {
          this.#pending = "";
        }
        // Ids for the next catch-up: the last `"id":N` in what arrived.
        const at = chunk.lastIndexOf('"id":');
        if (at !== -1) this.lastId = Math.max(this.lastId, parseInt(chunk.slice(at + 5), 10) || 0);
      }
    } catch {
      // The server went away (restart): the phase notices.
    }
    this.#welcomed.reject(new Error("closed before the welcome"));
  }

  #line(line: string): void {
    if (this.welcome === undefined && line.startsWith('{"type":"welcome"')) {
      const welcome = JSON.parse(line);
      const history = welcome.history as Array<{ id: number }>;
      this.lastId = Math.max(welcome.lastId ?? 0, history.at(-1)?.id ?? 0);
      this.#welcomed.resolve(welcome);
      return;
    }
    if (this.welcome === undefined && line.startsWith('{"type":"error"')) {
      this.#welcomed.reject(new Error(line));
      return;
    }
    for (const [marker, resolve] of this.#waits) {
      if (line.includes(marker)) {
        this.#waits.delete(marker);
        resolve();
      }
    }
  }
}

/** A `chat serve` subprocess on `port` with everything that would limit the bench lifted. */
function startServer(port: number, dataDir: string): Deno.ChildProcess {
  const many = String(MEMBERS * 2);
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      MAIN,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--data",
      dataDir,
      "--quiet",
      "--max-connections",
      many,
      "--max-per-address",
      many,
      "--max-unjoined",
      many,
      "--join-burst",
      many,
      "--joins-per-minute",
      many,
      "--connect-burst",
      many,
      "--connects-per-second",
      many,
      "--rate-limit",
      "1000",
      "--rate-burst",
      "1000",
      ...idleRooms(),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
    env: { CHAT_CONFIG_DIR: dataDir },
  }).spawn();
}

/** `--rooms` flags for the idle rooms (none for the default, so older releases run too). */
function idleRooms(): string[] {
  if (IDLE_ROOMS <= 0) return [];
  const names = Array.from({ length: IDLE_ROOMS }, (_, i) => `idle${i}`);
  return ["--rooms", names.join(","), "--max-rooms", String(IDLE_ROOMS + 10)];
}

async function untilListening(port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error("chat serve did not start");
}

/** Runs `task(i)` for i in 0..count-1, at most `width` at once. */
async function inWaves<T>(count: number, width: number, task: (i: number) => Promise<T>) {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  }));
  return results;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dataDir = await Deno.makeTempDir({ prefix: "rooms-bench-" });
const port = freePort();
let server = startServer(port, dataDir);
try {
  await untilListening(port);
  console.log(
    `rooms bench: ${MEMBERS} members, ${RECONNECT} reconnecting, protocol ${PROTOCOL}, ` +
      `${IDLE_ROOMS} idle rooms`,
  );

  // 1. Joins.
  const joinStart = performance.now();
  const members = await inWaves(MEMBERS, OPEN_AT_ONCE, (i) => Member.join(port, `m${i}`));
  const joinMs = performance.now() - joinStart;
  console.log(`joins: ${MEMBERS} members in one room in ${seconds(joinMs)}`);
  // Let the last joins' announcements go out before measuring fan-out.
  await new Promise((resolve) => setTimeout(resolve, 1500));

  // 2. Fan-out.
  const speaker = members[0];
  const fanout: number[] = [];
  for (let n = 0; n < FANOUT_MESSAGES; n++) {
    const marker = `fanout-${n}-end`;
    const arrived = Promise.all(members.map((member) => member.waitFor(marker)));
    const start = performance.now();
    await speaker.say(marker);
    await arrived;
    fanout.push(performance.now() - start);
  }
  fanout.sort((a, b) => a - b);
  console.log(
    `fan-out: a message reaches all ${MEMBERS}: median ${
      fanout[fanout.length >> 1].toFixed(1)
    } ms,` +
      ` slowest ${fanout[fanout.length - 1].toFixed(1)} ms (${FANOUT_MESSAGES} messages)`,
  );

  // 3. Restart storm: the first RECONNECT members come back at once.
  const places = members.slice(0, RECONNECT).map((member, i) => {
    const welcome = member.welcome!;
    return {
      name: `m${i}`,
      resume: welcome.session as string,
      since: member.lastId,
      log: (welcome.log ?? welcome.room) as string,
      room: welcome.room as string,
    };
  });
  server.kill("SIGTERM");
  await server.status;
  for (const member of members) member.close();
  server = startServer(port, dataDir);
  await untilListening(port);
  const stormStart = performance.now();
  const back = await inWaves(RECONNECT, RECONNECT, (i) => {
    const { name, resume, since, log, room } = places[i];
    const where = PROTOCOL >= 2 ? { room, since, log } : { since, room: log };
    return Member.join(port, name, { resume, ...where });
  });
  const stormMs = performance.now() - stormStart;
  const caughtUp = back.filter((m) => m.welcome!.catchUp === true).length;
  const gaps = back.filter((m) => m.welcome!.gap === true).length;
  console.log(
    `restart: ${RECONNECT} members back in ${seconds(stormMs)}; ` +
      `${caughtUp} caught up, ${gaps} with a gap`,
  );
  for (const member of back) member.close();
} finally {
  try {
    server.kill("SIGTERM");
  } catch {
    // Already stopped.
  }
  await server.status;
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
