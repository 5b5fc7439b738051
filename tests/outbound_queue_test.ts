/**
 * OutboundQueue and WriteScheduler over real TCP: queued frames arrive in
 * order, adjacent broadcast slices go out in one write, an overflowing queue
 * reports it, and a peer that stops reading does not hold up the others.
 */

import { assert, assertEquals } from "./support/assert.ts";
import { FrameArena } from "../src/server/frame_arena.ts";
import { OutboundQueue, WriteScheduler } from "../src/server/outbound_queue.ts";

/** A connected pair on 127.0.0.1: the server side to write to, the client side to read from. */
async function socketPair(): Promise<{ server: Deno.TcpConn; client: Deno.TcpConn }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  listener.close();
  return { server, client };
}

/** Reads until `bytes` bytes arrived (or the deadline passed) and returns them as text. */
async function readText(conn: Deno.Conn, bytes: number, timeoutMs = 5000): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const deadline = Date.now() + timeoutMs;
  const buffer = new Uint8Array(64 * 1024);
  while (total < bytes) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`only ${total} of ${bytes} bytes arrived`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const count = await Promise.race([
      conn.read(buffer),
      new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), left)),
    ]);
    clearTimeout(timer);
    if (count === null) continue;
    chunks.push(buffer.slice(0, count));
    total += count;
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) joined.set(chunk, offset), offset += chunk.length;
  return new TextDecoder().decode(joined);
}

const noEvents = { onOverflow: () => {}, onWriteError: () => {} };
const utf8 = new TextEncoder();

Deno.test("frames arrive in order; adjacent broadcast slices share one write", async () => {
  const { server, client } = await socketPair();
  let writes = 0;
  const sink = { write: (bytes: Uint8Array) => (writes++, server.write(bytes)) };
  const queue = new OutboundQueue(sink, 1 << 20, noEvents, new WriteScheduler());
  const arena = new FrameArena();
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const line = `broadcast ${i}\n`;
    expected.push(line);
    queue.push(arena.place(line));
  }
  await queue.drain(5000);
  assertEquals(writes, 1, "fifty adjacent slices, one write");
  queue.push(utf8.encode("personal\n"));
  queue.push(arena.place("after\n"));
  expected.push("personal\n", "after\n");
  const text = expected.join("");
  assertEquals(await readText(client, text.length), text);
  assertEquals(queue.queuedBytes, 0);
  server.close();
  client.close();
});

Deno.test("a queue over its bound reports the overflow and stops accepting", async () => {
  const { server, client } = await socketPair();
  let overflows = 0;
  const queue = new OutboundQueue(server, 100, {
    onOverflow: () => overflows++,
    onWriteError: () => {},
  }, new WriteScheduler());
  queue.push(utf8.encode("x".repeat(60)));
  queue.push(utf8.encode("y".repeat(60)));
  assertEquals(overflows, 1);
  queue.push(utf8.encode("z"));
  await queue.drain(1000);
  server.close();
  const rest = new Uint8Array(1024);
  const count = await client.read(rest);
  assert(count === null || !new TextDecoder().decode(rest.subarray(0, count)).includes("z"));
  client.close();
});

Deno.test("a peer that stops reading does not hold up the others' turns", async () => {
  const scheduler = new WriteScheduler(1); // one write at a time: the stuck one would block everyone
  const stuck = await socketPair();
  const healthy = await socketPair();
  const stuckQueue = new OutboundQueue(stuck.server, 64 << 20, noEvents, scheduler);
  const healthyQueue = new OutboundQueue(healthy.server, 1 << 20, noEvents, scheduler);
  // Far more than the kernel buffers hold: this write waits for a reader that never comes.
  stuckQueue.push(new Uint8Array(32 << 20));
  await new Promise((resolve) => setTimeout(resolve, 50));
  healthyQueue.push(utf8.encode("still served\n"));
  assertEquals(await readText(healthy.client, 13, 3000), "still served\n");
  stuckQueue.stop();
  stuck.server.close();
  stuck.client.close();
  healthy.server.close();
  healthy.client.close();
});
