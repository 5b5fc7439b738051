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
 *   in the room for a moment and said a word, at the rate limit, from several
 *   members, each moving on to fresh names as the mailbox's caps refuse it.
 *
 * @module
 */

import { encodeFrame } from "../../src/protocol/codec.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/limits.ts";
import { lineCost } from "../../src/protocol/line_cost.ts";
import { MAILBOX_LIMIT, MAILBOX_PER_SENDER_LIMIT } from "../../src/server/mailbox.ts";
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
    summary: "large private messages to made-up absent names, at the rate limit, past the caps",
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

/**
 * A mailbox flooder plays by the rules the server enforces, as a determined
 * attacker would: its made-up names each say a word (only names that were
 * really used get mail kept), it sends at the pace its messages' size allows
 * (a 3,900-character message costs about four lines of the rate), and it moves
 * on to a fresh sender name when its share of the mailbox is full and to fresh
 * recipients when theirs are.
 */
async function mailbox(target: AttackTarget, sizes: AttackSizes): Promise<AttackCounts> {
  const counts = { namesMade: 0, senders: 0, sent: 0, kept: 0, refusedFull: 0, refusedOther: 0 };
  const source = sourcePicker(target.sources);
  const text = "m".repeat(FLOOD_TEXT_CHARS);
  const flooder = async (index: number) => {
    const from = source();
    let serial = 0;
    // Names that were really in the room: join, say a word (to themselves), leave.
    const makeName = async (): Promise<string | null> => {
      const name = `mb${index}x${serial++}`;
      const member = await joinAs(target, from, name);
      if (!member) return null;
      member.send({ type: "send", text: `/msg ${name} hi` });
      const said = await member.next((f) => f.type === "private", answerWait(target));
      member.close();
      if (!said) return null;
      counts.namesMade++;
      return name;
    };
    const boxes = new Map<string, number>(); // kept per made-up name
    while (boxes.size < NAMES_PER_FLOODER && stillOn(target)) {
      const name = await makeName();
      if (name) boxes.set(name, 0);
      else if (stillOn(target)) await sleep(1000); // refused (join rate): wait a little
    }
    let sender: AttackConnection | null = null;
    let keptFromSender = 0;
    while (stillOn(target) && boxes.size > 0) {
      if (!sender || sender.closed || keptFromSender >= MAILBOX_PER_SENDER_LIMIT) {
        sender?.close();
        sender = await joinAs(target, from, `flood${index}s${serial++}`);
        keptFromSender = 0;
        if (!sender) {
          if (stillOn(target)) await sleep(1000);
          continue;
        }
        counts.senders++;
      }
      let [to] = [...boxes].find(([, kept]) => kept < MAILBOX_LIMIT) ?? [];
      if (to === undefined) {
        // Every made-up box is full: make a fresh name to write to.
        const name = await makeName();
        if (!name) continue;
        boxes.set(name, 0);
        to = name;
      }
      const frame = encodeFrame({ type: "send", text: `/msg ${to} ${text}` });
      sender.write(frame);
      counts.sent++;
      const sentAt = performance.now();
      const answer = await sender.next(
        (f) => f.type === "private" || f.type === "error",
        answerWait(target),
      );
      if (answer?.type === "private") {
        counts.kept++;
        keptFromSender++;
        boxes.set(to, boxes.get(to)! + 1);
      } else if (answer?.code === "mailbox_full") {
        counts.refusedFull++;
        keptFromSender = MAILBOX_PER_SENDER_LIMIT; // try a fresh sender
      } else if (answer) counts.refusedOther++;
      // The pace the rate limit allows for a line this size, with a little to spare.
      const paceMs = (lineCost(frame.trimEnd(), false) / DEFAULT_LIMITS.ratePerSecond) * 1100;
      await sleep(Math.min(sentAt + paceMs, target.until) - performance.now());
    }
    sender?.close();
  };
  await Promise.all(Array.from({ length: sizes.flooders }, (_, i) => flooder(i)));
  return { ...counts, keptBytes: counts.kept * FLOOD_TEXT_CHARS };
}

/** Joins as `name` from `source` with the password; the connection once welcomed, or `null`. */
async function joinAs(
  target: AttackTarget,
  source: string,
  name: string,
): Promise<AttackConnection | null> {
  const connection = await AttackConnection.open(target.port, source, ANSWER_TIMEOUT_MS);
  if (!connection) return null;
  connection.hello(name, target.password);
  if ((await connection.next(isAnswer, answerWait(target)))?.type === "welcome") return connection;
  connection.close();
  return null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
