// The built package in a real browser (headless Chromium, when the machine has
// it; skipped otherwise): loaded as an ES module from a storefront origin that
// proxies /ga/ to the real service (the README's same-origin setup), every
// guest call, aborts, a closed port, a cross-origin call the service does not
// allow (no CORS), and createAdminClient refusing to run in a page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createServer, request as httpRequest } from "node:http";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { closedPort } from "./helpers/peers.js";
import { relaxedPolicy, sdkDir, startDemo, tempDir } from "./helpers/service.js";

function findChromium() {
  for (const name of [process.env.CHROMIUM, "chromium", "chromium-browser", "google-chrome"]) {
    if (!name) continue;
    try {
      return execFileSync("sh", ["-c", `command -v "${name}"`], { encoding: "utf8" }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const chromium = findChromium();
const ORDER = "ORD-2026-0042";
const EMAIL = "jane.doe@example.com";

let service;
let shop;
let shopUrl;
let profile;
// The page POSTs its findings to /test/result: the browser runs in real time (no virtual-time
// budget, which leaps over a pending body read to the SDK's next timer) until then.
let reportResult;
const pageResult = new Promise((resolve) => {
  reportResult = resolve;
});

const page = (token, serviceUrl, closed) => `<!doctype html>
<meta charset="utf-8"><title>shop</title><pre id="out">running</pre>
<script type="module">
import { createClient, createAdminClient } from "/sdk/index.js";
const out = {};
try {
  const client = createClient({ baseUrl: location.origin + "/ga" });
  const tracked = await client.orders.track(${JSON.stringify(token)});
  out.track = tracked.error ? tracked.error.code : tracked.data.emailMasked;
  const missing = await client.orders.track("gt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  out.notFound = [missing.error.code, missing.error.status, typeof missing.error.requestId];
  const asked = await client.orders.requestAccessCode(${JSON.stringify(ORDER)}, ${JSON.stringify(EMAIL)});
  out.requested = asked.data && asked.data.status;
  const code = await (await fetch("/test/code")).text();
  const verified = await client.orders.verifyAccessCode(${JSON.stringify(ORDER)}, ${JSON.stringify(EMAIL)}, code);
  out.expiresIn = verified.data && verified.data.expiresIn;
  const refetch = await client.orders.getByAccessToken(verified.data.accessToken);
  out.refetch = refetch.data && refetch.data.orderNumber;
  out.signOut = (await client.orders.signOut(verified.data.accessToken)).error;
  out.afterSignOut = (await client.orders.getByAccessToken(verified.data.accessToken)).error.code;
  const wrong = await client.orders.verifyAccessCode(${JSON.stringify(ORDER)}, ${JSON.stringify(EMAIL)}, "000000");
  out.wrongCode = wrong.error.code;
  const controller = new AbortController();
  const pending = client.orders.track("gt_x", { signal: controller.signal });
  controller.abort();
  out.aborted = (await pending).error.code;
  out.closedPort = (await createClient({ baseUrl: "http://127.0.0.1:${closed}" }).orders.track("gt_x")).error.code;
  out.crossOrigin = ((await createClient({ baseUrl: ${JSON.stringify(serviceUrl)} }).orders.track(${JSON.stringify(token)})).error || {}).code || "allowed";
  try {
    createAdminClient({ baseUrl: location.origin + "/ga", apiKey: "k".repeat(43) });
    out.admin = "created";
  } catch (e) {
    out.admin = /refusing to run in a browser/.test(e.message) ? "refused" : String(e);
  }
} catch (e) {
  out.exception = String(e && e.stack || e);
}
document.getElementById("out").textContent = JSON.stringify(out);
await fetch("/test/result", { method: "POST", body: JSON.stringify(out) });
</script>`;

before(async () => {
  if (!chromium) return;
  service = await startDemo({ policy: relaxedPolicy });
  profile = await tempDir("ga-sdk-chromium-");
  const token = service.demoTrackingTokens().get(ORDER);
  const closed = await closedPort();
  let codesBefore = 0;
  shop = createServer((req, res) => {
    if (req.url === "/") {
      codesBefore = service.messageCount(ORDER);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page(token, service.baseUrl, closed));
    } else if (req.url.startsWith("/sdk/") && /^\/sdk\/[a-z]+\.js$/.test(req.url)) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(readFileSync(join(sdkDir, "dist", req.url.slice(5))));
    } else if (req.url === "/test/code") {
      // Test only: the code the file mailer got, as a shopper would read it from the email.
      const deadline = Date.now() + 10_000;
      const poll = () => {
        const mine = service.messages().filter((m) => m.orderNumber === ORDER);
        if (mine.length > codesBefore) res.end(mine[mine.length - 1].code);
        else if (Date.now() > deadline) res.end("");
        else setTimeout(poll, 50);
      };
      poll();
    } else if (req.url === "/test/result" && req.method === "POST") {
      const chunks = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => {
        res.writeHead(204).end();
        reportResult(Buffer.concat(chunks).toString("utf8"));
      });
    } else if (req.url.startsWith("/ga/")) {
      // The storefront's reverse proxy: /ga/… → the service, same origin for the page.
      const upstream = httpRequest(`${service.baseUrl}${req.url.slice(3)}`, { method: req.method, headers: { ...req.headers, host: `127.0.0.1:${service.port}` } }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
    } else {
      res.writeHead(404).end();
    }
  });
  shop.listen(0, "127.0.0.1");
  await once(shop, "listening");
  shopUrl = `http://127.0.0.1:${shop.address().port}/`;
});

after(async () => {
  shop?.closeAllConnections?.();
  shop?.close();
  await service?.stop();
  if (profile) await rm(profile, { recursive: true, force: true });
});

test("in headless Chromium: every guest call, abort, network_error, no CORS, and no admin client", { timeout: 60_000 }, async (t) => {
  if (!chromium) return t.skip("no chromium on this machine (apt-get install chromium to run this test)");
  const browser = spawn(
    chromium,
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", `--user-data-dir=${profile}`, shopUrl],
    // Its own process group, so that the renderer and helper processes end with it.
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  const stderr = [];
  browser.stderr.setEncoding("utf8").on("data", (chunk) => stderr.push(chunk));
  const exited = new Promise((resolve) => browser.once("exit", resolve));
  let text;
  try {
    let timer;
    const deadline = new Promise((resolve) => {
      timer = setTimeout(resolve, 45_000, undefined);
    });
    text = await Promise.race([pageResult, deadline, exited.then(() => undefined)]);
    clearTimeout(timer);
  } finally {
    if (browser.exitCode === null && browser.signalCode === null) process.kill(-browser.pid, "SIGKILL");
    await exited;
  }
  assert.ok(text !== undefined, `the page reported no result (Chromium's stderr: ${stderr.join("").slice(-1500)})`);
  const out = JSON.parse(text);
  assert.equal(out.exception, undefined, "nothing threw in the page");
  assert.deepEqual(out, {
    track: "j***@e***.com",
    notFound: ["not_found", 404, "string"],
    requested: "accepted",
    expiresIn: 1800,
    refetch: ORDER,
    signOut: null,
    afterSignOut: "unauthorized",
    wrongCode: "invalid_code",
    aborted: "aborted",
    closedPort: "network_error",
    crossOrigin: "network_error",
    admin: "refused",
  });
});
