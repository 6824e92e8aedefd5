// README.md's server examples, run as written against the real service: the
// admin block (mint, revoke) and the Next.js route handler (POST, GET,
// DELETE), the latter called with standard Request objects as Next.js does.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@guest-access/client";
import { janeOrder, maxOrder } from "./helpers/orders.js";
import { relaxedPolicy, startServe } from "./helpers/service.js";
import { importModule, readmeBlock } from "./helpers/snippets.js";

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

describe("README: the Next.js route handler", () => {
  let route;
  before(async () => {
    route = await importModule(readmeBlock("example:next-route"), "");
  });

  const url = "https://shop.example/api/guest-order";
  const post = (body, headers = {}) =>
    new Request(url, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.1, 203.0.113.77", ...headers }, body: JSON.stringify(body) });

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

    const out = await route.DELETE(new Request(url, { method: "DELETE", headers: cookie }));
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie"), /^guest_order_token=; Max-Age=0;/);
    const refused = await route.GET(new Request(url, { headers: cookie }));
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.code, "unauthorized");
  });

  test("a wrong code gets the generic sentence and 401; no cookie", async () => {
    const answer = await route.POST(post({ orderNumber: janeOrder.orderNumber, email: janeOrder.email, code: "000000" }));
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get("set-cookie"), null);
    assert.deepEqual(await answer.json(), { error: { code: "invalid_code", message: "That code didn't work. Check it or ask for a new one." } });
  });

  test("a malformed body is the service's 400, and GET without a cookie is 401", async () => {
    const bad = await route.POST(new Request(url, { method: "POST", body: "not json" }));
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_request");
    const anonymous = await route.GET(new Request(url));
    assert.equal(anonymous.status, 401);
  });
});
