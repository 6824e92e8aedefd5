// The guest calls against the real service (`guest-access demo`, demo orders,
// file mailer), with per-client limits raised so the suite's own pace never
// meets them (test/limits.test.js covers those).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@guest-access/client";
import { relaxedPolicy, startDemo } from "./helpers/service.js";

const JANE = { orderNumber: "ORD-2026-0042", email: "jane.doe@example.com" };
const trackingKeys = ["orderNumber", "status", "paymentStatus", "fulfillmentStatus", "currency", "grandTotal", "emailMasked", "shippingCity", "shippingCountry", "items", "createdAt"];
const detailKeys = new Set(["orderNumber", "status", "paymentStatus", "fulfillmentStatus", "currency", "subtotal", "shippingAmount", "taxAmount", "discountAmount", "grandTotal", "email", "phone", "shippingAddress", "billingAddress", "items", "fulfillments", "createdAt", "updatedAt"]);
const errorKeys = new Set(["code", "message", "status", "retryAfter", "requestId", "cause"]);

let service;
let client;
let tokens;

before(async () => {
  service = await startDemo({ policy: relaxedPolicy });
  client = createClient({ baseUrl: service.baseUrl });
  tokens = service.demoTrackingTokens();
  assert.equal(tokens.size, 3, "the demo prints a tracking token for each of its 3 orders");
});
after(() => service?.stop());

/** A verified access token for Jane's order, through the SDK. */
async function verifyJane(c = client) {
  const code = await service.codeAfter(JANE.orderNumber, async () => {
    const asked = await c.orders.requestAccessCode(JANE.orderNumber, JANE.email);
    assert.equal(asked.error, null);
  });
  const result = await c.orders.verifyAccessCode(JANE.orderNumber, JANE.email, code);
  assert.equal(result.error, null, "the right code verifies");
  return result.data;
}

function assertOnlyErrorKeys(error) {
  for (const key of Object.keys(error)) assert.ok(errorKeys.has(key), `unexpected error field ${key}`);
}

