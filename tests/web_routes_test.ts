import { webResponse } from "../src/web/web_routes.ts";
import { CONTENT_SECURITY_POLICY } from "../src/web/http_headers.ts";
import { startWebBridge } from "./support/web_bridge.ts";
import { assert, assertEquals } from "./support/assert.ts";

const HOST = "192.168.1.20:53000";

function request(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return new Request(`http://${HOST}${path}`, {
    ...init,
    headers: { host: HOST, ...init.headers },
  });
}

const upgrade = (origin?: string) => ({
  headers: {
    upgrade: "websocket",
    connection: "Upgrade",
    ...(origin === undefined ? {} : { origin }),
  },
});

Deno.test("a WebSocket upgrade at /ws is accepted only from the page's own origin", () => {
  assertEquals(
    webResponse(request("/ws", upgrade(`http://${HOST}`)), { secure: false }),
    "upgrade",
  );
  const refused = [
    webResponse(request("/ws", upgrade("http://evil.example")), { secure: false }),
    webResponse(request("/ws", upgrade()), { secure: false }),
    webResponse(request("/ws", upgrade(`http://${HOST}`)), { secure: true }),
  ];
  for (const answer of refused) {
    assert(answer instanceof Response);
    assertEquals(answer.status, 403);
    assertEquals(answer.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);
  }
  assertEquals(
    webResponse(request("/ws", upgrade(`https://${HOST}`)), { secure: true }),
    "upgrade",
  );
  const plain = webResponse(request("/ws"), { secure: false }) as Response;
  assertEquals(plain.status, 426);
  const post = webResponse(request("/ws", { method: "POST", ...upgrade(`http://${HOST}`) }), {
    secure: false,
  }) as Response;
  assertEquals(post.status, 405);
});

Deno.test("over real HTTP: the page, compressed and revalidated; 404 and 405 for the rest", async () => {
  const bridge = startWebBridge(() => 0);
  try {
    const page = await fetch(bridge.url, { headers: { "accept-encoding": "br" } });
    assertEquals(page.status, 200);
    assertEquals(page.headers.get("content-encoding"), "br");
    assertEquals(page.headers.get("x-content-type-options"), "nosniff");
    assertEquals(page.headers.get("referrer-policy"), "no-referrer");
    assert((await page.text()).includes('<script type="module" src="/app.js">'));
    const etag = page.headers.get("etag")!;
    const again = await fetch(bridge.url, {
      headers: { "accept-encoding": "br", "if-none-match": etag },
    });
    assertEquals(again.status, 304);
    await again.body?.cancel();
    const script = await fetch(new URL("/app.js", bridge.url));
    assertEquals(script.headers.get("content-type"), "text/javascript; charset=utf-8");
    await script.body?.cancel();
    const missing = await fetch(new URL("/.env", bridge.url));
    assertEquals([missing.status, await missing.text()], [404, "Not found.\n"]);
    const post = await fetch(bridge.url, { method: "POST", body: "x" });
    assertEquals(post.status, 405);
    await post.body?.cancel();
  } finally {
    await bridge.close();
  }
});
