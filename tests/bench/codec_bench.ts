/**
 * Micro-benchmarks of the frame codec and the line decoder: what each
 * message costs the server once (decode, parse) and per broadcast (encode).
 * Run with `deno bench tests/bench/`; docs/PERFORMANCE.md has results.
 */

import { encodeFrame, parseClientFrame, parseServerFrame } from "../../src/protocol/codec.ts";
import type { ChatRecord } from "../../src/protocol/frames.ts";
import { LineDecoder } from "../../src/protocol/line_decoder.ts";
import { FrameArena } from "../../src/server/frame_arena.ts";

const text = "0:123:1234.567 " + "x".repeat(49);
const sendLine = JSON.stringify({ type: "send", text });
const message: ChatRecord = {
  type: "message",
  id: 123456,
  ts: 1_763_944_000_000,
  from: "m123",
  text,
};
const messageLine = encodeFrame(message).trimEnd();
const utf8 = new TextEncoder();
// Forty send frames as they arrive from a busy sender in one read.
const chunk = utf8.encode((sendLine + "\n").repeat(40));

Deno.bench("encodeFrame: a chat message record", { group: "encode", baseline: true }, () => {
  encodeFrame(message);
});

Deno.bench("encodeFrame + UTF-8 encode (one broadcast)", { group: "encode" }, () => {
  utf8.encode(encodeFrame(message));
});

const arena = new FrameArena();
Deno.bench("encodeFrame + FrameArena.place (how the server encodes a broadcast)", {
  group: "encode",
}, () => {
  arena.place(encodeFrame(message));
});

Deno.bench("parseClientFrame: a send frame", { group: "parse", baseline: true }, () => {
  parseClientFrame(sendLine);
});

Deno.bench("parseServerFrame: a message record", { group: "parse" }, () => {
  parseServerFrame(messageLine);
});

Deno.bench("LineDecoder.push: 40 send lines in one chunk", { group: "lines" }, () => {
  new LineDecoder(16 * 1024).push(chunk);
});
