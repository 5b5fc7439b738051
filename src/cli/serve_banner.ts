/**
 * The banner `chat serve` prints on start: where the room can be reached and
 * the exact command a friend types to join it.
 *
 * @module
 */

import { hostPort } from "../protocol/host_port.ts";
import { isLoopback, joinTarget, machineInterfaces, reachableAddresses } from "./addresses.ts";

/** What the banner says about the room. */
export interface BannerFacts {
  host: string;
  port: number;
  passwordProtected?: boolean;
  /** The TLS certificate's fingerprint, when serving TLS. */
  fingerprint?: string;
  /** Where the history is kept, in one line. */
  historyNote?: string;
  /** How a friend starts the client here: {@linkcode joinCommandName}'s answer; default `chat join`. */
  joinCommand?: string;
}

/**
 * The command that starts the client the way this program was started: the
 * binary's `chat join`, or from source `deno task join` (deno.json's task, the
 * short way to run main.ts with the binary's permissions).
 */
export function joinCommandName(standalone: boolean = Deno.build.standalone): string {
  return standalone ? "chat join" : "deno task join";
}

/** What the operator sees on start: where the room is and the exact join commands. */
export function banner(
  { host, port, passwordProtected, fingerprint, historyNote, joinCommand = "chat join" }:
    BannerFacts,
): string {
  // A loopback --host cannot be reached from elsewhere: no command for friends on the network.
  const addresses = isLoopback(host) ? [] : reachableAddresses(host, machineInterfaces());
  const lines = [
    `Chat room open on port ${port}${fingerprint ? " (TLS only)" : ""}.${
      passwordProtected ? " It needs the password to join." : ""
    }`,
  ];
  if (fingerprint) lines.push(`Certificate fingerprint: ${fingerprint}`);
  const join = fingerprint
    ? `${joinCommand} --tls --fingerprint ${fingerprint} --name YOURNAME`
    : `${joinCommand} --name YOURNAME`;
  if (addresses.length > 0) {
    lines.push("Friends on your network join with:");
    for (const address of addresses) lines.push(`  ${join} ${joinTarget(address, port)}`);
  } else if (isLoopback(host)) {
    lines.push(`Only this computer can join (it listens on ${host}).`);
  } else {
    lines.push("No network address found; only this computer can join.");
  }
  const local = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  lines.push(`On this computer: ${join} ${joinTarget(local, port)}`);
  const where = addresses[0] ?? local;
  lines.push(
    fingerprint
      ? `Plain text works too: openssl s_client -quiet -connect ${hostPort(where, port)}`
      : `Plain text works too: nc ${where} ${port}`,
  );
  if (historyNote) lines.push(historyNote);
  lines.push("Press Ctrl-C to close the room; type /help here for the operator's commands.");
  return lines.join("\n");
}
