import { gunzipSync } from "node:zlib";
import { WEB_ASSETS } from "../src/web/assets.gen.ts";
import {
  assetReply,
  type AssetRequest,
  CONTENT_SECURITY_POLICY,
  isSameOrigin,
  negotiateEncoding,
} from "../src/web/http_headers.ts";
import { assert, assertEquals } from "./support/assert.ts";

const get = (path: string, extra: Partial<AssetRequest> = {}): AssetRequest => ({
  method: "GET",
  path,
  ifNoneMatch: null,
  acceptEncoding: null,
  ...extra,
});

Deno.test("negotiateEncoding prefers brotli, then gzip, and honours q=0", () => {
  assertEquals(negotiateEncoding(null), "identity");
  assertEquals(negotiateEncoding("gzip, deflate, br, zstd"), "br");
  assertEquals(negotiateEncoding("gzip"), "gzip");
  assertEquals(negotiateEncoding("br;q=0, gzip;q=0.5"), "gzip");
  assertEquals(negotiateEncoding("*"), "br");
  assertEquals(negotiateEncoding("*;q=0, gzip"), "gzip");
  assertEquals(negotiateEncoding("identity"), "identity");
  assertEquals(negotiateEncoding("gzip;q=0"), "identity");
});

Deno.test("every asset reply carries the security headers and a strict CSP", () => {
  for (const path of [...WEB_ASSETS.keys(), "/nope", "/../etc/passwd"]) {
    const reply = assetReply(WEB_ASSETS, get(path));
    assertEquals(reply.headers["content-security-policy"], CONTENT_SECURITY_POLICY, path);
    assertEquals(reply.headers["x-content-type-options"], "nosniff");
    assertEquals(reply.headers["referrer-policy"], "no-referrer");
  }
  assert(CONTENT_SECURITY_POLICY.includes("frame-ancestors 'none'"));
  assert(CONTENT_SECURITY_POLICY.includes("default-src 'none'"));
  assert(!CONTENT_SECURITY_POLICY.includes("unsafe"), "no unsafe-inline or unsafe-eval");
  assert(!/https?:|\*/.test(CONTENT_SECURITY_POLICY), "no other origins");
});

Deno.test("assets come compressed as negotiated, with a per-coding ETag and revalidation", () => {
  const plain = assetReply(WEB_ASSETS, get("/"));
  assertEquals(plain.status, 200);
  assertEquals(plain.headers["content-type"], "text/html; charset=utf-8");
  assertEquals(plain.headers["content-encoding"], undefined);
  assertEquals(plain.headers["cache-control"], "no-cache");
  assertEquals(plain.headers.vary, "Accept-Encoding");
  assertEquals(plain.headers["content-length"], String(plain.body!.length));

  const gzip = assetReply(WEB_ASSETS, get("/app.js", { acceptEncoding: "gzip" }));
  assertEquals(gzip.headers["content-encoding"], "gzip");
  assertEquals(
    new TextDecoder().decode(gunzipSync(gzip.body!)),
    new TextDecoder().decode(WEB_ASSETS.get("/app.js")!.body),
  );
  const br = assetReply(WEB_ASSETS, get("/app.js", { acceptEncoding: "gzip, br" }));
  assertEquals(br.headers["content-encoding"], "br");
  assert(br.headers.etag !== gzip.headers.etag, "each coding has its own ETag");

  const again = assetReply(
    WEB_ASSETS,
    get("/app.js", { acceptEncoding: "gzip, br", ifNoneMatch: `W/${br.headers.etag}` }),
  );
  assertEquals(again.status, 304);
  assertEquals(again.body, null);
  assertEquals(again.headers.etag, br.headers.etag);
  const stale = assetReply(WEB_ASSETS, get("/app.js", { ifNoneMatch: '"old"' }));
  assertEquals(stale.status, 200);
});

Deno.test("unknown paths get 404 and other methods 405, without details", () => {
  const missing = assetReply(WEB_ASSETS, get("/admin"));
  assertEquals(missing.status, 404);
  assertEquals(new TextDecoder().decode(missing.body!), "Not found.\n");
  const post = assetReply(WEB_ASSETS, get("/", { method: "POST" }));
  assertEquals(post.status, 405);
  assertEquals(post.headers.allow, "GET, HEAD");
  const head = assetReply(WEB_ASSETS, get("/index.html", { method: "HEAD" }));
  assertEquals(head.status, 200);
  assertEquals(head.body, null);
});

Deno.test("isSameOrigin accepts only the page's own origin", () => {
  assert(isSameOrigin("http://192.168.1.20:53000", "192.168.1.20:53000", false));
  assert(isSameOrigin("http://[::1]:53000", "[::1]:53000", false));
  assert(isSameOrigin("https://chat.example:53000", "chat.example:53000", true));
  assert(isSameOrigin("http://localhost", "localhost:80", false), "default port");
  assert(!isSameOrigin("http://evil.example", "192.168.1.20:53000", false));
  assert(!isSameOrigin("http://192.168.1.20:8080", "192.168.1.20:53000", false));
  assert(!isSameOrigin("https://192.168.1.20:53000", "192.168.1.20:53000", false));
  assert(!isSameOrigin("http://192.168.1.20:53000", "192.168.1.20:53000", true));
  assert(!isSameOrigin("null", "192.168.1.20:53000", false));
  assert(!isSameOrigin(null, "192.168.1.20:53000", false));
  assert(!isSameOrigin("http://a", null, false));
});
