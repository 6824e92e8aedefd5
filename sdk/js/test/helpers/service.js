// Starts the real guest-access binary for the tests: `demo` (the README's demo,
// demo orders, file mailer) or `serve` (a keyring made with `keys init`, an
// orders file or a provider URL). Each instance gets its own temporary data
// directory, listens on 127.0.0.1 with --port 0, and is stopped by `stop()`.
// Nothing here prints tokens, codes, keys or emails.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const sdkDir = fileURLToPath(new URL("../..", import.meta.url));
export const repoDir = join(sdkDir, "..", "..");

/** The service executable, from GUEST_ACCESS_BINARY (scripts/ci.sh sets it). */
export function binary() {
  const path = process.env.GUEST_ACCESS_BINARY;
  if (!path) throw new Error("set GUEST_ACCESS_BINARY to the guest-access executable (scripts/ci.sh BINARY does)");
  if (!existsSync(path)) throw new Error(`GUEST_ACCESS_BINARY does not exist: ${path}`);
  return path;
}

/** Hides anything that looks like a secret before text reaches a test's output. */
export function redact(text) {
  return String(text)
    .replace(/gt_[A-Za-z0-9_-]{8,}/g, "gt_…")
    .replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, "<jwt>")
    .replace(/"code":"\d{6}"/g, '"code":"……"')
    .replace(/[^\s"'<>@]+@[^\s"'<>@]+/g, "<email>");
}

/**
 * The repository's policy/default.yaml with some keys changed, written to
 * `dir/policy.yaml`. A key is `name` or `section.name`; it must occur exactly
 * once (in its section), so a renamed key fails loudly.
 */
export async function writePolicy(dir, overrides) {
  let text = await readFile(join(repoDir, "policy", "default.yaml"), "utf8");
  for (const [path, value] of Object.entries(overrides)) {
    const [section, key] = path.includes(".") ? path.split(".") : [undefined, path];
    let start = 0;
    let end = text.length;
    if (section) {
      const header = new RegExp(`^${section}:[ \t]*$`, "m").exec(text);
      if (!header) throw new Error(`policy/default.yaml has no section ${section}`);
      start = header.index + header[0].length;
      const next = /^\S/m.exec(text.slice(start + 1));
      if (next) end = start + 1 + next.index;
    }
    const pattern = new RegExp(`^(\\s+${key}:)[^\\n#]*`, "gm");
    const body = text.slice(start, end);
    const hits = body.match(pattern)?.length ?? 0;
    if (hits !== 1) throw new Error(`policy/default.yaml has ${hits} "${path}" lines, expected 1`);
    text = text.slice(0, start) + body.replace(pattern, `$1 ${value}`) + text.slice(end);
  }
  const path = join(dir, "policy.yaml");
  await writeFile(path, text);
  return path;
}

/** A new private temporary directory (mode 0700, as the service requires of its data directory). */
export async function tempDir(prefix = "ga-sdk-") {
  return mkdtemp(join(tmpdir(), prefix));
}

class Service {
  constructor({ child, dir, dataDir, adminKey, outbox, stdout, stderr, port }) {
    Object.assign(this, { child, dir, dataDir, adminKey, outbox, port });
    this.stdoutChunks = stdout;
    this.stderrChunks = stderr;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  get stdout() {
    return this.stdoutChunks.join("");
  }

  get stderr() {
    return this.stderrChunks.join("");
  }

  /** `demo` prints one tracking token per demo order: Map orderNumber → token. */
  demoTrackingTokens() {
    const tokens = new Map();
    for (const match of this.stdout.matchAll(/\/v1\/tracking\/(gt_[A-Za-z0-9_-]+)\s+#\s+(ORD-[0-9-]+)/g)) {
      tokens.set(match[2], match[1]);
    }
    return tokens;
  }

  /** The file mailer's messages (JSON lines), oldest first. */
  messages() {
    if (!existsSync(this.outbox)) return [];
    return readFileSync(this.outbox, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
  }

  /**
   * Runs `action` (which should request a code) and returns the code the file
   * mailer wrote for `orderNumber` after it. Codes go out from a queue, so
   * this polls the outbox.
   */
  async codeAfter(orderNumber, action, { timeoutMs = 10_000 } = {}) {
    const before = this.messages().filter((m) => m.orderNumber === orderNumber).length;
    await action();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mine = this.messages().filter((m) => m.orderNumber === orderNumber);
      if (mine.length > before) return mine[mine.length - 1].code;
      if (Date.now() > deadline) throw new Error(`no code for ${orderNumber} reached the outbox within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Whether any message went to the outbox for `orderNumber` (without returning it). */
  messageCount(orderNumber) {
    return this.messages().filter((m) => m.orderNumber === orderNumber).length;
  }

  async stop() {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function launch(args, { dir, dataDir, adminKey, outbox }) {
  const stdout = [];
  const stderr = [];
  const child = spawn(binary(), args, { stdio: ["ignore", "pipe", "pipe"], env: cleanEnv() });
  // If the test process ends without stop() (a crash, a cancelled run), take the service with it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  child.stdout.setEncoding("utf8").on("data", (chunk) => stdout.push(chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => stderr.push(chunk));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error("the service did not log \"listening\" within 30 s")), 30_000);
    const check = () => {
      const line = stderr.join("").split("\n").find((l) => l.includes('"msg":"listening"'));
      if (line) finish(null, Number(JSON.parse(line).port));
    };
    const onExit = (code, signal) => finish(new Error(`the service exited early (${code ?? signal})`));
    function finish(error, value) {
      clearTimeout(timer);
      child.stderr.off("data", check);
      child.off("exit", onExit);
      if (error) {
        child.kill("SIGKILL");
        reject(new Error(`${error.message}; its stderr:\n${redact(stderr.join("").slice(-2000))}`));
      } else resolve(value);
    }
    child.stderr.on("data", check);
    child.once("exit", onExit);
  });
  if (!Number.isInteger(port) || port <= 0) throw new Error("the listening line named no port");
  return new Service({ child, dir, dataDir, adminKey, outbox, stdout, stderr, port });
}

/** The environment without GUEST_ACCESS_* settings a developer may have exported (they would change the service's flags). */
function cleanEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GUEST_ACCESS_")) env[key] = value;
  return env;
}

/** `guest-access demo --port 0`, optionally with a policy file. */
export async function startDemo(options = {}) {
  const dir = await tempDir();
  return cleaningUp(dir, () => demoIn(dir, options));
}

/** Runs `start`; if it fails, removes `dir` before passing the failure on. */
async function cleaningUp(dir, start) {
  try {
    return await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function demoIn(dir, { policy }) {
  const dataDir = join(dir, "data");
  const args = ["demo", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir];
  if (policy) args.push("--policy", await writePolicy(dir, policy));
  const service = await launch(args, { dir, dataDir, outbox: join(dataDir, "outbox.jsonl") });
  service.adminKey = (await readFile(join(dataDir, "admin-key"), "utf8")).trim();
  return service;
}

/**
 * `guest-access serve --port 0` on a new data directory: `keys init`, a fresh
 * admin key file (0600), the file mailer, and either `orders` (written as the
 * embedded provider's file) or `providerUrl`.
 */
export async function startServe(options = {}) {
  const dir = await tempDir();
  return cleaningUp(dir, () => serveIn(dir, options));
}

async function serveIn(dir, { orders, providerUrl, policy, trustedProxies }) {
  const dataDir = join(dir, "data");
  await mkdir(dataDir, { mode: 0o700 });
  execFileSync(binary(), ["keys", "init", "--data-dir", dataDir], { stdio: "ignore", env: cleanEnv() });
  const adminKey = randomBytes(32).toString("base64url");
  const keyFile = join(dir, "admin-key");
  await writeFile(keyFile, adminKey, { mode: 0o600 });
  const outbox = join(dataDir, "outbox.jsonl");
  const args = ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, "--admin-key-file", keyFile];
  args.push("--mailer", `file:${outbox}`, "--drain-delay-seconds", "0");
  if (orders) {
    const ordersFile = join(dir, "orders.json");
    await writeFile(ordersFile, JSON.stringify(orders));
    args.push("--orders", ordersFile);
  } else if (providerUrl) {
    args.push("--provider-url", providerUrl);
  } else {
    throw new Error("startServe needs orders or providerUrl");
  }
  if (policy) args.push("--policy", await writePolicy(dir, policy));
  if (trustedProxies) args.push("--trusted-proxies", trustedProxies);
  return launch(args, { dir, dataDir, adminKey, outbox });
}

/** A policy for suites that make many calls quickly: the default but for the per-client and per-order limits. */
export const relaxedPolicy = {
  perClientBurst: 10000,
  perClientPerSecond: 10000,
  perOrderLimit: 100,
  perEmailLimit: 1000,
};
