/**
 * Why joining a room failed for good, as errors the command line turns into
 * one clear sentence and exit code 1.
 *
 * @module
 */

import { hostPort } from "../protocol/host_port.ts";
import { sanitizeLine } from "../text/sanitize.ts";

/** The first connection attempt failed: the server is not there. Its message says what to check. */
export class UnreachableError extends Error {
  /** @param reason a short phrase: "connection refused", "no such host", … */
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
    cause: unknown,
  ) {
    super(
      reason === "no such host"
        ? `Can't find a computer called "${host}" (no such host). Check the name, or use its IP address.`
        : `Can't reach ${hostPort(host, port)} (${reason}). Is "chat serve" running there?`,
      { cause },
    );
    this.name = "UnreachableError";
  }
}

/** The server is there but cannot be joined, and trying again would not help (wrong certificate, TLS mismatch). */
export class CannotJoinError extends Error {
  /** @param message one or two sentences for a person: what is wrong, what to do */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CannotJoinError";
  }
}

/** How much of a foreign server's greeting is quoted. */
const QUOTED_CHARS = 16;

/**
 * The server answered with something that is not our protocol (the first
 * bytes were not a JSON frame): `it said` quotes the start of it, cleaned.
 */
export function notAChatRoom(host: string, port: number, said: string): CannotJoinError {
  const text = sanitizeLine(said).trim();
  const quoted = [...text].length > QUOTED_CHARS
    ? `${[...text].slice(0, QUOTED_CHARS).join("")}…`
    : text;
  return new CannotJoinError(
    `${hostPort(host, port)} answered but is not a chat room (it said "${quoted}"). ` +
      'Check the address and port of the "chat serve" you mean.',
  );
}

/** The server accepted the connection but never answered the hello. */
export function silentServer(host: string, port: number): CannotJoinError {
  return new CannotJoinError(
    `${hostPort(host, port)} accepted the connection but said nothing, so it is not a chat room. ` +
      'Check the address and port of the "chat serve" you mean.',
  );
}
