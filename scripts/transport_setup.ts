/**
 * What the hand-over of HTTP costs: connection setup on the chat port for a
 * raw TCP member, a WebSocket member (HTTP upgrade after the sniff and the
 * hand-over to node:http + ws), and a page request on a fresh connection —
 * next to the same page request answered by `Deno.serve` directly, without a
 * sniff and hand-over. Sequential, on 127.0.0.1; medians and p99 in ms.
 *
 * Usage: deno run --allow-all scripts/transport_setup.ts [ROUNDS]
 */

import { WebSocket } from "ws";
import { ChatServer } from "../src/server/chat_server.ts";
import { webResponse } from "../src/web/web_routes.ts";
import { LineDecoder } from "../src/protocol/line_decoder.ts";

const ROUNDS = Number(Deno.args[0] ?? 300);
const utf8 = new TextEncoder();
const limits = {
  maxConnectionsPerAddress: 10_000,
  joinBurst: 1_000_000,
  joinsPerMinute: 1_000_000,
};

async function tcpJoin(port: number, name: string): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(utf8.encode(JSON.stringify({ type: "hello", version: 1, name }) + "\n"));
  const decoder = new LineDecoder(1 << 20);
  const buffer = new Uint8Array(16384);
  for (;;) {
    const count = await conn.read(buffer);
    if (count === null) throw new Error("closed before the welcome");
    if (decoder.push(buffer.subarray(0, count)).lines.some((l) => l.includes('"welcome"'))) break;
  }
  conn.close();
}

function wsJoin(port: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      origin: `http://127.0.0.1:${port}`,
      perMessageDeflate: false,
    });
    socket.on("open", () => socket.send(JSON.stringify({ type: "hello", version: 1, name })));
    socket.on("message", (data: unknown) => {
      if (String(data).includes('"welcome"')) {
        socket.terminate();
        resolve();
      }
    });
    socket.on("error", reject);
  });
}

async function httpGet(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(utf8.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  const buffer = new Uint8Array(16384);
  while (await conn.read(buffer) !== null) { /* read to the end */ }
  conn.close();
}

async function measure(what: string, once: (i: number) => Promise<void>): Promise<string> {
  for (let i = 0; i < 20; i++) await once(-1 - i); // warm up
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await once(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return `${what.padEnd(52)} median ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`;
}

const server = new ChatServer({ hostname: "127.0.0.1", port: 0, limits });
const port = server.addr.port;
const direct = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
  const answer = webResponse(request, { secure: false });
  return answer === "upgrade" ? new Response(null, { status: 400 }) : answer;
});
const lines = [
  await measure("TCP member: connect, hello, welcome", (i) => tcpJoin(port, `t${i + 100}`)),
  await measure(
    "WebSocket member: connect, upgrade, hello, welcome",
    (i) => wsJoin(port, `w${i + 100}`),
  ),
  await measure("GET / on a fresh connection, chat port (hand-over)", () => httpGet(port)),
  await measure(
    "GET / on a fresh connection, Deno.serve directly",
    () => httpGet(direct.addr.port),
  ),
];
console.log(`${ROUNDS} rounds each, one after another, on 127.0.0.1:`);
for (const line of lines) console.log(`  ${line}`);
await direct.shutdown();
await server.shutdown();
