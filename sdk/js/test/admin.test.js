// The storefront backend's calls (admin API key) against the real service
// (`guest-access serve --orders`), and the admin client's refusal to exist in
// a browser.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { createAdminClient, createClient } from "@guest-access/client";
import { janeOrder, maxOrder } from "./helpers/orders.js";
import { relaxedPolicy, startServe } from "./helpers/service.js";

let service;
let admin;
let client;

before(async () => {
  service = await startServe({ orders: [janeOrder, maxOrder], policy: relaxedPolicy });
  admin = createAdminClient({ baseUrl: service.baseUrl, apiKey: service.adminKey });
  client = createClient({ baseUrl: service.baseUrl });
});
after(() => service?.stop());

describe("trackingTokens.mint", () => {
  test("mints a gt_ token that tracks the order", async () => {
    const { data, error } = await admin.trackingTokens.mint(maxOrder.orderNumber);
    assert.equal(error, null);
    assert.deepEqual(Object.keys(data), ["trackingToken"]);
    assert.ok(/^gt_[A-Za-z0-9_-]{32,}$/.test(data.trackingToken), "a URL-safe gt_ token of at least 192 bits");
    const tracked = await client.orders.track(data.trackingToken);
    assert.equal(tracked.error, null);
    assert.equal(tracked.data.orderNumber, maxOrder.orderNumber);
    assert.equal(tracked.data.emailMasked, "m***@s***.example");
    assert.equal(tracked.data.shippingCity, null, "no shipping address: null, as openapi.yaml allows");
    const second = await admin.trackingTokens.mint(maxOrder.orderNumber);
    assert.notEqual(second.data.trackingToken, data.trackingToken, "each mint is a new token");
  });

  test("an unknown order is not_found (404)", async () => {
    const { data, error } = await admin.trackingTokens.mint("ORD-1999-0001");
    assert.equal(data, null);
    assert.equal(error.code, "not_found");
    assert.equal(error.status, 404);
  });

  test("a malformed order number is refused before sending (invalid_argument, status 0)", async () => {
    const { error } = await admin.trackingTokens.mint("not a number/..");
    assert.equal(error.code, "invalid_argument");
    assert.equal(error.status, 0);
  });

  test("a wrong admin key, or a tracking token in its place, is unauthorized (401)", async () => {
    const wrong = createAdminClient({ baseUrl: service.baseUrl, apiKey: `${service.adminKey.slice(0, -4)}AAAA` });
    const minted = await wrong.trackingTokens.mint(janeOrder.orderNumber);
    assert.equal(minted.data, null);
    assert.deepEqual([minted.error.code, minted.error.status, minted.error.message], ["unauthorized", 401, "Missing or invalid credentials."]);
    const revoked = await wrong.orders.revoke(janeOrder.orderNumber);
    assert.equal(revoked.error.code, "unauthorized");
    const token = (await admin.trackingTokens.mint(janeOrder.orderNumber)).data.trackingToken;
    const impostor = createAdminClient({ baseUrl: service.baseUrl, apiKey: token });
    assert.equal((await impostor.trackingTokens.mint(janeOrder.orderNumber)).error.code, "unauthorized");
  });
});

describe("orders.revoke", () => {
  test("revokes the order's tracking tokens, pending codes and access tokens", async () => {
    const minted = await admin.trackingTokens.mint(janeOrder.orderNumber);
    assert.equal(minted.error, null);
    const code = await service.codeAfter(janeOrder.orderNumber, () => client.orders.requestAccessCode(janeOrder.orderNumber, janeOrder.email));
    const verified = await client.orders.verifyAccessCode(janeOrder.orderNumber, janeOrder.email, code);
    assert.equal(verified.error, null);
    const pending = await service.codeAfter(janeOrder.orderNumber, () => client.orders.requestAccessCode(janeOrder.orderNumber, janeOrder.email));

    const revoked = await admin.orders.revoke(janeOrder.orderNumber);
    assert.deepEqual(revoked, { data: null, error: null });

    assert.equal((await client.orders.track(minted.data.trackingToken)).error.code, "not_found");
    assert.equal((await client.orders.getByAccessToken(verified.data.accessToken)).error.code, "unauthorized");
    assert.equal((await client.orders.verifyAccessCode(janeOrder.orderNumber, janeOrder.email, pending)).error.code, "invalid_code");
    // Access can be granted again afterwards.
    const fresh = await admin.trackingTokens.mint(janeOrder.orderNumber);
    assert.equal((await client.orders.track(fresh.data.trackingToken)).data.orderNumber, janeOrder.orderNumber);
  });

  test("an order number that is no path segment (or a dot segment) never leaves the SDK", async () => {
    const urls = [];
    const spy = createAdminClient({ baseUrl: service.baseUrl, apiKey: service.adminKey, fetch: (u, i) => (urls.push(u), fetch(u, i)) });
    for (const number of ["../tracking-tokens", "..", "."]) {
      const { error } = await spy.orders.revoke(number);
      assert.deepEqual([error.code, error.status], ["invalid_argument", 0], number);
    }
    assert.deepEqual(urls, [], "the admin key went nowhere");
  });

  test("revoking an order the provider does not know succeeds (nothing to revoke)", async () => {
    assert.deepEqual(await admin.orders.revoke("ORD-1999-0001"), { data: null, error: null });
  });
});

describe("createAdminClient", () => {
  test("refuses to be created in a browser (window or document global)", () => {
    for (const name of ["window", "document"]) {
      globalThis[name] = {};
      try {
        assert.throws(() => createAdminClient({ baseUrl: service.baseUrl, apiKey: service.adminKey }), {
          message: /refusing to run in a browser.*server/s,
        });
        // The guest client is made for browsers and still works there.
        assert.equal(typeof createClient({ baseUrl: service.baseUrl }).orders.track, "function");
      } finally {
        delete globalThis[name];
      }
    }
  });

  test("requires an apiKey, and never shows it", () => {
    assert.throws(() => createAdminClient({ baseUrl: service.baseUrl }), { name: "TypeError", message: /apiKey is required/ });
    assert.throws(() => createAdminClient({ baseUrl: service.baseUrl, apiKey: "  " }), { name: "TypeError", message: /apiKey/ });
    const shown = JSON.stringify(admin) + inspect(admin, { depth: 10, showHidden: true });
    assert.ok(!shown.includes(service.adminKey), "the key is in no property of the client");
  });
});
