// What no healthy service answers: a closed port (network_error), a server
// that never answers (timeout), the caller's AbortSignal (aborted), and
// answers the contract does not describe (a proxy's pages, redirects). These
// use small local peers; every call must resolve, never reject.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAdminClient, createClient } from "@guest-access/client";
import { closedPort, scriptedServer, silentServer } from "./helpers/peers.js";

const clientKeys = ["code", "message", "status"];

describe("network_error, and redirects", () => {
  test("a closed port resolves to network_error with status 0 and the cause", async () => {
    const client = createClient({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    const calls = [
      client.orders.track("gt_x"),
      client.orders.requestAccessCode("ORD-2026-0042", "jane.doe@example.com"),
      client.orders.verifyAccessCode("ORD-2026-0042", "jane.doe@example.com", "123456"),
      client.orders.getByAccessToken("t"),
      client.orders.signOut("t"),
    ];
    for (const { data, error } of await Promise.all(calls)) {
      assert.equal(data, null);
      assert.equal(error.code, "network_error");
      assert.equal(error.status, 0);
      assert.equal(error.message, "guest-access could not be reached.");
      assert.ok(error.cause instanceof Error, "the underlying exception is kept for logs");
      assert.equal(error.retryAfter, undefined);
    }
  });

  test("a redirect is never followed (the Authorization header stays home): unexpected_response with its status", async () => {
    let reachedTarget = 0;
    const target = await scriptedServer(() => {
      reachedTarget += 1;
      return { status: 200, body: "{}" };
    });
    const redirector = await scriptedServer(() => ({ status: 307, headers: { location: `${target.url}/v1/admin/tracking-tokens` } }));
    try {
      const admin = createAdminClient({ baseUrl: redirector.url, apiKey: "k".repeat(43) });
      const { error } = await admin.trackingTokens.mint("ORD-2026-0042");
      assert.deepEqual([error.code, error.status], ["unexpected_response", 307]);
      assert.equal(reachedTarget, 0);
    } finally {
      await target.close();
      await redirector.close();
    }
  });
});

describe("timeout and abort", () => {
  let silent;
  before(async () => {
    silent = await silentServer();
  });
  after(() => silent?.close());

  test("no answer within timeoutMs resolves to timeout (status 0)", async () => {
    const client = createClient({ baseUrl: silent.url, timeoutMs: 300 });
    const started = Date.now();
    const { data, error } = await client.orders.track("gt_x");
    const elapsed = Date.now() - started;
    assert.equal(data, null);
    assert.deepEqual(Object.keys(error).sort(), clientKeys.sort());
    assert.equal(error.code, "timeout");
    assert.equal(error.status, 0);
    assert.match(error.message, /300 ms/);
    assert.ok(elapsed >= 290 && elapsed < 3000, `resolved after ${elapsed} ms`);
    assert.equal(silent.requests, 1, "the request did reach the server");
  });

  test("the timeout covers the answer's body too", async () => {
    const slowBody = await scriptedServer(() => ({ status: 200, headers: { "content-length": "1000" }, body: "{" }));
    try {
      const { error } = await createClient({ baseUrl: slowBody.url, timeoutMs: 300 }).orders.track("gt_x");
      assert.equal(error.code, "timeout");
    } finally {
      await slowBody.close();
    }
  });

  test("an AbortSignal fired during the call resolves to aborted (status 0) at once", async () => {
    const client = createClient({ baseUrl: silent.url, timeoutMs: 10_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const { data, error } = await client.orders.verifyAccessCode("ORD-2026-0042", "jane.doe@example.com", "123456", { signal: controller.signal });
    assert.equal(data, null);
    assert.deepEqual({ code: error.code, status: error.status }, { code: "aborted", status: 0 });
    assert.ok(Date.now() - started < 2000, "not held until the timeout");
  });

  test("an already-aborted signal sends nothing", async () => {
    const before = silent.requests;
    const controller = new AbortController();
    controller.abort();
    const admin = createAdminClient({ baseUrl: silent.url, apiKey: "k".repeat(43) });
    const { error } = await admin.orders.revoke("ORD-2026-0042", { signal: controller.signal });
    assert.equal(error.code, "aborted");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(silent.requests, before, "no request reached the server");
  });

  test("aborting after the answer changes nothing, and no listener is left on the signal", async () => {
    const ok = await scriptedServer(() => ({ status: 202, headers: { "content-type": "application/json" }, body: '{"status":"accepted"}' }));
    try {
      const controller = new AbortController();
      let listeners = 0;
      const signal = controller.signal;
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = (...args) => (listeners += 1, add(...args));
      signal.removeEventListener = (...args) => (listeners -= 1, remove(...args));
      const result = await createClient({ baseUrl: ok.url }).orders.requestAccessCode("ORD-2026-0042", "jane.doe@example.com", { signal });
      controller.abort();
      assert.deepEqual(result, { data: { status: "accepted" }, error: null });
      assert.equal(listeners, 0);
    } finally {
      await ok.close();
    }
  });
});

describe("answers the contract does not describe", () => {
  let server;
  let next;
  before(async () => {
    server = await scriptedServer(() => next);
  });
  after(() => server?.close());

  const client = () => createClient({ baseUrl: server.url });

  test("an HTML page with 200 is unexpected_response with its status", async () => {
    next = { status: 200, headers: { "content-type": "text/html", "x-request-id": "r1" }, body: "<html>captive portal</html>" };
    const { data, error } = await client().orders.track("gt_x");
    assert.equal(data, null);
    assert.deepEqual(error, { code: "unexpected_response", message: error.message, status: 200, requestId: "r1" });
  });

  test("a JSON body of the wrong shape is unexpected_response", async () => {
    next = { status: 200, headers: { "content-type": "application/json" }, body: '{"accessToken":42}' };
    const { error } = await client().orders.verifyAccessCode("ORD-2026-0042", "jane.doe@example.com", "123456");
    assert.equal(error.code, "unexpected_response");
  });

  test("a proxy's 502 page is unavailable, with its status", async () => {
    next = { status: 502, headers: { "content-type": "text/html" }, body: "<h1>Bad Gateway</h1>" };
    const { error } = await client().orders.getByAccessToken("t");
    assert.deepEqual(error, { code: "unavailable", message: "guest-access answered HTTP 502.", status: 502 });
  });

  test("Retry-After as an HTTP date becomes seconds", async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    next = { status: 503, headers: { "retry-after": at }, body: "" };
    const { error } = await client().orders.track("gt_x");
    assert.equal(error.code, "unavailable");
    assert.ok(error.retryAfter >= 28 && error.retryAfter <= 31, `retryAfter ${error.retryAfter}`);
  });

  test("an error code the SDK does not know falls back to the status's code, keeping the message", async () => {
    next = { status: 429, headers: { "retry-after": "7" }, body: '{"error":{"code":"slow_down","message":"Later."}}' };
    const { error } = await client().orders.track("gt_x");
    assert.deepEqual(error, { code: "rate_limited", message: "Later.", status: 429, retryAfter: 7 });
  });

  test("per-call headers HTTP cannot carry are refused before sending (invalid_argument), never thrown", async () => {
    next = { status: 200, body: "{}" };
    const { error } = await client().orders.track("gt_x", { headers: { "X-Forwarded-For": "203.0.113.1\r\nX-Evil: 1" } });
    assert.deepEqual({ code: error.code, status: error.status }, { code: "invalid_argument", status: 0 });
    assert.ok(!error.message.includes("X-Evil"), "the value is not echoed");
  });
});
