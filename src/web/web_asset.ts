/**
 * One file of the browser page as the server holds it: its bytes, content
 * type, ETag and precompressed gzip and brotli forms. The generated module
 * `assets.gen.ts` builds these from literals, so the compiled binary carries
 * the page and reads no file at run time. Uses only APIs that Deno and
 * browsers share.
 *
 * @module
 */

/** A file of the page, ready to serve. */
export interface WebAsset {
  /** The `Content-Type` header. */
  contentType: string;
  /** The file itself. */
  body: Uint8Array;
  /** Strong ETag of `body` (quoted), without encoding suffix. */
  etag: string;
  /** `body` compressed with gzip. */
  gzip: Uint8Array;
  /** `body` compressed with brotli. */
  brotli: Uint8Array;
}

/** How the generated module writes an asset: text as it is, compressed forms in base64. */
export interface WebAssetSource {
  contentType: string;
  text: string;
  etag: string;
  gzip: string;
  brotli: string;
}

/** Turns the generated module's literal into a {@linkcode WebAsset}. */
export function webAsset(source: WebAssetSource): WebAsset {
  return {
    contentType: source.contentType,
    body: new TextEncoder().encode(source.text),
    etag: source.etag,
    gzip: fromBase64(source.gzip),
    brotli: fromBase64(source.brotli),
  };
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
