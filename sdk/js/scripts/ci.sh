#!/usr/bin/env bash
# CI for sdk/js (@guest-access/client): builds with tsc, type-checks a strict
# consumer against the built types, and runs the node --test suites, which
# start the real service binary themselves and check `npm pack`. Installs
# nothing: it needs node (>= 18), npm and tsc (Debian: nodejs, npm,
# node-typescript) on the PATH. The Chromium test is skipped, with a
# "SKIPPED: …" line, only where no chromium binary exists; the seed file
# comparison fails without the seed unless GUEST_ACCESS_SEED_OPTIONAL=1.
#
#   sdk/js/scripts/ci.sh /path/to/guest-access
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 /path/to/guest-access   (the built service executable)" >&2
  exit 2
fi
binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\n== sdk/js: %s (%ss)\n' "$1" "$((SECONDS - started))"; }

for tool in node npm tsc; do
  command -v "$tool" >/dev/null || { echo "sdk/js: $tool is not on the PATH (Debian: nodejs, npm, node-typescript)" >&2; exit 1; }
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 18 ] || { echo "sdk/js: node >= 18 is required, found $(node --version)" >&2; exit 1; }
echo "node $(node --version), npm $(npm --version), tsc $(tsc --version | cut -d' ' -f2)"

step "build (tsc -p sdk/js → dist/)"
rm -rf dist test/.generated
tsc -p .

step "types: a strict consumer against the built types (tsc --noEmit)"
tsc --noEmit -p test/types

step "types: a consumer without the DOM lib or @types/node (lib ES2022, types [])"
tsc --noEmit -p test/types/tsconfig.no-dom.json

step "tests (node --test, against $binary)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
GUEST_ACCESS_BINARY="$binary" node --test test/*.test.js 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
count() { grep -Eo "^# $1 [0-9]+" "$log" | tail -1 | grep -Eo '[0-9]+$' || echo 0; }
passed="$(count pass)"
failed=$(( $(count fail) + $(count cancelled) ))
skipped="$(count skipped)"
step "done"
# Every skipped test by name and reason, where no one can miss it (e.g. no Chromium on the machine).
grep -E '^ *ok [0-9]+ - .* # SKIP' "$log" | sed -E 's/^ *ok [0-9]+ - (.*) # SKIP ?(.*)$/SKIPPED: \1 — \2/' || true
echo "sdk-js: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  echo "sdk/js: node --test failed (exit $status)" >&2
  exit 1
fi
