// The suites' own rules: a missing seed file fails seed.test.js (a skip would
// pass CI without ever comparing the README with the seed) unless
// GUEST_ACCESS_SEED_OPTIONAL=1 says it may be absent. Runs seed.test.js in a
// child `node --test` with the seed file pointed elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { sdkDir } from "./helpers/service.js";

/** `node --test test/seed.test.js` with `env` added; resolves to { code, output }. */
function runSeedSuite(env) {
  const childEnv = { ...process.env, ...env };
  // The parent test runner's context would make the child report to it instead of printing.
  delete childEnv.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--test", join("test", "seed.test.js")], { cwd: sdkDir, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

const missing = join(sdkDir, "test", "no-such-seed-file.txt");

test("seed.test.js fails when the seed file is missing", { timeout: 120_000 }, async () => {
  const { code, output } = await runSeedSuite({ GUEST_ACCESS_SEED_000: missing, GUEST_ACCESS_SEED_OPTIONAL: "" });
  assert.notEqual(code, 0, "the suite failed");
  assert.match(output, /seed file not found/);
  assert.match(output, /^# fail [1-9]/m);
});

test("…and only skips that comparison with GUEST_ACCESS_SEED_OPTIONAL=1", { timeout: 120_000 }, async () => {
  const { code, output } = await runSeedSuite({ GUEST_ACCESS_SEED_000: missing, GUEST_ACCESS_SEED_OPTIONAL: "1" });
  assert.equal(code, 0, output.slice(-2000));
  assert.match(output, /^# skipped 1$/m);
  assert.match(output, /^# fail 0$/m);
});
