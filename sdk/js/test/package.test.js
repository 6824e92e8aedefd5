// The package as a storefront gets it: `npm pack` (after the build) holds
// only package.json, README.md and dist/*.js + dist/*.d.ts; installed from the
// tarball into a scratch project with no registry (`npm install --offline`),
// it is imported by its name through package.json "exports", talks to the
// real service, and its types compile a strict consumer.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { relaxedPolicy, sdkDir, startDemo, tempDir } from "./helpers/service.js";

const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8"));

let work;
let tarball;
let packed;
let scratch;

before(async () => {
  assert.ok(existsSync(join(sdkDir, "dist", "index.js")), "dist/ is built first (tsc -p sdk/js; scripts/ci.sh does)");
  work = await tempDir("ga-sdk-pack-");
  const env = { ...process.env, npm_config_cache: join(work, "npm-cache"), npm_config_update_notifier: "false" };
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: sdkDir, env });
  packed = JSON.parse(stdout)[0];
  tarball = join(work, packed.filename);
  scratch = join(work, "shop");
  await run("mkdir", ["-p", scratch]);
  await writeFile(join(scratch, "package.json"), JSON.stringify({ name: "scratch-shop", private: true, type: "module" }));
  await run("npm", ["install", tarball, "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: scratch, env });
});
after(() => (work ? rm(work, { recursive: true, force: true }) : undefined));

describe("npm pack", () => {
  test("the tarball holds package.json, README.md, dist/*.js and dist/*.d.ts, nothing else", () => {
    const modules = readdirSync(join(sdkDir, "src")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
    const expected = ["README.md", "package.json", ...modules.flatMap((m) => [`dist/${m}.d.ts`, `dist/${m}.js`])].sort();
    assert.deepEqual(packed.files.map((f) => f.path).sort(), expected);
    assert.equal(packed.name, "@guest-access/client");
    assert.equal(packed.version, packageJson.version);
  });

  test("package.json: ESM, exports with types and default, Node >= 18, no dependencies of any kind", () => {
    assert.equal(packageJson.type, "module");
    assert.deepEqual(packageJson.exports["."], { types: "./dist/index.d.ts", default: "./dist/index.js" });
    assert.equal(Object.keys(packageJson.exports["."])[0], "types", "types first, as TypeScript requires");
    assert.equal(packageJson.engines.node, ">=18");
    for (const kind of ["dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies", "devDependencies"]) {
      assert.equal(packageJson[kind], undefined, `no ${kind}`);
    }
  });

  test("no built file imports anything but the package's own modules, uses Node-only globals, or logs", () => {
    for (const file of readdirSync(join(sdkDir, "dist")).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(sdkDir, "dist", file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
      for (const match of text.matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"/g)) {
        assert.match(match[1], /^\.\/[a-z]+\.js$/, `${file} imports ${match[1]}`);
      }
      assert.ok(!/\brequire\(|\bprocess\.|\bBuffer\b/.test(text), `${file} uses nothing Node-only`);
      assert.ok(!/\bconsole\./.test(text), `${file} logs nothing`);
    }
  });
});

describe("installed from the tarball into a scratch project", () => {
  let service;
  before(async () => {
    service = await startDemo({ policy: relaxedPolicy });
  });
  after(() => service?.stop());

  test("is a real copy (not a link to the source) with the packed files only", () => {
    const installed = join(scratch, "node_modules", "@guest-access", "client");
    assert.ok(!lstatSync(installed).isSymbolicLink());
    assert.ok(!existsSync(join(installed, "src")) && !existsSync(join(installed, "test")));
    assert.ok(existsSync(join(installed, "dist", "index.d.ts")));
  });

  test("is imported by its name and calls the real service", async () => {
    await writeFile(
      join(scratch, "shop.mjs"),
      `import { createClient, createAdminClient } from "@guest-access/client";
const client = createClient({ baseUrl: process.env.BASE });
const tracked = await client.orders.track(process.env.TOKEN);
const admin = createAdminClient({ baseUrl: process.env.BASE, apiKey: process.env.KEY });
const minted = await admin.trackingTokens.mint("ORD-2026-0043");
const again = await client.orders.track(minted.data.trackingToken);
console.log(JSON.stringify({ tracked: tracked.data.orderNumber, again: again.data.orderNumber }));
`,
    );
    const env = { ...process.env, BASE: service.baseUrl, TOKEN: service.demoTrackingTokens().get("ORD-2026-0042"), KEY: service.adminKey };
    const { stdout } = await run(process.execPath, ["shop.mjs"], { cwd: scratch, env });
    assert.deepEqual(JSON.parse(stdout), { tracked: "ORD-2026-0042", again: "ORD-2026-0043" });
  });

  test("resolves through package.json exports: deep imports are refused", async () => {
    const probe = `import { createRequire } from "node:module";
const out = {};
try { await import("@guest-access/client/dist/client.js"); out.deep = "allowed"; } catch (e) { out.deep = e.code; }
out.pkg = createRequire(import.meta.url)("@guest-access/client/package.json").name;
console.log(JSON.stringify(out));
`;
    await writeFile(join(scratch, "probe.mjs"), probe);
    const { stdout } = await run(process.execPath, ["probe.mjs"], { cwd: scratch });
    assert.deepEqual(JSON.parse(stdout), { deep: "ERR_PACKAGE_PATH_NOT_EXPORTED", pkg: "@guest-access/client" });
  });

  test("types: a consumer without the DOM lib or @types/node compiles (lib ES2022, types [])", async () => {
    await copyFile(join(sdkDir, "test", "types", "no-dom.ts"), join(scratch, "no-dom.ts"));
    const config = join(scratch, "tsconfig.no-dom.json");
    await writeFile(
      config,
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", lib: ["ES2022"], strict: true, noEmit: true, types: [] },
        files: ["no-dom.ts"],
      }),
    );
    await run("tsc", ["-p", config], { cwd: scratch }).catch((e) => {
      throw new Error(`tsc failed:\n${e.stdout}`);
    });
  });

  for (const resolution of ["node16", "node"]) {
    test(`types: a strict consumer compiles with tsc --noEmit (moduleResolution ${resolution})`, async () => {
      await copyFile(join(sdkDir, "test", "types", "consumer.ts"), join(scratch, "consumer.ts"));
      const config = join(scratch, `tsconfig.${resolution}.json`);
      await writeFile(
        config,
        JSON.stringify({
          compilerOptions: {
            target: "ES2020",
            module: resolution === "node16" ? "node16" : "ES2020",
            moduleResolution: resolution,
            lib: ["ES2020", "DOM"],
            strict: true,
            noEmit: true,
            types: [],
          },
          files: ["consumer.ts"],
        }),
      );
      const { stdout } = await run("tsc", ["-p", config, "--traceResolution"], { cwd: scratch, maxBuffer: 64 * 1024 * 1024 }).catch((e) => {
        throw new Error(`tsc failed:\n${e.stdout.split("\n").filter((l) => /error TS/.test(l)).join("\n")}`);
      });
      const resolved = /Module name '@guest-access\/client' was successfully resolved to '([^']+)'/.exec(stdout)?.[1];
      assert.equal(resolved, join(scratch, "node_modules", "@guest-access", "client", "dist", "index.d.ts"));
    });
  }
});
