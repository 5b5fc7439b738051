/**
 * The HTTP side of serving the browser page, as pure functions for the
 * server's HTTP handler: which asset a request gets, with which status and
 * headers (strict Content-Security-Policy, nosniff, no referrer, ETag
 * revalidation, gzip/brotli negotiation), and whether a WebSocket upgrade
 * comes from the page's own origin. Uses only APIs Deno and browsers share.
 *
 * @example
 * ```ts
 * const reply = assetReply(WEB_ASSETS, {
 *   method: request.method,
 *   path: new URL(request.url).pathname,
 *   ifNoneMatch: request.headers.get("if-none-match"),
 *   acceptEncoding: request.headers.get("accept-encoding"),
 * });
 * return new Response(reply.body, { status: reply.status, headers: reply.headers });
 * ```
 *
 * @module
 */

import type { WebAsset } from "./web_asset.ts";

/** The path of the page's WebSocket. */
export const WEB_SOCKET_PATH = "/ws";

/**
 * Nothing from other origins, no inline script or style, no framing, no
 * forms posting anywhere. `connect-src 'self'` covers the page's own
 * ws:/wss: origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers every HTTP response of the server carries, errors included. */
export function securityHeaders(): Record<string, string> {
  return {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
  };
}

/** A content coding the page's assets come in. */
export type Encoding = "br" | "gzip" | "identity";

/**
 * The best coding the client accepts (`Accept-Encoding`, q-values honoured):
 * brotli, then gzip, else none. `identity` is always acceptable here.
 */
export function negotiateEncoding(acceptEncoding: string | null): Encoding {
  if (!acceptEncoding) return "identity";
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (!coding) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(coding.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const accepts = (coding: string) => (weights.get(coding) ?? weights.get("*") ?? 0) > 0;
  if (accepts("br")) return "br";
  if (accepts("gzip")) return "gzip";
  return "identity";
}

/** What the handler needs from a request. */
export interface AssetRequest {
  method: string;
  /** The URL's path, without query. */
  path: string;
  /** The `If-None-Match` header. */
  ifNoneMatch: string | null;
  /** The `Accept-Encoding` header. */
  acceptEncoding: string | null;
}

/** What to answer: status, headers and body (`null` for none). */
export interface AssetReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/** The ETag of one coding of an asset: the same tag with the coding appended. */
function variantTag(etag: string, encoding: Encoding): string {
  return encoding === "identity" ? etag : `${etag.slice(0, -1)}-${encoding}"`;
}

/** True when `If-None-Match` lists `etag` (weak comparison, as RFC 9110 asks for) or `*`. */
function matchesTag(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

function plainReply(status: number, text: string, extra: Record<string, string> = {}): AssetReply {
  return {
    status,
    headers: {
      ...securityHeaders(),
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      ...extra,
    },
    body: new TextEncoder().encode(text),
  };
}

/**
 * The answer to a request for one of `assets`: 200 with the best coding,
 * 304 when the client's copy is current, 404 for unknown paths and 405 for
 * methods other than GET and HEAD (no details either way). Assets are
 * revalidated on every use (`no-cache`): their names carry no version.
 */
export function assetReply(
  assets: ReadonlyMap<string, WebAsset>,
  request: AssetRequest,
): AssetReply {
  const asset = assets.get(request.path === "/index.html" ? "/" : request.path);
  if (!asset) return plainReply(404, "Not found.\n");
  if (request.method !== "GET" && request.method !== "HEAD") {
    return plainReply(405, "Method not allowed.\n", { allow: "GET, HEAD" });
  }
  const encoding = negotiateEncoding(request.acceptEncoding);
  const etag = variantTag(asset.etag, encoding);
  const headers: Record<string, string> = {
    ...securityHeaders(),
    "cache-control": "no-cache",
    etag,
    vary: "Accept-Encoding",
  };
  if (request.ifNoneMatch !== null && matchesTag(request.ifNoneMatch, etag)) {
    return { status: 304, headers, body: null };
  }
  const body = encoding === "br" ? asset.brotli : encoding === "gzip" ? asset.gzip : asset.body;
  headers["content-type"] = asset.contentType;
  headers["content-length"] = String(body.length);
  if (encoding !== "identity") headers["content-encoding"] = encoding;
  return { status: 200, headers, body: request.method === "HEAD" ? null : body };
}

/**
 * True when a WebSocket upgrade comes from the page's own origin: `Origin`
 * is `http://HOST` (or `https://` when the server speaks TLS) for the
 * request's `Host`. A missing Origin is refused: browsers always send it,
 * and other programs speak the TCP protocol instead.
 */
export function isSameOrigin(origin: string | null, host: string | null, secure: boolean): boolean {
  if (!origin || !host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const scheme = secure ? "https:" : "http:";
  if (parsed.protocol !== scheme || parsed.origin === "null") return false;
  let expected: URL;
  try {
    expected = new URL(`${scheme}//${host}`);
  } catch {
    return false;
  }
  return parsed.host === expected.host;
}
