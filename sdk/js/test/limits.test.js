// Per-client rate limits against the real service: 429 rate_limited with
// retryAfter, and how X-Forwarded-For (passed per call by a storefront
// backend) is honoured only from a trusted proxy (`serve --trusted-proxies`).
// Policies here: a burst of 3 requests, refilled at 1 per second.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@guest-access/client";
import { janeOrder } from "./helpers/orders.js";
import { startDemo, startServe } from "./helpers/service.js";

const tiny = { perClientBurst: 3, perClientPerSecond: 1 };
const UNKNOWN = "gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** Calls `track` until one is rate-limited (at most `max`); returns every result. */
async function exhaust(client, options, max = 10) {
  const results = [];
  for (let i = 0; i < max; i += 1) {
    const result = await client.orders.track(UNKNOWN, options);
    results.push(result);
    if (result.error?.code === "rate_limited") break;
  }
  return results;
}

describe("without a trusted proxy (guest-access demo)", () => {
  let service;
  let client;
  before(async () => {
    service = await startDemo({ policy: tiny });
    client = createClient({ baseUrl: service.baseUrl });
  });
  after(() => service?.stop());

  test("past the burst: rate_limited (429) with retryAfter in seconds; after it, served again", async () => {
    const results = await exhaust(client);
    const limited = results[results.length - 1];
    assert.equal(results.length, 4, "the burst of 3 is served, the 4th is limited");
    for (const r of results.slice(0, -1)) assert.equal(r.error.code, "not_found", "served: an unknown token's 404");
    assert.equal(limited.data, null);
    assert.equal(limited.error.code, "rate_limited");
    assert.equal(limited.error.status, 429);
    assert.equal(limited.error.message, "Too many requests.");
    assert.ok(Number.isInteger(limited.error.retryAfter) && limited.error.retryAfter >= 1, "retryAfter: whole seconds");
    // Every guest call shares the client's bucket.
    const code = await client.orders.requestAccessCode(janeOrder.orderNumber, janeOrder.email);
    assert.equal(code.error.code, "rate_limited", "requestAccessCode is limited too (not a 202)");
    await new Promise((resolve) => setTimeout(resolve, limited.error.retryAfter * 1000 + 100));
    const again = await client.orders.track(UNKNOWN);
    assert.equal(again.error.code, "not_found", "after retryAfter seconds the client is served again");
  });

  test("X-Forwarded-For from an untrusted peer changes nothing", async () => {
    await new Promise((resolve) => setTimeout(resolve, 3100)); // refill the bucket
    const results = [];
    for (let i = 0; i < 4; i += 1) {
      // A different "shopper" on every call: still one bucket, the TCP peer's.
      results.push(await client.orders.track(UNKNOWN, { headers: { "X-Forwarded-For": `198.51.100.${i + 1}` } }));
    }
    assert.deepEqual(results.map((r) => r.error.code), ["not_found", "not_found", "not_found", "rate_limited"]);
  });
});

describe("behind a trusted proxy (serve --trusted-proxies 127.0.0.1/32)", () => {
  let service;
  let backend;
  before(async () => {
    service = await startServe({ orders: [janeOrder], policy: tiny, trustedProxies: "127.0.0.1/32" });
    backend = createClient({ baseUrl: service.baseUrl });
  });
  after(() => service?.stop());

  const as = (ip) => ({ headers: { "X-Forwarded-For": ip } });

  test("each shopper's address, passed per call, is its own bucket", async () => {
    const shopperA = await exhaust(backend, as("203.0.113.10"));
    assert.equal(shopperA.length, 4);
    assert.equal(shopperA[3].error.code, "rate_limited");
    const shopperB = await backend.orders.track(UNKNOWN, as("203.0.113.20"));
    assert.equal(shopperB.error.code, "not_found", "another shopper is not limited by the first");
    const own = await backend.orders.track(UNKNOWN);
    assert.equal(own.error.code, "not_found", "the backend's own calls (no header) keep the backend's bucket");
  });

  test("the right-most address that is not a trusted proxy is the client", async () => {
    await exhaust(backend, as("203.0.113.30"));
    // A forged left-most entry does not help the limited shopper...
    const forged = await backend.orders.track(UNKNOWN, as("198.51.100.99, 203.0.113.30"));
    assert.equal(forged.error.code, "rate_limited");
    // ...and trusted hops on the right are skipped.
    const viaTrusted = await backend.orders.track(UNKNOWN, as("203.0.113.30, 127.0.0.1"));
    assert.equal(viaTrusted.error.code, "rate_limited");
  });

  test("a value that is not an IP address falls back to the proxy's own bucket", async () => {
    await new Promise((resolve) => setTimeout(resolve, 3100)); // refill the backend's bucket
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await backend.orders.track(UNKNOWN, as(`shopper-${i}`)));
    assert.deepEqual(results.map((r) => r.error.code), ["not_found", "not_found", "not_found", "rate_limited"]);
  });
});
