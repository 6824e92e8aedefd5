// README.md's server examples, run as written against the real service: the
// admin block (mint, revoke) and the Next.js route handler (POST, GET,
// DELETE), the latter called with standard Request objects as Next.js does,
// through a proxy that records what reaches the service: cross-site and
// text/plain POSTs must reach nothing, and the X-Forwarded-For a request
// arrives with must never be passed on.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@guest-access/client";
import { janeOrder, maxOrder } from "./helpers/orders.js";
import { relaxedPolicy, startServe } from "./helpers/service.js";
import { importModule, readmeBlock } from "./helpers/snippets.js";
import { closedPort } from "./helpers/peers.js";
import { createServer, request as httpRequest } from "node:http";
import { once } from "node:events";

let service;
const saved = {};
before(async () => {
  service = await startServe({ orders: [janeOrder, maxOrder], policy: relaxedPolicy });
  for (const name of ["GUEST_ACCESS_URL", "GUEST_ACCESS_ADMIN_KEY"]) saved[name] = process.env[name];
  process.env.GUEST_ACCESS_URL = service.baseUrl;
  process.env.GUEST_ACCESS_ADMIN_KEY = service.adminKey;
});
after(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await service?.stop();
});

describe("README: the admin example", () => {
  test("mints a tracking link, then revokes the order", async () => {
    const mod = await importModule(readmeBlock("example:admin"), "export { data, error, trackingUrl, revoked };");
    assert.equal(mod.error, null);
    assert.ok(mod.trackingUrl.startsWith("https://shop.example/track/gt_"), "a tracking link with the minted token");
    assert.deepEqual(mod.revoked, { data: null, error: null });
    const client = createClient({ baseUrl: service.baseUrl });
    const { error } = await client.orders.track(mod.data.trackingToken);
    assert.equal(error.code, "not_found", "the revoke cut the token the example minted");
  });
});

/** An HTTP proxy in front of the service that records what reaches it (method, path, headers). */
async function recordingProxy(target) {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method, path: req.url, headers: req.headers });
    const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    async close() {
      server.closeAllConnections?.();
      server.close();
      await once(server, "close");
    },
  };
}

/** The README's route module, imported with these environment variables set (it reads them at import, as in Next.js). */
async function importRoute(env) {
  const before = {};
  for (const [name, value] of Object.entries(env)) {
    before[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await importModule(readmeBlock("example:next-route"), "");
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const APP = "https://shop.example";
const url = `${APP}/api/guest-order`;
const sameOrigin = { "sec-fetch-site": "same-origin" };
const post = (body, headers = {}) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...sameOrigin, ...headers }, body: JSON.stringify(body) });