describe("orders.track", () => {
  test("a demo tracking token resolves to the masked view, and nothing more", async () => {
    const result = await client.orders.track(tokens.get(JANE.orderNumber));
    assert.equal(result.error, null);
    const order = result.data;
    assert.deepEqual(Object.keys(order).sort(), [...trackingKeys].sort(), "exactly the contract's tracking fields");
    assert.equal(order.orderNumber, JANE.orderNumber);
    assert.equal(order.status, "SHIPPED");
    assert.equal(order.paymentStatus, "PAID");
    assert.equal(order.fulfillmentStatus, "FULFILLED");
    assert.equal(order.currency, "USD");
    assert.equal(order.grandTotal, 5397);
    assert.equal(order.emailMasked, "j***@e***.com");
    assert.equal(order.shippingCity, "Portland");
    assert.equal(order.shippingCountry, "US");
    assert.deepEqual(Object.keys(order.items[0]).sort(), ["imageUrl", "name", "quantity"]);
    assert.ok(!JSON.stringify(order).includes(JANE.email), "the full email never appears in the tracking view");
  });

  test("every demo order's statuses are values of the contract's unions", async () => {
    for (const [number, token] of tokens) {
      const { data, error } = await client.orders.track(token);
      assert.equal(error, null, number);
      assert.ok(["PENDING", "CONFIRMED", "PROCESSING", "SHIPPED", "DELIVERED", "CANCELLED", "REFUNDED"].includes(data.status));
      assert.ok(["UNPAID", "PAID", "PARTIALLY_PAID", "REFUNDED", "VOIDED"].includes(data.paymentStatus));
      assert.ok(["UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED"].includes(data.fulfillmentStatus));
      assert.match(data.emailMasked, /^.\*\*\*@.\*\*\*/);
    }
  });

  test("an unknown token is not_found (404), never a throw", async () => {
    const { data, error } = await client.orders.track("gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(data, null);
    assert.equal(error.code, "not_found");
    assert.equal(error.status, 404);
    assert.equal(error.message, "Not found.");
    assert.match(error.requestId, /^\S+$/, "the answer's X-Request-Id is passed on");
    assert.equal(error.retryAfter, undefined);
    assertOnlyErrorKeys(error);
  });

  test("a token with path characters is sent as one encoded segment", async () => {
    const seen = [];
    const spy = createClient({ baseUrl: service.baseUrl, fetch: (url, init) => (seen.push(url), fetch(url, init)) });
    const { error } = await spy.orders.track("../healthz?x=1#y");
    assert.equal(error.code, "not_found", "the service sees a (bad) tracking token, not /healthz");
    assert.equal(seen[0], `${service.baseUrl}/v1/tracking/..%2Fhealthz%3Fx%3D1%23y`);
  });
});

describe("verified guest access", () => {
  test("requestAccessCode: the same accepted answer whether or not a code is sent", async () => {
    const sentBefore = service.messageCount(JANE.orderNumber);
    const right = await client.orders.requestAccessCode(JANE.orderNumber, "  Jane.Doe@EXAMPLE.com ");
    const wrongEmail = await client.orders.requestAccessCode(JANE.orderNumber, "someone.else@example.com");
    const unknownOrder = await client.orders.requestAccessCode("ORD-1999-0001", JANE.email);
    for (const result of [right, wrongEmail, unknownOrder]) assert.deepEqual(result, { data: { status: "accepted" }, error: null });
    // Only the first (trimmed, case-insensitive match) sends a code.
    const deadline = Date.now() + 5000;
    while (service.messageCount(JANE.orderNumber) === sentBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(service.messageCount(JANE.orderNumber), sentBefore + 1, "exactly one code went out");
    assert.equal(service.messageCount("ORD-1999-0001"), 0);
  });

  test("verifyAccessCode → accessToken, expiresIn 1800, the full order; getByAccessToken; signOut", async () => {
    const access = await verifyJane();
    assert.deepEqual(Object.keys(access).sort(), ["accessToken", "expiresIn", "order", "tokenType"]);
    // assert.ok, not assert.match: a failure must not print the token.
    assert.ok(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(access.accessToken), "a compact JWS");
    const header = JSON.parse(Buffer.from(access.accessToken.split(".")[0], "base64url").toString());
    assert.equal(header.alg, "HS256");
    const claims = JSON.parse(Buffer.from(access.accessToken.split(".")[1], "base64url").toString());
    assert.equal(claims.sub, JANE.orderNumber);
    assert.equal(claims.exp - claims.iat, 1800);
    assert.equal(access.tokenType, "Bearer");
    assert.equal(access.expiresIn, 1800);
    for (const key of Object.keys(access.order)) assert.ok(detailKeys.has(key), `OrderDetail has no ${key}`);
    assert.equal(access.order.orderNumber, JANE.orderNumber);
    assert.equal(access.order.email, JANE.email);
    assert.equal(access.order.shippingAddress.postalCode, "97201");
    assert.equal(access.order.items[0].unitPrice, 2999);
    assert.ok(access.order.fulfillments[0].deliveredAt == null, "not delivered yet: deliveredAt absent or null");

    const refetch = await client.orders.getByAccessToken(access.accessToken);
    assert.equal(refetch.error, null);
    assert.deepEqual(refetch.data, access.order, "the re-fetch is the same full order");

    const out = await client.orders.signOut(access.accessToken);
    assert.deepEqual(out, { data: null, error: null });
    const after = await client.orders.getByAccessToken(access.accessToken);
    assert.equal(after.data, null);
    assert.equal(after.error.code, "unauthorized");
    assert.equal(after.error.status, 401);
    const again = await client.orders.signOut(access.accessToken);
    assert.equal(again.error.code, "unauthorized", "a signed-out token cannot sign out twice");
  });

  test("every verification failure is the same generic invalid_code (401)", async () => {
    const code = await service.codeAfter(JANE.orderNumber, () => client.orders.requestAccessCode(JANE.orderNumber, JANE.email));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    const failures = [
      await client.orders.verifyAccessCode(JANE.orderNumber, JANE.email, wrong),
      await client.orders.verifyAccessCode(JANE.orderNumber, "someone.else@example.com", code),
      await client.orders.verifyAccessCode("ORD-1999-0001", JANE.email, code),
      await client.orders.verifyAccessCode("ORD-2026-0044", "a@mail.shop.example.co.uk", "000000"),
    ];
    for (const { data, error } of failures) {
      assert.equal(data, null);
      assertOnlyErrorKeys(error);
      const { requestId, ...rest } = error;
      assert.match(requestId, /^\S+$/);
      assert.deepEqual(rest, { code: "invalid_code", message: "The code is invalid or has expired.", status: 401 });
    }
    // One wrong guess did not burn the code: the right one still works, once.
    const ok = await client.orders.verifyAccessCode(JANE.orderNumber, JANE.email, code);
    assert.equal(ok.error, null);
    const reuse = await client.orders.verifyAccessCode(JANE.orderNumber, JANE.email, code);
    assert.equal(reuse.error.code, "invalid_code", "a code is single-use");
  });

  test("malformed input is invalid_request (400) with the service's sentence; a malformed order number never leaves the SDK", async () => {
    const badEmail = await client.orders.requestAccessCode(JANE.orderNumber, "not-an-email");
    assert.equal(badEmail.error.code, "invalid_request");
    assert.equal(badEmail.error.status, 400);
    assert.match(badEmail.error.message, /email/);
    const badCode = await client.orders.verifyAccessCode(JANE.orderNumber, JANE.email, "12ab56");
    assert.equal(badCode.error.code, "invalid_request");
    const malformedNumber = await client.orders.requestAccessCode("ORD 42/..", JANE.email);
    assert.deepEqual([malformedNumber.error.code, malformedNumber.error.status], ["invalid_argument", 0], "an order number off openapi.yaml's pattern is refused before sending");
  });

  test("getByAccessToken with a missing, forged or tampered token is unauthorized (401)", async () => {
    const access = await verifyJane();
    const [h, p, s] = access.accessToken.split(".");
    const tampered = `${h}.${p}.${s.slice(0, -2)}${s.endsWith("AA") ? "BB" : "AA"}`;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${p}.`;
    for (const token of ["", "not-a-token", tampered, none]) {
      const { data, error } = await client.orders.getByAccessToken(token);
      assert.equal(data, null);
      assert.equal(error.code, "unauthorized");
      assert.equal(error.status, 401);
      assert.equal(error.message, "Missing or invalid credentials.");
    }
    const bad = await client.orders.getByAccessToken("line\nbreak");
    assert.deepEqual(
      { code: bad.error.code, status: bad.error.status },
      { code: "invalid_argument", status: 0 },
      "a token HTTP cannot carry is refused before sending, not thrown",
    );
    await client.orders.signOut(access.accessToken);
  });
});

describe("client options", () => {
  test("client headers and per-call headers reach the service; the SDK's own cannot be replaced", async () => {
    const sent = [];
    const spy = createClient({
      baseUrl: `${service.baseUrl}/`,
      headers: { "User-Agent": "sdk-test/1", "X-Shop": "client-level" },
      fetch: (url, init) => {
        sent.push({ url, init });
        return fetch(url, init);
      },
    });
    const access = await verifyJane(spy);
    const refetch = await spy.orders.getByAccessToken(access.accessToken, {
      headers: { "x-shop": "per-call", Authorization: "Bearer someone-elses-token", "X-Forwarded-For": "203.0.113.9" },
    });
    assert.equal(refetch.error, null, "the per-call Authorization did not replace the access token");
    const last = sent[sent.length - 1];
    assert.equal(last.url, `${service.baseUrl}/v1/guest/order`, "a trailing slash on baseUrl is dropped");
    assert.equal(last.init.method, "GET");
    assert.equal(last.init.redirect, "manual");
    assert.equal(last.init.credentials, "omit");
    const headers = new Headers(last.init.headers);
    assert.equal(headers.get("user-agent"), "sdk-test/1");
    assert.equal(headers.get("x-shop"), "per-call", "per-call headers win, case-insensitively");
    assert.equal(headers.get("x-forwarded-for"), "203.0.113.9");
    assert.equal(headers.get("authorization"), `Bearer ${access.accessToken}`);
    assert.equal(headers.get("accept"), "application/json");
    const verifyCall = sent.find((c) => c.url.endsWith("/v1/access-codes/verify"));
    assert.equal(new Headers(verifyCall.init.headers).get("content-type"), "application/json");
    assert.deepEqual(Object.keys(JSON.parse(verifyCall.init.body)), ["orderNumber", "email", "code"]);
    await spy.orders.signOut(access.accessToken);
  });

  test("the calls work detached from the client object", async () => {
    const { track } = client.orders;
    const { data, error } = await track(tokens.get("ORD-2026-0044"));
    assert.equal(error, null);
    assert.equal(data.orderNumber, "ORD-2026-0044");
    assert.equal(data.currency, "GBP");
  });

  test("a baseUrl path prefix is kept (and here leads to the service's 404)", async () => {
    const prefixed = createClient({ baseUrl: `${service.baseUrl}/guest-access` });
    const { error } = await prefixed.orders.track(tokens.get(JANE.orderNumber));
    assert.equal(error.code, "not_found");
  });

  test("bad options throw a TypeError at creation, naming the option", () => {
    assert.throws(() => createClient(), { name: "TypeError", message: /options are required/ });
    assert.throws(() => createClient({}), { name: "TypeError", message: /baseUrl/ });
    assert.throws(() => createClient({ baseUrl: "guest-access.example" }), { name: "TypeError", message: /baseUrl/ });
    assert.throws(() => createClient({ baseUrl: "https://g.example/?a=1" }), { name: "TypeError", message: /query/ });
    assert.throws(() => createClient({ baseUrl: service.baseUrl, timeoutMs: 0 }), { name: "TypeError", message: /timeoutMs/ });
    assert.throws(() => createClient({ baseUrl: service.baseUrl, headers: { "Bad Name": "x" } }), { name: "TypeError", message: /header name/ });
    assert.throws(() => createClient({ baseUrl: service.baseUrl, headers: { "X-Secret": "a\r\nb" } }), (e) => e instanceof TypeError && !e.message.includes("a\r\nb"));
  });
});
