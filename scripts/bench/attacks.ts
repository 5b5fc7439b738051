/**
 * The four attacks of the attack scenario, each against a live `chat serve`
 * on 127.0.0.1, each bounded: it runs until `until` (a `performance.now()`
 * time) with a fixed number of connections or loops, then closes everything
 * it opened. Each returns what it managed, so the report shows what the
 * server let through.
 *
 * - churn: reconnect loops, joining with a fresh name and leaving at once;
 * - slowloris: many connections that never finish their handshake (half of
 *   them silent, half with an unfinished hello line), held open;
 * - guessing: a wrong password per fresh connection, not waiting out the delay;
 * - mailbox: private messages, as big as allowed, to made-up names that were
 *   in the room for a moment, at the rate limit, from several members.
 *
 * @module
 */

import { type AnyFrame, AttackConnection } from "./attack_client.ts";

/** Where and how long to attack. */
export interface AttackTarget {
  port: number;
  /** The room password (attacks other than guessing know it, like a member who turned bad). */
  password: string;
  /** Source addresses to attack from, used in turn. */
  sources: string[];
  /** `performance.now()` at which to stop. */
  until: number;
}

/** What an attack managed: named counts, e.g. `{ joins: 120, refused: 3 }`. */
export type AttackCounts = Record<string, number>;

/** How big each attack is. */
export interface AttackSizes {
  /** Reconnect loops running at once. */
  churnLoops: number;
  /** Connections held open without finishing the handshake. */
  slowlorisConnections: number;
  /** Password-guessing loops running at once. */
  guessLoops: number;
  /** Members sending private messages to made-up names. */
  flooders: number;
}

/** One attack: its name, what it does, and how to run it. */
export interface Attack {
  name: "churn" | "slowloris" | "guessing" | "mailbox";
  summary: string;
  run(target: AttackTarget, sizes: AttackSizes): Promise<AttackCounts>;
}

/** How long an attacker waits for the server's answer before counting it as none. */
const ANSWER_TIMEOUT_MS = 5000;
/** How long a guesser waits for a welcome before taking silence for "wrong". */
const GUESS_WAIT_MS = 250;
/** Connections a slowloris opens at once while it builds up. */
const OPEN_CONCURRENCY = 64;
/** Made-up names each mailbox flooder creates, then writes to in turn. */
const NAMES_PER_FLOODER = 5;
/** Characters of each flooding private message (the default longest message). */
const FLOOD_TEXT_CHARS = 3900;
/** A flooder's pace: just under the default rate limit of 3 lines a second. */
const FLOOD_INTERVAL_MS = 350;

/** The attacks, in the order the scenario runs them. */
export const ATTACKS: readonly Attack[] = [
  {
    name: "churn",
    summary: "reconnect loops: join with a fresh name, leave, again",
    run: churn,
  },
  {
    name: "slowloris",
    summary: "connections that never finish the handshake, held open",
    run: slowloris,
  },
  {
    name: "guessing",
    summary: "one wrong password per fresh connection, not waiting out the delay",
    run: guessing,
  },
  {
    name: "mailbox",
    summary: "large private messages to made-up absent names, at the rate limit",
    run: mailbox,
  },
];

const isAnswer = (frame: AnyFrame) =>
  frame.type === "welcome" || frame.type === "error" || frame.type === "bye";

const stillOn = (target: AttackTarget) => performance.now() < target.until;

/** How long to wait for an answer: the usual timeout, but never past the end of the attack. */
const answerWait = (target: AttackTarget) =>
  Math.max(1, Math.min(ANSWER_TIMEOUT_MS, target.until - performance.now()));

/** Picks the sources in turn. */
function sourcePicker(sources: string[]): () => string {
  let next = 0;
  return () => sources[next++ % sources.length];
}

async function churn(target: AttackTarget, sizes: AttackSizes): Promise<AttackCounts> {
  const counts = { joins: 0, refused: 0, unanswered: 0, cutOffAtEnd: 0 };
  const source = sourcePicker(target.sources);
  let serial = 0;
  const loop = async () => {
    while (stillOn(target)) {
      const connection = await AttackConnection.open(target.port, source(), ANSWER_TIMEOUT_MS);
      if (!connection) {
        counts.refused++;
        continue;
      }
      connection.hello(`churn${serial++}`, target.password);
      const answer = await connection.next(isAnswer, answerWait(target));
      if (answer?.type === "welcome") {
        counts.joins++;
        connection.send({ type: "quit" });
      } else if (answer) counts.refused++;
      else if (stillOn(target)) counts.unanswered++;
      else counts.cutOffAtEnd++;
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: sizes.churnLoops }, loop));
  return counts;
}

