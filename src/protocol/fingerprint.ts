/**
 * Certificate fingerprints, written the way ssh writes host key fingerprints:
 * `SHA256:` and the unpadded base64 of the SHA-256 of the DER certificate.
 * The hex form openssl prints (`AB:CD:…`) is accepted on input too.
 *
 * @example
 * ```ts
 * normalizeFingerprint("sha256:" + "A".repeat(43)); // "SHA256:AAAA…"
 * ```
 *
 * @module
 */

/** The fingerprint of a DER certificate. */
export async function fingerprintOf(der: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der as BufferSource));
  return `SHA256:${btoa(String.fromCharCode(...digest)).replace(/=+$/, "")}`;
}

/**
 * Brings a fingerprint a person pasted into the canonical form, or returns
 * `undefined` when it is not a SHA-256 fingerprint in either form.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const trimmed = text.trim();
  const base64 = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(trimmed);
  if (base64) return `SHA256:${base64[1]}`;
  const hex = trimmed.replace(/^sha256[:=]?/i, "").replace(/[:\s]/g, "");
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  const bytes = hex.match(/../g)!.map((pair) => parseInt(pair, 16));
  return `SHA256:${btoa(String.fromCharCode(...bytes)).replace(/=+$/, "")}`;
}
