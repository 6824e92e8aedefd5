// What an outside review of the SDK found, each as the behaviour it asked
// for: answers off the contract (statuses, redirects, huge bodies, polluted
// JSON), arguments and options the SDK must refuse before sending, fetches
// that ignore their signal, and secrets that must not reach logs. Small local
// peers or a fake `fetch`; no service needed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import { inspect } from "node:util";
import { createAdminClient, createClient } from "@guest-access/client";
import { janeOrder } from "./helpers/orders.js";
import { scriptedServer } from "./helpers/peers.js";

const BASE = "https://guest-access.example";
const KEY = "k".repeat(43);
const ORDER = "ORD-2026-0042";
const EMAIL = "jane.doe@example.com";

const tracked = {
  orderNumber: ORDER,
  status: "SHIPPED",
  paymentStatus: "PAID",
  fulfillmentStatus: "FULFILLED",
  currency: "USD",
  grandTotal: 5397,
  emailMasked: "j***@e***.com",
  shippingCity: "Portland",
  shippingCountry: "US",
  items: [{ name: "Classic T-Shirt", quantity: 2, imageUrl: null }],
  createdAt: "2026-03-23T14:30:00Z",
};
const verified = { accessToken: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", tokenType: "Bearer", expiresIn: 1800, order: janeOrder };

/** A JSON answer (a fresh Response each time: a body is read once). */
function answer(status, body, headers = {}) {
  const text = body === null ? null : typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, { status, headers: { "content-type": "application/json", ...headers } });
}

/** A client and an admin client whose fetch answers with `respond(url, init)` and records each call. */
function fake(respond, options = {}) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  return {
    calls,
    client: createClient({ baseUrl: BASE, fetch, ...options }),
    admin: createAdminClient({ baseUrl: BASE, apiKey: KEY, fetch, ...options }),
  };
}

const summary = (result) => [result.data === null ? null : "data", result.error?.code ?? null, result.error?.status ?? null];

