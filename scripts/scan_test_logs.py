#!/usr/bin/env python3
"""Checks the logs of a whole test run for secrets.

`swift test` run with GUEST_ACCESS_TEST_LOG_DIR=DIR leaves DIR/logs.jsonl (every
log line the in-process services wrote) and DIR/secrets.txt (every admin key,
tracking token, code, access token and customer email the tests met). Exits 1
if any secret appears in any line.

A one-time code (six digits) counts only where it stands alone, not inside a
longer run of letters and digits: a random hex key id such as `ka8f8b8529112ebf2`
holds some test's code by chance about once in ten runs (CI, 2026-11-27), and
a code a log line leaked would stand alone (`"code":"529112"`, `code 529112`).
Every longer secret counts anywhere.
"""
import re
import sys

directory = sys.argv[1]
with open(f"{directory}/secrets.txt", encoding="utf-8") as f:
    secrets = {line.strip() for line in f if len(line.strip()) >= 6}
with open(f"{directory}/logs.jsonl", encoding="utf-8") as f:
    lines = f.readlines()


def leaked(secret, line):
    if secret not in line:
        return False
    if not secret.isdigit():
        return True
    return re.search(rf"(?<![0-9A-Za-z]){secret}(?![0-9A-Za-z])", line) is not None


leaks = [(number, secret) for number, line in enumerate(lines, 1) for secret in secrets if leaked(secret, line)]
for number, secret in leaks[:20]:
    print(f"log line {number} contains a secret ({len(secret)} characters, starting {secret[:3]!r})")
print(f"scanned {len(lines)} log lines of the test run for {len(secrets)} secrets: {'LEAKS' if leaks else 'clean'}")
if not lines or not secrets:
    print("nothing to scan: were the tests run with GUEST_ACCESS_TEST_LOG_DIR set?")
    sys.exit(1)
sys.exit(1 if leaks else 0)
