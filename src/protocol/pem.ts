/**
 * PEM, the text wrapping of certificates and keys: base64 of the DER bytes
 * between `-----BEGIN LABEL-----` and `-----END LABEL-----` lines.
 *
 * @module
 */

/** Wraps DER bytes as a PEM block with the given label (`CERTIFICATE`, `PRIVATE KEY`). */
export function pemEncode(label: string, der: Uint8Array): string {
  const base64 = btoa(Array.from(der, (byte) => String.fromCharCode(byte)).join(""));
  return `-----BEGIN ${label}-----\n${
    base64.match(/.{1,64}/g)!.join("\n")
  }\n-----END ${label}-----\n`;
}

/** The DER bytes of the first PEM block with `label` in `text`; throws when there is none. */
export function pemDecode(text: string, label = "CERTIFICATE"): Uint8Array {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(text);
  if (!match) throw new Error(`no PEM ${label.toLowerCase()} found`);
  return Uint8Array.from(atob(match[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}
