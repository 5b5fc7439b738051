/**
 * The server's TLS identity: a certificate and key given by the operator, or
 * a self-signed one created on first run and kept in the data directory, so
 * its fingerprint stays the same across restarts and clients can pin it.
 *
 * @module
 */

import "reflect-metadata"; // @peculiar/x509 needs the Reflect metadata API loaded first.
import * as x509 from "@peculiar/x509";
import { join } from "node:path";
import { fingerprintOf } from "../protocol/fingerprint.ts";
import { pemDecode, pemEncode } from "../protocol/pem.ts";

/** A certificate with its key, both PEM, and the certificate's SHA-256 fingerprint. */
export interface TlsIdentity {
  cert: string;
  key: string;
  /** `SHA256:` and the base64 of the DER certificate's SHA-256, as `chat join --fingerprint` takes it. */
  fingerprint: string;
  /** True when this run created the certificate. */
  created: boolean;
}

const SIGNING = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/** Loads the operator's certificate and key (PEM files). */
export async function loadIdentity(certPath: string, keyPath: string): Promise<TlsIdentity> {
  const cert = await Deno.readTextFile(certPath);
  const key = await Deno.readTextFile(keyPath);
  return { cert, key, fingerprint: await fingerprintOf(pemDecode(cert)), created: false };
}

/**
 * Loads the self-signed identity kept in `dir`, creating it (and `dir`) on
 * first use. The key file is readable by its owner only.
 */
export async function selfSignedIdentity(dir: string, hostnames: string[]): Promise<TlsIdentity> {
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  try {
    return { ...(await loadIdentity(certPath, keyPath)), created: false };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const { cert, key } = await createSelfSigned(hostnames);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 }); // shared with the private history
  await Deno.writeTextFile(keyPath, key, { mode: 0o600 });
  await Deno.writeTextFile(certPath, cert);
  return { cert, key, fingerprint: await fingerprintOf(pemDecode(cert)), created: true };
}

/** Creates a self-signed ECDSA P-256 certificate for `hostnames` (names or IP addresses). */
export async function createSelfSigned(
  hostnames: string[],
): Promise<{ cert: string; key: string }> {
  const keys = await crypto.subtle.generateKey(SIGNING, true, ["sign", "verify"]);
  const now = Date.now();
  const names = hostnames.map((value) =>
    /^[\d.]+$|:/.test(value) ? { type: "ip" as const, value } : { type: "dns" as const, value }
  );
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=chat server",
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { cert: certificate.toString("pem"), key: pemEncode("PRIVATE KEY", pkcs8) };
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // a positive serial number
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