/** A server answering 200 with a tracking view padded to `bytes`, with or without Content-Length; records how much it wrote. */
async function bigBodyServer({ bytes, declareLength }) {
  const state = { written: 0, finished: false, closedEarly: false };
  const head = JSON.stringify({ ...tracked, pad: "" }).slice(0, -2);
  const server = createServer(async (req, res) => {
    const total = bytes;
    const padLength = total - head.length - 2;
    res.writeHead(200, { "content-type": "application/json", ...(declareLength ? { "content-length": String(total) } : {}) });
    res.on("close", () => {
      if (!state.finished) state.closedEarly = true;
    });
    const write = async (chunk) => {
      state.written += chunk.length;
      if (!res.write(chunk)) await Promise.race([once(res, "drain"), once(res, "close")]);
    };
    await write(head);
    const piece = "x".repeat(64 * 1024);
    let left = padLength;
    while (left > 0 && !res.destroyed) {
      const chunk = left >= piece.length ? piece : piece.slice(0, left);
      left -= chunk.length;
      await write(chunk);
    }
    if (!res.destroyed) {
      res.end('"}');
      state.finished = true;
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    async close() {
      server.closeAllConnections?.();
      server.close();
      await once(server, "close");
    },
  };
}

describe("1. success only on the contract's status", () => {
  test("signOut and revoke: a proxy's or captive portal's 200 page is unexpected_response, not a sign-out", async () => {
    const { client, admin } = fake(() => new Response("<html>Welcome to the hotel wifi</html>", { status: 200, headers: { "content-type": "text/html" } }));
    assert.deepEqual(summary(await client.orders.signOut("t")), [null, "unexpected_response", 200]);
    assert.deepEqual(summary(await admin.orders.revoke(ORDER)), [null, "unexpected_response", 200]);
  });

  test("signOut and revoke: 204 is success; 200, 202 and 205 without a body are not", async () => {
    for (const status of [200, 202, 205]) {
      const { client, admin } = fake(() => new Response(null, { status }));
      assert.deepEqual(summary(await client.orders.signOut("t")), [null, "unexpected_response", status], `signOut ${status}`);
      assert.deepEqual(summary(await admin.orders.revoke(ORDER)), [null, "unexpected_response", status], `revoke ${status}`);
    }
    const { client, admin } = fake(() => new Response(null, { status: 204 }));
    assert.deepEqual(await client.orders.signOut("t"), { data: null, error: null });
    assert.deepEqual(await admin.orders.revoke(ORDER), { data: null, error: null });
  });

  test("each call with a well-shaped body succeeds on its own status only (200 track/verify/re-fetch, 202 code request, 201 mint)", async () => {
    const calls = [
      ["track", 200, tracked, (c) => c.client.orders.track("gt_x")],
      ["getByAccessToken", 200, janeOrder, (c) => c.client.orders.getByAccessToken("t")],
      ["verifyAccessCode", 200, verified, (c) => c.client.orders.verifyAccessCode(ORDER, EMAIL, "123456")],
      ["requestAccessCode", 202, { status: "accepted" }, (c) => c.client.orders.requestAccessCode(ORDER, EMAIL)],
      ["mint", 201, { trackingToken: "gt_AAAA" }, (c) => c.admin.trackingTokens.mint(ORDER)],
    ];
    for (const [name, contract, body, call] of calls) {
      for (const status of [200, 201, 202, 203, 206]) {
        const result = await call(fake((url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : answer(status, body))));
        if (status === contract) assert.equal(result.error, null, `${name} ${status}`);
        else assert.deepEqual(summary(result), [null, "unexpected_response", status], `${name} ${status}`);
      }
    }
  });
});

describe("2. redirects and credentials as Cloudflare Workers (workerd) accept them", () => {
  test('redirect: "manual", credentials: "omit" where Request has that field', async () => {
    const { client, calls } = fake(() => answer(200, tracked));
    assert.equal((await client.orders.track("gt_x")).error, null);
    assert.equal(calls[0].init.redirect, "manual");
    assert.equal(calls[0].init.credentials, "omit");
  });

  test("a runtime whose Request has no credentials field (workerd, older compatibility dates) gets none, and a redirect mode it knows", async () => {
    const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, "credentials");
    assert.ok(descriptor?.configurable, "the test can hide Request.prototype.credentials");
    delete Request.prototype.credentials;
    try {
      assert.ok(!("credentials" in Request.prototype));
      // What workerd does with fields it does not support: it throws.
      const workerd = fake((url, init) => {
        if (init.redirect !== "follow" && init.redirect !== "manual") throw new TypeError("Invalid redirect value, must be one of \"follow\" or \"manual\"");
        if ("credentials" in init) throw new Error("The 'credentials' field on 'RequestInitializerDict' is not implemented.");
        return answer(200, tracked);
      });
      assert.deepEqual(summary(await workerd.client.orders.track("gt_x")), ["data", null, null]);
    } finally {
      Object.defineProperty(Request.prototype, "credentials", descriptor);
    }
  });

  test("a 3xx answer is unexpected_response with its status; a browser's opaque redirect (status 0) too", async () => {
    const redirect = fake(() => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } }));
    assert.deepEqual(summary(await redirect.admin.trackingTokens.mint(ORDER)), [null, "unexpected_response", 302]);
    assert.equal(redirect.calls.length, 1, "not followed");
    const opaque = fake(() => ({ type: "opaqueredirect", status: 0, headers: new Headers(), body: null, text: async () => "" }));
    assert.deepEqual(summary(await opaque.client.orders.signOut("t")), [null, "unexpected_response", 0]);
  });
});