describe("README: the Next.js route handler", () => {
  let route;
  let proxy;
  before(async () => {
    proxy = await recordingProxy(service.baseUrl);
    route = await importRoute({ GUEST_ACCESS_URL: proxy.url, APP_ORIGIN: APP, TRUSTED_CLIENT_IP_HEADER: undefined });
  });
  after(() => proxy?.close());

  test("POST asks for a code, POST with the code sets an HttpOnly cookie, GET re-fetches, DELETE signs out", async () => {
    const order = { orderNumber: maxOrder.orderNumber, email: maxOrder.email };
    let askedAnswer;
    const code = await service.codeAfter(maxOrder.orderNumber, async () => {
      askedAnswer = await route.POST(post(order));
    });
    assert.equal(askedAnswer.status, 202);
    assert.deepEqual(await askedAnswer.json(), { status: "accepted" });
    assert.equal(askedAnswer.headers.get("cache-control"), "no-store");

    const verified = await route.POST(post({ ...order, code }));
    assert.equal(verified.status, 200);
    const body = await verified.json();
    assert.equal(body.order.orderNumber, maxOrder.orderNumber);
    assert.equal(body.order.email, maxOrder.email);
    assert.ok(!JSON.stringify(body).includes("eyJ"), "the token is not in the body");
    const setCookie = verified.headers.get("set-cookie");
    const [pair, ...attributes] = setCookie.split("; ");
    assert.ok(pair.startsWith("guest_order_token=eyJ"), "the access token goes into the cookie");
    assert.deepEqual(attributes, ["Max-Age=1800", "Path=/api/guest-order", "HttpOnly", "Secure", "SameSite=Strict"]);

    const cookie = { cookie: `theme=dark; ${pair}` };
    const again = await route.GET(new Request(url, { headers: cookie }));
    assert.equal(again.status, 200);
    assert.deepEqual((await again.json()).order, body.order);

    const out = await route.DELETE(new Request(url, { method: "DELETE", headers: { ...cookie, ...sameOrigin } }));
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie"), /^guest_order_token=; Max-Age=0;/);
    const refused = await route.GET(new Request(url, { headers: cookie }));
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.code, "unauthorized");
    assert.match(refused.headers.get("set-cookie") ?? "", /^guest_order_token=; Max-Age=0;/, "GET clears a cookie the service refuses");
    const outAgain = await route.DELETE(new Request(url, { method: "DELETE", headers: { ...cookie, ...sameOrigin } }));
    assert.equal(outAgain.status, 204, "a token already refused (401) signs out too");
    assert.match(outAgain.headers.get("set-cookie"), /^guest_order_token=; Max-Age=0;/);
  });

  test("a cross-site POST and a text/plain POST are refused, and reach nothing", async () => {
    const sent = proxy.seen.length;
    const order = { orderNumber: maxOrder.orderNumber, email: maxOrder.email };
    const crossSite = await route.POST(post(order, { "sec-fetch-site": "cross-site", origin: "https://evil.example" }));
    assert.equal(crossSite.status, 403);
    const sameSite = await route.POST(post(order, { "sec-fetch-site": "same-site", origin: "https://blog.shop.example" }));
    assert.equal(sameSite.status, 403, "a sibling subdomain is not this origin");
    // What a form on another site can send without any CORS preflight.
    const form = await route.POST(
      new Request(url, { method: "POST", headers: { "content-type": "text/plain", "sec-fetch-site": "cross-site" }, body: JSON.stringify(order) }),
    );
    assert.equal(form.status, 403);
    const plain = await route.POST(new Request(url, { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8", ...sameOrigin }, body: JSON.stringify(order) }));
    assert.equal(plain.status, 415, "request.json() would parse a text/plain body: the route requires application/json");
    const noHints = await route.POST(new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(order) }));
    assert.equal(noHints.status, 403, "neither Sec-Fetch-Site nor Origin: refused");
    const signOut = await route.DELETE(new Request(url, { method: "DELETE", headers: { cookie: "guest_order_token=x", "sec-fetch-site": "cross-site" } }));
    assert.equal(signOut.status, 403);
    assert.equal(signOut.headers.get("set-cookie"), null);
    assert.equal(proxy.seen.length, sent, "none of them reached guest-access");
  });

  test("a browser without Sec-Fetch-Site is served when Origin is the app's own", async () => {
    const answer = await route.POST(
      new Request(url, { method: "POST", headers: { "content-type": "application/json", origin: APP }, body: JSON.stringify({ orderNumber: janeOrder.orderNumber, email: "nobody@example.com" }) }),
    );
    assert.equal(answer.status, 202);
    const other = await route.POST(
      new Request(url, { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: "{}" }),
    );
    assert.equal(other.status, 403);
  });

  test("the X-Forwarded-For a request arrives with is never passed on", async () => {
    const sent = proxy.seen.length;
    await route.POST(post({ orderNumber: janeOrder.orderNumber, email: "nobody@example.com" }, { "x-forwarded-for": "198.51.100.1, 203.0.113.77" }));
    const reached = proxy.seen.slice(sent);
    assert.equal(reached.length, 1);
    assert.equal(reached[0].headers["x-forwarded-for"], undefined);
  });

  test("with TRUSTED_CLIENT_IP_HEADER, that header's single address is passed on as X-Forwarded-For", async () => {
    const trusted = await importRoute({ GUEST_ACCESS_URL: proxy.url, APP_ORIGIN: APP, TRUSTED_CLIENT_IP_HEADER: "x-real-ip" });
    const ask = (headers) => trusted.POST(post({ orderNumber: janeOrder.orderNumber, email: "nobody@example.com" }, headers));
    const sent = proxy.seen.length;
    await ask({ "x-real-ip": "203.0.113.77", "x-forwarded-for": "198.51.100.1" });
    await ask({ "x-real-ip": "203.0.113.77, 198.51.100.1" });
    await ask({});
    const forwarded = proxy.seen.slice(sent).map((r) => r.headers["x-forwarded-for"]);
    assert.deepEqual(forwarded, ["203.0.113.77", undefined, undefined], "one address or nothing; never a list");
  });

  test("a wrong code gets the generic sentence and 401; no cookie", async () => {
    const answer = await route.POST(post({ orderNumber: janeOrder.orderNumber, email: janeOrder.email, code: "000000" }));
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get("set-cookie"), null);
    assert.deepEqual(await answer.json(), { error: { code: "invalid_code", message: "That code didn't work. Check it or ask for a new one." } });
  });

  test("a malformed body is 400, and GET without a cookie is 401", async () => {
    const bad = await route.POST(new Request(url, { method: "POST", headers: { "content-type": "application/json", ...sameOrigin }, body: "not json" }));
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_request");
    const badNumber = await route.POST(post({ orderNumber: "../x", email: janeOrder.email }));
    assert.equal(badNumber.status, 400);
    const anonymous = await route.GET(new Request(url));
    assert.equal(anonymous.status, 401);
  });

  test("guest-access unreachable: a generic 503 without network_error details, and DELETE keeps the cookie", async () => {
    const down = await importRoute({ GUEST_ACCESS_URL: `http://127.0.0.1:${await closedPort()}`, APP_ORIGIN: APP, TRUSTED_CLIENT_IP_HEADER: undefined });
    const cookie = { cookie: "guest_order_token=eyJ.still.valid" };
    const got = await down.GET(new Request(url, { headers: cookie }));
    assert.equal(got.status, 503);
    const text = await got.text();
    assert.ok(!text.includes("network_error") && !text.includes("127.0.0.1"), text);
    assert.equal(got.headers.get("set-cookie"), null, "GET keeps the cookie when the service did not refuse it");
    const out = await down.DELETE(new Request(url, { method: "DELETE", headers: { ...cookie, ...sameOrigin } }));
    assert.equal(out.status, 503, "the sign-out did not happen, and the shopper is told");
    assert.equal(out.headers.get("set-cookie"), null, "the cookie stays, so the shopper can sign out again");
  });
});