async function slowloris(target: AttackTarget, sizes: AttackSizes): Promise<AttackCounts> {
  const source = sourcePicker(target.sources);
  const open: AttackConnection[] = [];
  let refused = 0;
  let next = 0;
  const opener = async () => {
    while (next < sizes.slowlorisConnections && stillOn(target)) {
      const index = next++;
      const connection = await AttackConnection.open(target.port, source(), ANSWER_TIMEOUT_MS);
      if (!connection) {
        refused++;
        continue;
      }
      // Half stay silent; half start a hello and never finish the line.
      if (index % 2 === 1) connection.write('{"type":"hello","version":2,"na');
      open.push(connection);
    }
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, opener));
  const opened = open.length;
  const heldAtPeak = open.filter((c) => !c.closed).length;
  while (stillOn(target)) await sleep(Math.min(100, target.until - performance.now()));
  const stillOpen = open.filter((c) => !c.closed).length;
  for (const connection of open) connection.close();
  return {
    opened,
    refused,
    heldOnceOpened: heldAtPeak,
    closedByServer: opened - stillOpen,
    stillOpenAtEnd: stillOpen,
  };
}

/**
 * A guesser does not wait out the server's delay on a wrong password: the
 * right one is let in at once, so silence after a short wait already says
 * "wrong", and the next guess goes out on a fresh connection. What counts is
 * how many guesses the server checked (silence or a wrong-password answer)
 * against how many it refused before checking.
 */
async function guessing(target: AttackTarget, sizes: AttackSizes): Promise<AttackCounts> {
  const counts = { guesses: 0, checked: 0, refusedBeforeCheck: 0, connectionRefused: 0 };
  const source = sourcePicker(target.sources);
  let serial = 0;
  const started = performance.now();
  const loop = async (index: number) => {
    while (stillOn(target)) {
      const connection = await AttackConnection.open(target.port, source(), ANSWER_TIMEOUT_MS);
      if (!connection) {
        counts.connectionRefused++;
        continue;
      }
      counts.guesses++;
      connection.hello(`guess${index}`, `wrong-${serial++}`);
      const answer = await connection.next(isAnswer, GUESS_WAIT_MS);
      if (answer === null && !connection.closed) counts.checked++;
      else if (answer?.type === "error" && answer.code === "wrong_password") counts.checked++;
      else counts.refusedBeforeCheck++;
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: sizes.guessLoops }, (_, i) => loop(i)));
  const seconds = (performance.now() - started) / 1000;
  return { ...counts, checkedPerSecond: Math.round(counts.checked / seconds) };
}

async function mailbox(target: AttackTarget, sizes: AttackSizes): Promise<AttackCounts> {
  const counts = { namesMade: 0, sent: 0, refused: 0, keptBytes: 0 };
  const source = sourcePicker(target.sources);
  const text = "m".repeat(FLOOD_TEXT_CHARS);
  const flooder = async (index: number) => {
    const from = source();
    // Names that were in the room for a moment: join, take the session, leave.
    const names: string[] = [];
    for (let n = 0; n < NAMES_PER_FLOODER && stillOn(target); n++) {
      const connection = await AttackConnection.open(target.port, from, ANSWER_TIMEOUT_MS);
      if (!connection) continue;
      const name = `mb${index}x${n}`;
      connection.hello(name, target.password);
      const answer = await connection.next(isAnswer, answerWait(target));
      if (answer?.type === "welcome") {
        names.push(name);
        counts.namesMade++;
        connection.send({ type: "quit" });
      }
      connection.close();
    }
    if (names.length === 0) return;
    const sender = await AttackConnection.open(target.port, from, ANSWER_TIMEOUT_MS);
    if (!sender) return;
    sender.hello(`flood${index}`, target.password);
    if ((await sender.next(isAnswer, answerWait(target)))?.type !== "welcome") {
      sender.close();
      return;
    }
    let turn = 0;
    while (stillOn(target) && !sender.closed) {
      sender.send({ type: "send", text: `/msg ${names[turn++ % names.length]} ${text}` });
      counts.sent++;
      await sleep(FLOOD_INTERVAL_MS);
      counts.refused += sender.drain().filter((frame) => frame.type === "error").length;
    }
    await sleep(100);
    counts.refused += sender.drain().filter((frame) => frame.type === "error").length;
    sender.close();
  };
  await Promise.all(Array.from({ length: sizes.flooders }, (_, i) => flooder(i)));
  counts.keptBytes = (counts.sent - counts.refused) * FLOOD_TEXT_CHARS;
  return counts;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
