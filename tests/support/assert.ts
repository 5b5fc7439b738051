/**
 * Assertions for tests, named as in Deno's standard library (which lives on
 * JSR, unreachable here) and backed by `node:assert/strict`.
 *
 * @module
 */

export {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  notDeepStrictEqual as assertNotEquals,
  ok as assert,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
