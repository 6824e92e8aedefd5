// 503 unavailable from the real service when the storefront's order provider
// fails (answers 500) or cannot be reached (closed port), with
// `serve --provider-url` pointed at a provider this test runs and breaks.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAdminClient, createClient } from "@guest-access/client";
import { janeOrder, maxOrder } from "./helpers/orders.js";
import { orderProvider } from "./helpers/peers.js";
import { relaxedPolicy, startServe } from "./helpers/service.js";

let provider;
let service;
let client;
let admin;
let trackingToken;
let accessToken;
let pendingCode;

function assertUnavailable(result, what) {
  assert.equal(result.data, null, what);
  assert.equal(result.error.code, "unavailable", what);
  assert.equal(result.error.status, 503, what);
  assert.equal(result.error.message, "The service is temporarily unavailable.", what);
  assert.ok(Number.isInteger(result.error.retryAfter) && result.error.retryAfter > 0, `${what}: retryAfter from Retry-After`);
}

before(async () => {
  provider = await orderProvider([janeOrder, maxOrder]);
  // provider.timeoutSeconds 1: an unreachable provider costs 1 s a call, not 5.
  service = await startServe({ providerUrl: provider.url, policy: { ...relaxedPolicy, "provider.timeoutSeconds": 1 } });
  client = createClient({ baseUrl: service.baseUrl });
  admin = createAdminClient({ baseUrl: service.baseUrl, apiKey: service.adminKey });
  // While the provider is up: a tracking token, an access token, and a pending code.
  const minted = await admin.trackingTokens.mint(janeOrder.orderNumber);
  assert.equal(minted.error, null);
  trackingToken = minted.data.trackingToken;
  assert.equal((await client.orders.track(trackingToken)).error, null);
  const code = await service.codeAfter(janeOrder.orderNumber, () => client.orders.requestAccessCode(janeOrder.orderNumber, janeOrder.email));
  const verified = await client.orders.verifyAccessCode(janeOrder.orderNumber, janeOrder.email, code);
  assert.equal(verified.error, null);
  accessToken = verified.data.accessToken;
  pendingCode = await service.codeAfter(maxOrder.orderNumber, () => client.orders.requestAccessCode(maxOrder.orderNumber, maxOrder.email));
});
after(async () => {
  await service?.stop();
  await provider?.close().catch(() => {});
});

describe("the order provider answers 500", () => {
  before(() => {
    provider.state.mode = "failing";
  });

  test("track, getByAccessToken, verifyAccessCode and mint are unavailable (503) with retryAfter", async () => {
    const calls = provider.state.calls;
    assertUnavailable(await client.orders.track(trackingToken), "track");
    assertUnavailable(await client.orders.getByAccessToken(accessToken), "getByAccessToken");
    assertUnavailable(await client.orders.verifyAccessCode(maxOrder.orderNumber, maxOrder.email, pendingCode), "verifyAccessCode");
    assertUnavailable(await admin.trackingTokens.mint(janeOrder.orderNumber), "mint");
    assert.ok(provider.state.calls > calls, "the service did ask the provider");
  });

  test("requestAccessCode still answers accepted (its lookup is queued); an unknown tracking token is still not_found", async () => {
    assert.deepEqual(await client.orders.requestAccessCode(janeOrder.orderNumber, janeOrder.email), { data: { status: "accepted" }, error: null });
    const unknownToken = await client.orders.track("gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(unknownToken.error.code, "not_found", "an unknown tracking token is refused before the provider is asked");
  });
});

describe("the order provider is unreachable (closed port)", () => {
  before(async () => {
    await provider.close();
  });

  test("track and getByAccessToken are unavailable (503)", async () => {
    assertUnavailable(await client.orders.track(trackingToken), "track");
    assertUnavailable(await client.orders.getByAccessToken(accessToken), "getByAccessToken");
  });

  test("signOut and revoke still work: they need only the service's own storage", async () => {
    assert.deepEqual(await client.orders.signOut(accessToken), { data: null, error: null });
    assert.deepEqual(await admin.orders.revoke(maxOrder.orderNumber), { data: null, error: null });
  });
});
