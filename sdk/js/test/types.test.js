// The published types (dist/*.d.ts) against openapi.yaml, the contract the
// service serves: every schema's properties, which are required, which may be
// null, and every enum (statuses and error codes). A change on either side
// that the other does not follow fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoDir, sdkDir } from "./helpers/service.js";

const openapi = readFileSync(join(repoDir, "openapi.yaml"), "utf8");
const dts = ["types.d.ts", "errors.d.ts"].map((f) => readFileSync(join(sdkDir, "dist", f), "utf8")).join("\n");

/** The lines of `components.schemas.<name>` (4-space key) up to the next schema. */
function schemaBlock(name) {
  const lines = openapi.split("\n");
  const start = lines.findIndex((l) => l === `    ${name}:`);
  assert.ok(start >= 0, `openapi.yaml has no schema ${name}`);
  let end = start + 1;
  while (end < lines.length && !/^ {0,4}\S/.test(lines[end])) end += 1;
  return lines.slice(start + 1, end);
}

/** Properties at `indent` spaces, each with the text of its definition, and the `required` list at `indent - 2`. */
function objectSchema(lines, indent = 8) {
  const text = lines.join("\n");
  const requiredMatch = new RegExp(`^ {${indent - 2}}required:\\s*\\[([^\\]]*)\\]`, "m").exec(text);
  const required = requiredMatch ? requiredMatch[1].split(",").map((s) => s.trim()).filter(Boolean) : [];
  const properties = new Map();
  const at = lines.findIndex((l) => l === `${" ".repeat(indent - 2)}properties:`);
  assert.ok(at >= 0, "a properties block");
  for (let i = at + 1; i < lines.length; i += 1) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const depth = line.length - line.trimStart().length;
    if (depth < indent) break;
    const key = new RegExp(`^ {${indent}}([A-Za-z]+):(.*)$`).exec(line);
    if (key) {
      // Its own line, its direct children and their list entries (a oneOf's "- { type: \"null\" }"),
      // not what its array items or nested objects allow.
      let definition = key[2];
      for (let j = i + 1; j < lines.length && lines[j].length - lines[j].trimStart().length > indent; j += 1) {
        const childDepth = lines[j].length - lines[j].trimStart().length;
        if (childDepth === indent + 2 || (childDepth === indent + 4 && lines[j].trimStart().startsWith("- "))) definition += lines[j];
      }
      properties.set(key[1], definition);
    }
  }
  return { required, properties };
}

function enumOf(lines) {
  const match = /enum:\s*\[([^\]]*)\]/.exec(lines.join("\n"));
  assert.ok(match, "an enum");
  return match[1].split(",").map((s) => s.trim()).filter(Boolean);
}

/** `export interface Name { key?: type; … }` from the .d.ts: key → { optional, type }. */
function interfaceOf(name) {
  const match = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(dts);
  assert.ok(match, `dist has no interface ${name}`);
  const fields = new Map();
  for (const line of match[1].replace(/\/\*\*[\s\S]*?\*\//g, "").split("\n")) {
    const field = /^\s+([A-Za-z]+)(\?)?: (.*);$/.exec(line);
    if (field) fields.set(field[1], { optional: field[2] === "?", type: field[3] });
  }
  return fields;
}

function unionOf(name) {
  const match = new RegExp(`export (?:declare )?type ${name} =([^;]*);`).exec(dts);
  assert.ok(match, `dist has no type ${name}`);
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

function assertSameObject(schemaName, { required, properties }, fields) {
  assert.deepEqual([...fields.keys()].sort(), [...properties.keys()].sort(), `${schemaName}: the same properties`);
  for (const [key, definition] of properties) {
    const field = fields.get(key);
    assert.equal(field.optional, !required.includes(key), `${schemaName}.${key}: optional exactly when openapi.yaml does not require it`);
    const nullable = /"null"/.test(definition);
    assert.equal(/\bnull\b/.test(field.type), nullable, `${schemaName}.${key}: null allowed exactly when openapi.yaml allows it`);
  }
}

const objects = [
  ["TrackingView", "TrackedOrder"],
  ["OrderDetail", "OrderDetail"],
  ["PostalAddress", "PostalAddress"],
  ["OrderItem", "OrderItem"],
  ["Fulfillment", "Fulfillment"],
  ["VerifiedAccess", "VerifiedAccess"],
  ["Accepted", "AccessCodeRequested"],
];

for (const [schema, iface] of objects) {
  test(`${iface} matches openapi.yaml's ${schema}`, () => {
    assertSameObject(schema, objectSchema(schemaBlock(schema)), interfaceOf(iface));
  });
}

test("TrackedOrderItem matches the tracking view's items", () => {
  const block = schemaBlock("TrackingView");
  const itemsAt = block.findIndex((l) => l === "          items:");
  assertSameObject("TrackingView.items", objectSchema(block.slice(itemsAt), 14), interfaceOf("TrackedOrderItem"));
});

test("MintedTrackingToken matches the mint answer", () => {
  const path = openapi.slice(openapi.indexOf("  /v1/admin/tracking-tokens:"), openapi.indexOf("  /v1/admin/orders/"));
  const answer = path.slice(path.indexOf('"201":'));
  assert.match(answer, /required: \[trackingToken\]/);
  assert.deepEqual([...interfaceOf("MintedTrackingToken").keys()], ["trackingToken"]);
});

for (const name of ["OrderStatus", "PaymentStatus", "FulfillmentStatus"]) {
  test(`${name} is openapi.yaml's enum`, () => {
    assert.deepEqual(unionOf(name), enumOf(schemaBlock(name)));
  });
}

test("ServiceErrorCode is openapi.yaml's error code enum", () => {
  assert.deepEqual(unionOf("ServiceErrorCode").sort(), enumOf(schemaBlock("Error")).sort());
});

test("the SDK's own error codes are not the service's", () => {
  const service = new Set(enumOf(schemaBlock("Error")));
  const own = unionOf("ClientErrorCode");
  assert.deepEqual(own.sort(), ["aborted", "invalid_argument", "network_error", "timeout", "unexpected_response"]);
  for (const code of own) assert.ok(!service.has(code), code);
});
