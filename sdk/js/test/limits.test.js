// Per-client rate limits against the real service: 429 rate_limited with
// retryAfter, and how X-Forwarded-For (passed per call by a storefront
// backend) is honoured only from a trusted proxy (`serve --trusted-proxies`).
// Policy here: a burst of 5 requests per client, refilled at 1 per second.
// Calls go out 8 at a time, so a fresh bucket serves 5 (6 if a second passed)
// and an emptied one at most 2, however slow the machine.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "@guest-access/client";
import { janeOrder } from "./helpers/orders.js";
import { startDemo, startServe } from "./helpers/service.js";

const BURST = 5;
const tiny = { perClientBurst: BURST, perClientPerSecond: 1 };
const UNKNOWN = "gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** 8 concurrent `track` calls; `headersFor(i)` gives each call's headers. Counts served (the unknown token's 404) and limited. */
async function burst(client, headersFor = () => undefined, n = 8) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const headers = headersFor(i);
      return client.orders.track(UNKNOWN, headers ? { headers } : undefined);
    }),
  );
  const codes = results.map((r) => r.error.code);
  for (const code of codes) assert.ok(code === "not_found" || code === "rate_limited", `unexpected ${code}`);
  return {
    served: codes.filter((c) => c === "not_found").length,
    limited: results.filter((r) => r.error.code === "rate_limited"),
  };
}

const as = (ip) => ({ "X-Forwarded-For": ip });

describe("without a trusted proxy (guest-access demo)", () => {
  let service;
  let client;
  before(async () => {
    service = await startDemo({ policy: tiny });
    client = createClient({ baseUrl: service.baseUrl });
  });
  after(() => service?.stop());

  test("past the burst: rate_limited (429) with retryAfter in seconds; after it, served again", async () => {
    const { served, limited } = await burst(client);
    assert.ok(served >= BURST && served <= BURST + 1, `the burst is served (${served})`);
    assert.ok(limited.length >= 2);
    const { data, error } = limited[0];
    assert.equal(data, null);
    assert.equal(error.code, "rate_limited");
    assert.equal(error.status, 429);
    assert.equal(error.message, "Too many requests.");
    assert.ok(Number.isInteger(error.retryAfter) && error.retryAfter >= 1, "retryAfter: whole seconds");
    assert.ok(typeof error.requestId === "string" && error.requestId.length > 0);
    // Every guest call draws on the client's one bucket.
    const asked = await Promise.all([1, 2, 3].map(() => client.orders.requestAccessCode(janeOrder.orderNumber, janeOrder.email)));
    assert.ok(asked.some((r) => r.error?.code === "rate_limited"), "requestAccessCode is limited too (not a 202)");
    const wait = Math.max(...asked.filter((r) => r.error).map((r) => r.error.retryAfter));
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    const again = await client.orders.track(UNKNOWN);
    assert.equal(again.error.code, "not_found", "after retryAfter seconds the client is served again");
  });

  test("X-Forwarded-For from an untrusted peer changes nothing", async () => {
    // A different "shopper" on every call: still the TCP peer's one bucket.
    const { limited } = await burst(client, (i) => as(`198.51.100.${i + 1}`));
    assert.ok(limited.length >= 2, "limited as one client, not served as 8");
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

  test("each shopper's address, passed per call, is its own bucket", async () => {
    const shopperA = await burst(backend, () => as("203.0.113.10"));
    assert.ok(shopperA.limited.length >= 2, "shopper A is limited");
    const shopperB = await burst(backend, () => as("203.0.113.20"));
    assert.ok(shopperB.served >= BURST, `shopper B has a full burst of its own (${shopperB.served})`);
    const own = await burst(backend);
    assert.ok(own.served >= BURST, "the backend's own calls (no header) keep the backend's bucket");
    const eight = await burst(backend, (i) => as(`203.0.113.${100 + i}`));
    assert.equal(eight.served, 8, "eight shoppers, eight buckets");
  });

  test("the right-most address that is not a trusted proxy is the client", async () => {
    await burst(backend, () => as("203.0.113.30"));
    // A forged left-most entry does not give the emptied shopper a fresh bucket...
    const forged = await burst(backend, (i) => as(`198.51.100.${i + 1}, 203.0.113.30`));
    assert.ok(forged.served <= 2, `still shopper 203.0.113.30's empty bucket (${forged.served} served)`);
    // ...and trusted hops on the right are skipped.
    const viaTrusted = await burst(backend, () => as("203.0.113.30, 127.0.0.1"));
    assert.ok(viaTrusted.served <= 2, `past the trusted hop: the same shopper (${viaTrusted.served} served)`);
    const otherViaTrusted = await burst(backend, () => as("203.0.113.31, 127.0.0.1"));
    assert.ok(otherViaTrusted.served >= BURST, "another shopper past the trusted hop has its own bucket");
  });

  test("a value that is not an IP address falls back to the proxy's own bucket", async () => {
    const garbage = await burst(backend, (i) => as(`shopper-${i}`));
    assert.ok(garbage.limited.length >= 2, "eight different non-addresses share the proxy's one bucket");
  });
});
