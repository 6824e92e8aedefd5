// Runs documentation snippets as they are written: a block of statements
// (with `client` in scope) as the body of an async function, or a whole
// module (with imports) written next to the package so that
// "@guest-access/client" resolves to it by name.
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { sdkDir } from "./service.js";

const AsyncFunction = (async () => {}).constructor;

/** Runs `code` as statements with `client` bound; `expose` names locals to return. */
export function runStatements(code, client, expose) {
  const body = `${code}\nreturn { ${expose.join(", ")} };`;
  return new AsyncFunction("client", body)(client);
}

/** Imports `code` as an ES module (top-level await and imports allowed); `exportLine` is appended. */
export async function importModule(code, exportLine = "") {
  const dir = join(sdkDir, "test", ".generated");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `snippet-${randomUUID()}.mjs`);
  await writeFile(file, `${code}\n${exportLine}\n`);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(file, { force: true });
  }
}

/** The fenced code block that follows `<!-- marker -->` in README.md. */
export function readmeBlock(marker) {
  const text = readFileSync(join(sdkDir, "README.md"), "utf8");
  const at = text.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`README.md has no <!-- ${marker} --> block`);
  const match = /```[a-z]*\n([\s\S]*?)\n```/.exec(text.slice(at));
  if (!match) throw new Error(`no code block after <!-- ${marker} -->`);
  return match[1];
}

/** The local names a `// data: { a, b, c: <…> }` comment lists (the seed documents shapes this way). */
export function documentedKeys(code) {
  const comment = /\/\/ data: \{([\s\S]*?)\}/.exec(code)?.[1];
  if (!comment) throw new Error("no // data: { … } comment");
  return comment
    .replace(/\/\/|<[^>]*>/g, "")
    .split(",")
    .map((part) => part.split(":")[0].trim())
    .filter(Boolean);
}
