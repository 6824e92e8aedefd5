// Seed 000 (the storefront SDK page the contract mirrors) and README.md's copy
// of it, run as written against the real `guest-access demo`. The snippets'
// example values that no page can know — the tracking token
// 'a1b2c3d4-tracking-token' and the code '482913' — are swapped for the demo's
// real ones by the client's `fetch` option, and counted, so nothing else is.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@guest-access/client";
import { relaxedPolicy, repoDir, startDemo } from "./helpers/service.js";
import { documentedKeys, readmeBlock, runStatements } from "./helpers/snippets.js";

// Seed 000's guest-lookup snippets, as they are in shared/seeds/000_55527cce97211afb.txt
// (the email is the page's obfuscation, with a no-break space: U+00A0).
const SCRAPED_EMAIL = "[email\u00a0protected]";
const SEED_TRACKING = `const { data, error } = await client.orders.track('a1b2c3d4-tracking-token');
// data: { orderNumber, status, paymentStatus, fulfillmentStatus, currency,
//         grandTotal, emailMasked, shippingCity, shippingCountry, items, createdAt }`;
const SEED_VERIFIED = `// Step 1: send a 6-digit code to the email on the order (valid 10 minutes).
await client.orders.requestAccessCode('ORD-2026-0042', '${SCRAPED_EMAIL}');

// Step 2: verify the code. On success you get the full detail plus a
// short-lived token (30 min) scoped to this single order.
const { data, error } = await client.orders.verifyAccessCode(
  'ORD-2026-0042',
  '${SCRAPED_EMAIL}',
  '482913',
);
// data: { accessToken, expiresIn, order: <full OrderDetail> }

// Step 3 (optional): re-fetch the detail later using the token, no code needed.
const refetch = await client.orders.getByAccessToken(data.accessToken);`;

// The seed document is kept in the repository (test/fixtures/seed-000.txt, a byte copy of
// shared/seeds/000_55527cce97211afb.txt) so the comparison runs wherever the repository is cloned;
// where the shared folder sits beside the repository, the copy is checked against it too.
const sharedSeed = join(repoDir, "..", "shared", "seeds", "000_55527cce97211afb.txt");
const seedFile = process.env.GUEST_ACCESS_SEED_000 ?? join(repoDir, "sdk", "js", "test", "fixtures", "seed-000.txt");
const DEMO_EMAIL = "jane.doe@example.com";
const ORDER = "ORD-2026-0042";

let service;
let tokens;
before(async () => {
  service = await startDemo({ policy: relaxedPolicy });
  tokens = service.demoTrackingTokens();
});
after(() => service?.stop());

/**
 * A client whose fetch replaces the snippets' example values with the demo's:
 * the example tracking token, the example code (by the code the outbox got
 * after the snippet's own requestAccessCode), and, only if `mapEmail`, the
 * scraped email. Counts every replacement.
 */
function demoClient({ mapEmail }) {
  const swapped = { token: 0, code: 0, email: 0 };
  let messagesBefore = 0;
  const client = createClient({
    baseUrl: service.baseUrl,
    fetch: async (url, init) => {
      let target = url;
      let body = init.body;
      if (target.endsWith("/v1/tracking/a1b2c3d4-tracking-token")) {
        target = target.replace("a1b2c3d4-tracking-token", tokens.get(ORDER));
        swapped.token += 1;
      }
      if (body !== undefined) {
        const fields = JSON.parse(body);
        if (mapEmail && fields.email === SCRAPED_EMAIL) {
          fields.email = DEMO_EMAIL;
          swapped.email += 1;
        }
        if (target.endsWith("/v1/access-codes")) messagesBefore = service.messageCount(ORDER);
        if (target.endsWith("/v1/access-codes/verify") && fields.code === "482913") {
          fields.code = await waitForCode(messagesBefore);
          swapped.code += 1;
        }
        body = JSON.stringify(fields);
      }
      return fetch(target, { ...init, body });
    },
  });
  return { client, swapped };
}

