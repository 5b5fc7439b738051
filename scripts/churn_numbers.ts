/**
 * What a connect–leave loop does to the history file: runs `chat serve` from
 * a source tree (this one unless given), makes N structured clients join and
 * quit one after another over 127.0.0.1, then reports the history's records
 * and claims, the file and log sizes, and how long a join takes afterwards.
 *
 *     deno run --allow-all scripts/churn_numbers.ts [CYCLES] [TREE]
 *
 * docs/HISTORY.md has the numbers.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION } from "../src/protocol/constants.ts";

const cycles = Number(Deno.args[0] ?? 5000);
const tree = Deno.args[1] ?? fileURLToPath(new URL("..", import.meta.url));
const data = Deno.makeTempDirSync({ prefix: "chat-churn-" });
const decoder = new TextDecoder();
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = listener.addr.port;
listener.close();

/** The tree's limit flags that would stop one address's loop, lifted where the tree has them. */
function liftedLimits(): string[] {
  const help = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${tree}/main.ts`, "serve", "--help"],
    stdout: "piped",
  }).outputSync();
  const text = decoder.decode(help.stdout);
  const flags = [
    "--max-per-address",
    "--rate-limit",
    "--rate-burst",
    "--join-burst",
    "--connect-burst",
  ];
  return [
    ...flags.filter((flag) => text.includes(flag)).flatMap((flag) => [flag, "100000"]),
    ...(text.includes("--joins-per-minute") ? ["--joins-per-minute", "1000000"] : []),
  ];
}

const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-all",
    `${tree}/main.ts`,
    "serve",
    ...["--host", "127.0.0.1", "--port", `${port}`, "--data", data, "--quiet"],
    ...liftedLimits(),
  ],
  stdout: "null",
  stderr: "inherit",
}).spawn();

const encoder = new TextEncoder();

async function connect(): Promise<Deno.TcpConn> {
  while (true) {
    try {
      return await Deno.connect({ hostname: "127.0.0.1", port });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50)); // the server is starting
    }
  }
}

/** Joins as `name`, waits for the welcome, quits; returns the welcome's time in ms. */
async function joinAndQuit(name: string): Promise<number> {
  const conn = await connect();
  const started = performance.now();
  const send = (frame: unknown) => conn.write(encoder.encode(JSON.stringify(frame) + "\n"));
  await send({ type: "hello", version: PROTOCOL_VERSION, name });
  const buffer = new Uint8Array(64 * 1024);
  let text = "";
  while (!/"welcome".*\n/.test(text)) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`no welcome for ${name}: ${text}`);
    text += decoder.decode(buffer.subarray(0, n));
  }
  const elapsed = performance.now() - started;
  await send({ type: "quit" });
  while ((await conn.read(buffer)) !== null) {
    // Drain until the server closes.
  }
  conn.close();
  return elapsed;
}

function sizeOf(file: string): number {
  try {
    return Deno.statSync(file).size;
  } catch {
    return 0;
  }
}

let largestWal = 0;
const churnStarted = performance.now();
for (let i = 0; i < cycles; i++) {
  await joinAndQuit(`guest${i}`);
  if (i % 100 === 0) largestWal = Math.max(largestWal, sizeOf(`${data}/history.db-wal`));
}
const churnSeconds = (performance.now() - churnStarted) / 1000;
const joins: number[] = [];
for (let i = 0; i < 21; i++) joins.push(await joinAndQuit(`probe${i}`));
joins.sort((a, b) => a - b);
server.kill("SIGTERM");
await server.status;

const db = new DatabaseSync(`${data}/history.db`, { readOnly: true });
const count = (table: string) =>
  Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
const result = {
  cycles,
  churnSeconds: Number(churnSeconds.toFixed(1)),
  records: count("records"),
  claims: count("claims"),
  fileBytes: sizeOf(`${data}/history.db`),
  largestWalBytes: largestWal,
  joinMedianMs: Number(joins[10].toFixed(2)),
};
db.close();
Deno.removeSync(data, { recursive: true });
console.log(JSON.stringify(result));
