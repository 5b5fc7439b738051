/**
 * Why joining a room failed for good, as errors the command line turns into
 * one clear sentence and exit code 1.
 *
 * @module
 */

import { hostPort } from "../protocol/host_port.ts";

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