async function waitForCode(before) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mine = service.messages().filter((m) => m.orderNumber === ORDER);
    if (mine.length > before) return mine[mine.length - 1].code;
    if (Date.now() > deadline) throw new Error("the snippet's code request sent no code");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function assertDocumentedShape(data, code) {
  assert.deepEqual(Object.keys(data).filter((k) => k !== "tokenType").sort(), documentedKeys(code).sort(), "the keys the snippet's comment lists");
}

describe("seed 000, as written", () => {
  test("the copies above are the seed's text", (t) => {
    if (!existsSync(seedFile)) {
      // A skip would let CI pass without ever comparing: only an explicit opt-out may.
      if (process.env.GUEST_ACCESS_SEED_OPTIONAL === "1") return t.skip(`seed file not found at ${seedFile} (GUEST_ACCESS_SEED_OPTIONAL=1)`);
      assert.fail(`seed file not found at ${seedFile}: set GUEST_ACCESS_SEED_000 to it, or GUEST_ACCESS_SEED_OPTIONAL=1 to skip this comparison`);
    }
    const seed = readFileSync(seedFile, "utf8");
    if (existsSync(sharedSeed)) assert.equal(seed, readFileSync(sharedSeed, "utf8"), "the repository's copy of seed 000 differs from shared/seeds");
    assert.ok(seed.includes(SEED_TRACKING), "Public Tracking snippet");
    assert.ok(seed.includes(SEED_VERIFIED), "Verified Guest Access snippet");
  });

  test("Public Tracking: data is the masked view the comment lists", async () => {
    const { client, swapped } = demoClient({ mapEmail: true });
    const { data, error } = await runStatements(SEED_TRACKING, client, ["data", "error"]);
    assert.equal(error, null);
    assert.equal(swapped.token, 1);
    assert.equal(data.orderNumber, ORDER);
    assert.equal(data.emailMasked, "j***@e***.com");
    assertDocumentedShape(data, SEED_TRACKING);
  });

  test("Verified Guest Access, with the demo order's email for the obfuscated one", async () => {
    const { client, swapped } = demoClient({ mapEmail: true });
    const { data, error, refetch } = await runStatements(SEED_VERIFIED, client, ["data", "error", "refetch"]);
    assert.equal(error, null);
    assert.deepEqual(swapped, { token: 0, code: 1, email: 2 });
    assertDocumentedShape(data, SEED_VERIFIED);
    assert.equal(data.expiresIn, 1800, "short-lived token (30 min)");
    assert.equal(data.order.email, DEMO_EMAIL, "the full OrderDetail");
    assert.equal(refetch.error, null);
    assert.deepEqual(refetch.data, data.order, "Step 3 re-fetches the same detail");
    await client.orders.signOut(data.accessToken);
  });

  test("Verified Guest Access with the obfuscated email untouched: the calls resolve with invalid_request; the snippet's own data.accessToken then throws", async () => {
    const statuses = [];
    const client = createClient({
      baseUrl: service.baseUrl,
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        statuses.push(response.status);
        return response;
      },
    });
    await assert.rejects(runStatements(SEED_VERIFIED, client, ["data"]), (e) => e instanceof TypeError && /accessToken/.test(e.message));
    assert.deepEqual(statuses, [400, 400], "Step 1 and Step 2 were answered (400: not an email address), Step 3 never sent");
  });
});

describe("README.md's copy of seed 000", () => {
  const tracking = readmeBlock("seed-000:tracking");
  const verified = readmeBlock("seed-000:verified-access");

  test("is the seed's text but for the email", () => {
    assert.equal(tracking, SEED_TRACKING);
    assert.equal(verified, SEED_VERIFIED.replaceAll(SCRAPED_EMAIL, DEMO_EMAIL));
  });

  test("runs against the demo with only the tracking token and the code supplied", async () => {
    const { client, swapped } = demoClient({ mapEmail: false });
    const tracked = await runStatements(tracking, client, ["data", "error"]);
    assert.equal(tracked.error, null);
    assert.equal(tracked.data.orderNumber, ORDER);
    const access = await runStatements(verified, client, ["data", "error", "refetch"]);
    assert.equal(access.error, null);
    assert.equal(access.refetch.data.orderNumber, ORDER);
    assert.deepEqual(swapped, { token: 1, code: 1, email: 0 });
    await client.orders.signOut(access.data.accessToken);
  });
});