describe("3. answer bodies are capped at 1 MiB", () => {
  test("a Content-Length over 1 MiB is refused before reading: unexpected_response", async () => {
    const server = await bigBodyServer({ bytes: 2 * 1024 * 1024, declareLength: true });
    try {
      const result = await createClient({ baseUrl: server.url }).orders.track("gt_x");
      assert.deepEqual(summary(result), [null, "unexpected_response", 200]);
    } finally {
      await server.close();
    }
  });

  test("a chunked body is read only up to 1 MiB, then cancelled: unexpected_response", async () => {
    const server = await bigBodyServer({ bytes: 64 * 1024 * 1024, declareLength: false });
    try {
      const result = await createClient({ baseUrl: server.url }).orders.track("gt_x");
      assert.deepEqual(summary(result), [null, "unexpected_response", 200]);
      const deadline = Date.now() + 5000;
      while (!server.state.closedEarly && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(server.state.closedEarly, "the client hung up before the end of the body");
      assert.ok(server.state.written < 16 * 1024 * 1024, `the server wrote ${server.state.written} bytes`);
    } finally {
      await server.close();
    }
  });

  test("a body just under the cap is read whole", async () => {
    const server = await bigBodyServer({ bytes: 1024 * 1024 - 100, declareLength: false });
    try {
      const result = await createClient({ baseUrl: server.url }).orders.track("gt_x");
      assert.equal(result.error, null);
      assert.equal(result.data.orderNumber, ORDER);
    } finally {
      await server.close();
    }
  });

  test("a fetch whose answers have no body stream is read with text()", async () => {
    const { client } = fake(() => ({ status: 200, headers: new Headers(), text: async () => JSON.stringify(tracked) }));
    assert.equal((await client.orders.track("gt_x")).data.orderNumber, ORDER);
  });
});

describe("4. createAdminClient in a browser Web Worker", () => {
  for (const [name, value] of [["importScripts", () => undefined], ["WorkerGlobalScope", class WorkerGlobalScope {}]]) {
    test(`refuses when ${name} is defined (no window or document in a worker)`, () => {
      globalThis[name] = value;
      try {
        assert.throws(() => createAdminClient({ baseUrl: BASE, apiKey: KEY }), { message: /refusing to run in a browser/ });
      } finally {
        delete globalThis[name];
      }
    });
  }
});

describe("6. dot segments and malformed order numbers are refused locally", () => {
  test('track(""), track("."), track("..") are not_found without a request', async () => {
    const { client, calls } = fake(() => answer(200, tracked));
    for (const token of ["", ".", ".."]) {
      const result = await client.orders.track(token);
      assert.deepEqual(summary(result), [null, "not_found", 0], JSON.stringify(token));
    }
    assert.equal(calls.length, 0);
  });

  test("revoke and mint with a dot segment or a malformed order number are invalid_argument without a request", async () => {
    const { admin, client, calls } = fake(() => new Response(null, { status: 204 }));
    for (const number of ["", ".", "..", "../tracking-tokens", "ORD 42", "-ORD", "A".repeat(65), "ORD/1"]) {
      assert.deepEqual(summary(await admin.orders.revoke(number)), [null, "invalid_argument", 0], `revoke ${JSON.stringify(number)}`);
      assert.deepEqual(summary(await admin.trackingTokens.mint(number)), [null, "invalid_argument", 0], `mint ${JSON.stringify(number)}`);
      assert.deepEqual(summary(await client.orders.requestAccessCode(number, EMAIL)), [null, "invalid_argument", 0]);
      assert.deepEqual(summary(await client.orders.verifyAccessCode(number, EMAIL, "123456")), [null, "invalid_argument", 0]);
    }
    assert.equal(calls.length, 0, "nothing was sent, the admin key least of all");
  });

  test("the longest well-formed order number is sent; pre-encoded dots stay one encoded segment", async () => {
    const { admin, client, calls } = fake((url) => (url.includes("/tracking/") ? answer(404, "") : new Response(null, { status: 204 })));
    const longest = `A${"b-_9".repeat(15)}xyz`;
    assert.equal(longest.length, 64);
    assert.equal((await admin.orders.revoke(longest)).error, null);
    assert.equal(calls[0].url, `${BASE}/v1/admin/orders/${longest}/revoke`);
    await client.orders.track("%2E%2E");
    assert.equal(calls[1].url, `${BASE}/v1/tracking/%252E%252E`);
  });
});

describe("7. baseUrl and what reaches logs", () => {
  test("a baseUrl with user:password@ is refused with a TypeError that does not echo it", () => {
    for (const baseUrl of ["http://user:s3cret-pw@127.0.0.1:8080", "https://s3cret-pw@guest-access.example", "https://@guest-access.example"]) {
      assert.throws(
        () => createClient({ baseUrl }),
        (e) => e instanceof TypeError && /credentials|user/i.test(e.message) && !e.message.includes("s3cret-pw"),
        baseUrl,
      );
    }
  });

  test("a baseUrl that is no valid URL, or not http(s), is refused", () => {
    for (const baseUrl of ["http://exa mple.com", "http://[::1", "https://", "ftp://guest-access.example", "javascript:alert(1)", "http://guest-access.example:99999"]) {
      assert.throws(() => createClient({ baseUrl }), TypeError, baseUrl);
    }
  });

  test("network_error's cause keeps name and code, not the URL (tracking token) or the credential", async () => {
    const token = "gt_SECRETsecretSECRETsecret0123456789";
    const client = createClient({
      baseUrl: BASE,
      fetch: async (url, init) => {
        const inner = Object.assign(new Error(`connect ECONNREFUSED for ${url} with ${init.headers.Authorization ?? "no auth"}`), { code: "ECONNREFUSED" });
        throw Object.assign(new TypeError(`fetch failed: ${url}`), { cause: inner });
      },
    });
    const tracked = await client.orders.track(token);
    assert.equal(tracked.error.code, "network_error");
    const cause = tracked.error.cause;
    assert.equal(cause.name, "TypeError");
    assert.equal(cause.cause.code, "ECONNREFUSED");
    const shown = inspect(cause, { depth: 10 }) + JSON.stringify(cause) + String(cause.stack) + String(cause.cause.stack);
    assert.ok(!shown.includes("SECRETsecret"), "the tracking token is not in the cause");
    assert.ok(shown.includes("<url>"), "the URL is replaced, so the message still reads");
    const refetch = await client.orders.getByAccessToken("eyJsecret.token.value");
    const again = inspect(refetch.error.cause, { depth: 10 });
    assert.ok(!again.includes("eyJsecret"), "the bearer credential is not in the cause");
  });
});

describe("8. apiKey", () => {
  test("a key with whitespace, a line break or non-ASCII is refused at creation, never echoed", () => {
    for (const apiKey of ["abc def-secret", "abc-secret\n", "\tabc-secret", "abc-secret\u00e9", ""]) {
      assert.throws(() => createAdminClient({ baseUrl: BASE, apiKey }), (e) => e instanceof TypeError && /apiKey/.test(e.message) && !e.message.includes("secret"));
    }
  });
});

describe("9. timeoutMs", () => {
  test("past 2^31-1 ms (timers would fire at once), not finite, or not positive: a TypeError", () => {
    for (const timeoutMs of [2 ** 31, 1e12, Infinity, NaN, 0, -5, "1000"]) {
      assert.throws(() => createClient({ baseUrl: BASE, timeoutMs }), { name: "TypeError", message: /timeoutMs/ }, String(timeoutMs));
    }
    createClient({ baseUrl: BASE, timeoutMs: 2 ** 31 - 1 });
  });
});

describe("10. retryAfter", () => {
  test("is an integer from 0 to 86400", async () => {
    const cases = [
      ["99999999999999999999999", 86400],
      ["86401", 86400],
      ["120", 120],
      [new Date(Date.now() + 10 * 365 * 86400_000).toUTCString(), 86400],
      [new Date(Date.now() - 60_000).toUTCString(), 0],
      ["1.5", undefined],
      ["-5", undefined],
      ["soon", undefined],
    ];
    for (const [header, expected] of cases) {
      const { client } = fake(() => answer(429, { error: { code: "rate_limited", message: "Too many requests." } }, { "retry-after": header }));
      const { error } = await client.orders.track("gt_x");
      assert.equal(error.retryAfter, expected, header);
    }
  });
});

describe("11. answer JSON", () => {
  test("__proto__, constructor and prototype keys are dropped", async () => {
    const body = JSON.stringify(tracked).slice(0, -1) + ',"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"items2":[{"__proto__":{"x":1}}]}';
    const { client } = fake(() => answer(200, body));
    const { data, error } = await client.orders.track("gt_x");
    assert.equal(error, null);
    assert.ok(!Object.prototype.hasOwnProperty.call(data, "__proto__"));
    assert.ok(!Object.prototype.hasOwnProperty.call(data, "constructor"));
    assert.ok(!Object.prototype.hasOwnProperty.call(data.items2[0], "__proto__"));
    assert.equal({ ...data }.polluted, undefined);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  });

  test("verify needs tokenType Bearer; arrays must be arrays", async () => {
    const bad = [
      ["tokenType MAC", (c) => c.client.orders.verifyAccessCode(ORDER, EMAIL, "123456"), { ...verified, tokenType: "MAC" }],
      ["tokenType missing", (c) => c.client.orders.verifyAccessCode(ORDER, EMAIL, "123456"), { ...verified, tokenType: undefined }],
      ["order.items an object", (c) => c.client.orders.verifyAccessCode(ORDER, EMAIL, "123456"), { ...verified, order: { ...janeOrder, items: {} } }],
      ["fulfillments a string", (c) => c.client.orders.getByAccessToken("t"), { ...janeOrder, fulfillments: "none" }],
      ["tracking items an object", (c) => c.client.orders.track("gt_x"), { ...tracked, items: { length: 1 } }],
    ];
    for (const [what, call, body] of bad) {
      const result = await call(fake((url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : answer(200, body))));
      assert.deepEqual(summary(result), [null, "unexpected_response", 200], what);
    }
  });
});

describe("12. a verify answer that fails the shape check", () => {
  test("its access token is signed out (best effort) before unexpected_response is returned", async () => {
    const { client, calls } = fake((url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : answer(200, { ...verified, order: "not an order" })));
    const result = await client.orders.verifyAccessCode(ORDER, EMAIL, "123456", { headers: { "X-Forwarded-For": "203.0.113.5" } });
    assert.deepEqual(summary(result), [null, "unexpected_response", 200]);
    assert.ok(!JSON.stringify(result).includes(verified.accessToken), "the token is not handed out");
    assert.equal(calls.length, 2);
    assert.equal(calls[1].url, `${BASE}/v1/guest/token`);
    assert.equal(calls[1].init.method, "DELETE");
    const headers = new Headers(calls[1].init.headers);
    assert.equal(headers.get("authorization"), `Bearer ${verified.accessToken}`);
    assert.equal(headers.get("x-forwarded-for"), "203.0.113.5", "on the shopper's behalf, as the verify was");
  });

  test("the sign-out is bounded by the same timeout", async () => {
    const { client } = fake((url, init) => (init.method === "DELETE" ? new Promise(() => {}) : answer(200, { ...verified, expiresIn: "soon" })), { timeoutMs: 200 });
    const started = Date.now();
    const result = await client.orders.verifyAccessCode(ORDER, EMAIL, "123456");
    assert.equal(result.error.code, "unexpected_response");
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});

describe("13. a fetch that ignores the signal", () => {
  test("a fetch that never settles resolves to timeout", { timeout: 5000 }, async () => {
    const { client } = fake(() => new Promise(() => {}), { timeoutMs: 200 });
    assert.deepEqual(summary(await client.orders.track("gt_x")), [null, "timeout", 0]);
  });

  test("a body that never ends resolves to timeout", { timeout: 5000 }, async () => {
    const { client } = fake(() => new Response(new ReadableStream({ pull() { return new Promise(() => {}); } }), { status: 200 }), { timeoutMs: 200 });
    assert.deepEqual(summary(await client.orders.track("gt_x")), [null, "timeout", 0]);
  });

  test("the caller's abort ends the call at once", { timeout: 5000 }, async () => {
    const { client } = fake(() => new Promise(() => {}), { timeoutMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    assert.deepEqual(summary(await client.orders.track("gt_x", { signal: controller.signal })), [null, "aborted", 0]);
  });
});

describe("14. headers as any HeadersInit", () => {
  test("a Headers instance, an array of pairs or an object, for the client and per call", async () => {
    const { calls, client } = fake(() => answer(200, tracked), { headers: new Headers({ "User-Agent": "shop/1", "X-Shop": "a" }) });
    await client.orders.track("gt_x", { headers: [["X-Forwarded-For", "203.0.113.9"], ["x-shop", "b"]] });
    await client.orders.track("gt_x", { headers: new Headers({ "X-Forwarded-For": "203.0.113.10" }) });
    const first = new Headers(calls[0].init.headers);
    assert.equal(first.get("user-agent"), "shop/1");
    assert.equal(first.get("x-shop"), "b");
    assert.equal(first.get("x-forwarded-for"), "203.0.113.9");
    assert.equal(new Headers(calls[1].init.headers).get("x-forwarded-for"), "203.0.113.10");
  });

  test("Cookie and Host are refused: a TypeError at creation, invalid_argument per call", async () => {
    for (const name of ["Cookie", "host"]) {
      assert.throws(() => createClient({ baseUrl: BASE, headers: { [name]: "x" } }), { name: "TypeError", message: new RegExp(name, "i") });
    }
    const { calls, client } = fake(() => answer(200, tracked));
    for (const headers of [{ Cookie: "session=1" }, new Headers({ Host: "evil.example" }), [["COOKIE", "a=b"]]]) {
      assert.deepEqual(summary(await client.orders.track("gt_x", { headers })), [null, "invalid_argument", 0]);
    }
    assert.equal(calls.length, 0);
  });

  test("Accept, Content-Type and Authorization stay the SDK's, whatever the form", async () => {
    const { calls, client } = fake(() => answer(200, janeOrder));
    await client.orders.getByAccessToken("mine", { headers: new Headers({ Authorization: "Bearer theirs", Accept: "text/html" }) });
    const sent = new Headers(calls[0].init.headers);
    assert.equal(sent.get("authorization"), "Bearer mine");
    assert.equal(sent.get("accept"), "application/json");
  });
});

describe("15. arguments of the wrong type", () => {
  test("resolve to invalid_argument without a request; the promise never rejects", async () => {
    const circular = {};
    circular.self = circular;
    const { calls, client, admin } = fake(() => answer(200, tracked));
    const results = [
      await client.orders.requestAccessCode(10n, EMAIL),
      await client.orders.requestAccessCode(ORDER, 10n),
      await client.orders.requestAccessCode(ORDER, circular),
      await client.orders.verifyAccessCode(ORDER, EMAIL, 123456),
      await client.orders.verifyAccessCode(ORDER, EMAIL, circular),
      await client.orders.track(42),
      await client.orders.track({ toString: () => "gt_x" }),
      await client.orders.getByAccessToken(undefined),
      await client.orders.signOut(null),
      await admin.trackingTokens.mint(42),
      await admin.orders.revoke(["ORD-1"]),
    ];
    for (const [i, result] of results.entries()) assert.deepEqual(summary(result), [null, "invalid_argument", 0], `call ${i}`);
    assert.equal(calls.length, 0);
  });
});

describe("16. plain http", () => {
  test("createAdminClient refuses http to a non-loopback host unless allowInsecureHttp", () => {
    for (const baseUrl of ["http://guest-access.internal:8080", "http://10.0.0.5", "http://example.com"]) {
      assert.throws(() => createAdminClient({ baseUrl, apiKey: KEY }), { name: "TypeError", message: /https/ }, baseUrl);
      createAdminClient({ baseUrl, apiKey: KEY, allowInsecureHttp: true });
    }
    for (const baseUrl of ["http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:8080", "http://api.localhost", "http://[::1]:8080", "https://guest-access.example"]) {
      createAdminClient({ baseUrl, apiKey: KEY });
    }
  });

  test("createClient allows http anywhere (a browser page's own origin may be http in development)", () => {
    createClient({ baseUrl: "http://guest-access.internal:8080" });
  });
});

describe("2. Node's own fetch with the SDK's init", () => {
  let server;
  before(async () => {
    server = await scriptedServer((req) => ({ status: req.method === "DELETE" ? 204 : 200, headers: { "content-type": "application/json" }, body: req.method === "DELETE" ? "" : JSON.stringify(tracked) }));
  });
  after(() => server?.close());

  test("Node's fetch takes the SDK's init as it is (manual redirects, credentials)", async () => {
    const client = createClient({ baseUrl: server.url });
    assert.equal((await client.orders.track("gt_x")).data.orderNumber, ORDER);
    assert.deepEqual(await client.orders.signOut("t"), { data: null, error: null });
  });
});
