/**
 * The banner `chat serve` prints on start: where the room can be reached and
 * the exact command a friend types to join it.
 *
 * @module
 */

import { renderUnicodeCompact } from "uqr";
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
  /** Also print the browser page's addresses (the port serves the page); default true. */
  web?: boolean;
  /** Add a QR code of the first browser address (for a terminal). */
  qr?: boolean;
}

/** The browser page's address on `address`:`port` (`https://` when the port speaks TLS). */
export function pageUrl(address: string, port: number, secure: boolean): string {
  return `${secure ? "https" : "http"}://${hostPort(address, port)}/`;
}

/** The browser page's addresses for every address the room can be reached at (best first). */
export function pageUrls(host: string, port: number, secure: boolean): string[] {
  return reachableAddresses(host, machineInterfaces()).map((address) =>
    pageUrl(address, port, secure)
  );
}

/** `url` as a QR code of Unicode half blocks, for a phone to scan off the terminal. */
export function qrCode(url: string): string {
  return renderUnicodeCompact(url, { border: 2 });
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
  {
    host,
    port,
    passwordProtected,
    fingerprint,
    historyNote,
    joinCommand = "chat join",
    web = true,
    qr = false,
  }: BannerFacts,
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
  if (web) {
    const secure = fingerprint !== undefined;
    if (addresses.length > 0) {
      lines.push("Or in a web browser on your network (a phone too):");
      for (const address of addresses) lines.push(`  ${pageUrl(address, port, secure)}`);
    }
    lines.push(`In a browser on this computer: ${pageUrl(local, port, secure)}`);
    if (secure) {
      lines.push(
        "Browsers warn about the self-signed certificate; the page shows its fingerprint to compare.",
      );
    }
    if (qr && addresses.length > 0) {
      const first = pageUrl(addresses[0], port, secure);
      lines.push(`Scan to open ${first} on a phone:`, qrCode(first));
    }
  }
  if (historyNote) lines.push(historyNote);
  lines.push("Press Ctrl-C to close the room; type /help here for the operator's commands.");
  return lines.join("\n");
}
