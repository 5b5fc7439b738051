/**
 * TLS connections to a room. With `--ca FILE` the server's certificate is
 * checked the usual way, against those authorities and the host name.
 * Otherwise it is pinned, the way ssh pins host keys: to the `--fingerprint`
 * the room's banner prints, or else to the fingerprint remembered in the
 * known-hosts file, or — the first time — to whatever the server presents,
 * which is then remembered. A first handshake only fetches the certificate
 * and compares its SHA-256; the connection that carries the chat is then made
 * with that very certificate as the one trusted root, so rustls verifies that
 * the server holds its key. Nothing is sent before the certificate is checked.
 *
 * @module
 */

import * as tls from "node:tls";
import { fingerprintOf } from "../protocol/fingerprint.ts";
import { hostPort } from "../protocol/host_port.ts";
import { pemEncode } from "../protocol/pem.ts";
import { CannotJoinError } from "./join_errors.ts";
import type { KnownHosts } from "./known_hosts.ts";

/** How to check the server's certificate. */
export interface TlsSettings {
  /** Authorities (PEM) to verify against, from `--ca`; when set, nothing is pinned. */
  caCerts?: string[];
  /** The fingerprint given with `--fingerprint` (canonical `SHA256:…`). */
  fingerprint?: string;
  /** Where pinned fingerprints are remembered. */
  knownHosts?: KnownHosts;
  /**
   * Asked before a room's certificate is pinned for the first time: resolves
   * true to trust and remember it; false refuses (nothing sent), and so does
   * a {@linkcode CannotJoinError} it throws, with its own message.
   */
  onFirstUse?: (target: string, fingerprint: string) => boolean | Promise<boolean>;
}

/** Connects with TLS and completes the handshake, checking the certificate as `settings` say. */
export async function connectTls(
  host: string,
  port: number,
  settings: TlsSettings,
  timeoutMs: number,
): Promise<Deno.TlsConn> {
  const trust = settings.caCerts ? { caCerts: settings.caCerts } : {
    caCerts: [await pinnedCertificate(host, port, settings, timeoutMs)],
    unsafelyDisableHostnameVerification: true,
  };
  const conn = await Deno.connectTls({ hostname: host, port, ...trust });
  try {
    await withTimeout(conn.handshake(), timeoutMs);
  } catch (error) {
    try {
      conn.close();
    } catch {
      // already closed
    }
    throw handshakeError(error, settings);
  }
  return conn;
}

/**
 * The roots to trust for HTTP to the room (file transfers): the `--ca`
 * authorities, or the pinned certificate itself, checked as for the chat.
 */
export async function trustedRoots(
  host: string,
  port: number,
  settings: TlsSettings,
  timeoutMs: number,
): Promise<string[]> {
  return settings.caCerts ?? [await pinnedCertificate(host, port, settings, timeoutMs)];
}

/**
 * Fetches the server's certificate and checks it against the pin: the
 * `--fingerprint`, else the known-hosts entry, else (first use) it becomes
 * the pin. Returns it as PEM, to be the one trusted root of the real connection.
 */
async function pinnedCertificate(
  host: string,
  port: number,
  settings: TlsSettings,
  timeoutMs: number,
): Promise<string> {
  const der = await peerCertificate(host, port, timeoutMs);
  const actual = await fingerprintOf(der);
  const target = hostPort(host, port);
  const remembered = await settings.knownHosts?.lookup(target);
  if (settings.fingerprint) {
    if (actual !== settings.fingerprint) {
      throw new CannotJoinError(
        `The server's certificate is not the one you asked for: its fingerprint is ${actual}, not ${settings.fingerprint}. ` +
          "Someone may be intercepting the connection, or the server has a new certificate: check with whoever runs it.",
      );
    }
    if (remembered !== actual) await settings.knownHosts?.remember(target, actual);
  } else if (remembered === undefined) {
    if (settings.onFirstUse && !await settings.onFirstUse(target, actual)) {
      throw new CannotJoinError(
        `The certificate of ${target} (${actual}) was not trusted, so nothing was sent. ` +
          'Compare it with the one "chat serve" printed, then join with --fingerprint.',
      );
    }
    await settings.knownHosts?.remember(target, actual);
  } else if (remembered !== actual) {
    throw new CannotJoinError(
      [
        `WARNING: THE CERTIFICATE OF ${target} HAS CHANGED. Nothing was sent.`,
        "Someone may be intercepting this connection, or the room has a new certificate.",
        `Remembered: ${remembered} (in ${settings.knownHosts?.path})`,
        `Presented:  ${actual}`,
        "Ask whoever runs the room for its fingerprint; if it is the new one, join with --fingerprint.",
      ].join("\n"),
    );
  }
  return pemEncode("CERTIFICATE", der);
}

/** Fetches the server's certificate (DER) without trusting it: a handshake, then goodbye. */
function peerCertificate(host: string, port: number, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ...(isIpAddress(host) ? {} : { servername: host }),
    });
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Deno.errors.TimedOut("no answer"))),
      timeoutMs,
    );
    socket.once("secureConnect", () => {
      const raw = socket.getPeerCertificate(true)?.raw;
      finish(() =>
        raw ? resolve(new Uint8Array(raw)) : reject(new Error("the server sent no certificate"))
      );
    });
    socket.once("error", (error: Error) => finish(() => reject(handshakeError(error, {}))));
  });
}

/** Turns a failed TLS handshake into an error a person can act on; connection errors pass through. */
function handshakeError(error: unknown, settings: TlsSettings): unknown {
  const code = (error as { code?: string }).code ?? "";
  if (/^E(CONNREFUSED|NOTFOUND|AI_AGAIN|TIMEDOUT|CONNRESET|HOSTUNREACH|NETUNREACH)$/.test(code)) {
    return error;
  }
  if (error instanceof Deno.errors.ConnectionRefused || error instanceof Deno.errors.TimedOut) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/certificate|issuer|CertNotValid|UnknownIssuer|NotValidForName|expired/i.test(message)) {
    return new CannotJoinError(
      settings.caCerts
        ? `The server's certificate is not signed by the authority given with --ca, or not issued for this host name (${message}).`
        : `The server's certificate could not be verified (${message}).`,
      { cause: error },
    );
  }
  return new CannotJoinError(
    'The server did not answer with TLS. If the room runs without --tls, join without "--tls".',
    { cause: error },
  );
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Deno.errors.TimedOut("no answer")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
