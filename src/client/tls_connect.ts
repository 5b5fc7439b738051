/**
 * TLS connections to a room. A room with a certificate from a public
 * authority is checked the usual way (authority and host name). A room with
 * the self-signed certificate `chat serve --tls` makes is checked against
 * the fingerprint its banner prints, the way ssh pins a host key: a first
 * handshake only fetches the certificate and compares its SHA-256; the
 * connection that carries the chat is then made with that very certificate
 * as the one trusted root, so rustls verifies that the server holds its key.
 * Nothing is sent before the certificate has been checked.
 *
 * @module
 */

import * as tls from "node:tls";
import { fingerprintOf } from "../protocol/fingerprint.ts";
import { CannotJoinError } from "./join_errors.ts";

/** How to check the server's certificate. */
export interface TlsSettings {
  /** The pinned certificate fingerprint (canonical `SHA256:…`); absent: trust authorities. */
  fingerprint?: string;
}

/** Connects with TLS and completes the handshake, checking the certificate as `settings` say. */
export async function connectTls(
  host: string,
  port: number,
  settings: TlsSettings,
  timeoutMs: number,
): Promise<Deno.TlsConn> {
  let caCerts: string[] | undefined;
  if (settings.fingerprint) {
    const der = await peerCertificate(host, port, timeoutMs);
    const actual = await fingerprintOf(der);
    if (actual !== settings.fingerprint) {
      throw new CannotJoinError(
        `The server's certificate is not the one you asked for: its fingerprint is ${actual}, not ${settings.fingerprint}. ` +
          "Someone may be intercepting the connection, or the server has a new certificate: check with whoever runs it.",
      );
    }
    caCerts = [pemCertificate(der)];
  }
  const conn = await Deno.connectTls({
    hostname: host,
    port,
    ...(caCerts ? { caCerts, unsafelyDisableHostnameVerification: true } : {}),
  });
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
      settings.fingerprint
        ? `The server's certificate could not be verified (${message}).`
        : "The server's certificate is not signed by an authority this computer trusts. " +
          'If it is a "chat serve --tls" room, join with the --fingerprint its banner shows.',
      { cause: error },
    );
  }
  return new CannotJoinError(
    'The server did not answer with TLS. If the room runs without --tls, join without "--tls".',
    { cause: error },
  );
}

function pemCertificate(der: Uint8Array): string {
  const lines = btoa(Array.from(der, (byte) => String.fromCharCode(byte)).join(""))
    .match(/.{1,64}/g)!;
  return ["-----BEGIN CERTIFICATE-----", ...lines, "-----END CERTIFICATE-----", ""].join("\n");
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
