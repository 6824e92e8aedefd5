#!/usr/bin/env python3
"""Checks the logs of a whole test run for secrets.

`swift test` run with GUEST_ACCESS_TEST_LOG_DIR=DIR leaves DIR/logs.jsonl (every
log line the in-process services wrote) and DIR/secrets.txt (every admin key,
tracking token, code, access token and customer email the tests met). Exits 1
if any secret appears in any line.

A one-time code (six digits) is let pass only inside a run of 12 or more hex
digits with a letter among them — a key id, a request id, a digest — where a
random id holds some test's code by chance (`ka8f8b8529112ebf2` did, failing CI
on 2026-11-27). Anywhere else it counts: standalone, after an escape (`\n529112`),
inside an encoding (`%3D529112`), inside a longer number. Every other secret
counts anywhere.
"""
import re
import sys

directory = sys.argv[1]
with open(f"{directory}/secrets.txt", encoding="utf-8") as f:
    secrets = {line.strip() for line in f if len(line.strip()) >= 6}
with open(f"{directory}/logs.jsonl", encoding="utf-8") as f:
    lines = f.readlines()


def inside_hex_id(line, start, end):
    while start > 0 and line[start - 1] in "0123456789abcdef":
        start -= 1
    while end < len(line) and line[end] in "0123456789abcdef":
        end += 1
    run = line[start:end]
    return len(run) >= 12 and any(c in "abcdef" for c in run)


def leaked(secret, line):
    if not secret.isdigit():
        return secret in line
    return any(not inside_hex_id(line, m.start(), m.end()) for m in re.finditer(re.escape(secret), line))


leaks = [(number, secret) for number, line in enumerate(lines, 1) for secret in secrets if leaked(secret, line)]
for number, secret in leaks[:20]:
    print(f"log line {number} contains a secret ({len(secret)} characters, starting {secret[:3]!r})")
print(f"scanned {len(lines)} log lines of the test run for {len(secrets)} secrets: {'LEAKS' if leaks else 'clean'}")
if not lines or not secrets:
    print("nothing to scan: were the tests run with GUEST_ACCESS_TEST_LOG_DIR set?")
    sys.exit(1)
sys.exit(1 if leaks else 0)
