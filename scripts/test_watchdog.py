#!/usr/bin/env python3
"""Ends a `swift test` run that has gone on far longer than it ever takes, and says where it stood.

CI starts it in the background beside `swift test` (whose output it reads from --log, written
line-buffered through `stdbuf`). After --limit seconds it prints, to standard error:

- the tests that started and have not ended, from the log;
- the process tree;
- the pipes `swift test` reads and every process holding them open;
- every thread's backtrace of each test process and of `swift test` (`gdb`, when installed);
- the test PostgreSQL server's sessions that are not idle (`psql`, when the server is configured);
- the tests in flight once more, last, since CI shows the tail of its output;

then kills the test processes (and, if `swift test` still waits, whatever holds its pipes, then
`swift test` itself), so the run ends with a failure instead of running until CI's
own time limit cuts it off with nothing to show. It exits at once, and does nothing, once the
process given with --pid has ended.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

STARTED = re.compile(r'^◇ Test "(.*?)" started\.')
ENDED = re.compile(r'^[✔✘] Test "(.*?)" (?:with \d+ test cases? )?(?:passed|failed)')
SKIPPED = re.compile(r'^[➜↷] Test "(.*?)" skipped')


def in_flight(log_path):
    """Tests that started and have not passed, failed or been skipped, in the order they started."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            lines = log.read().splitlines()
    except OSError as error:
        return [f"(log unreadable: {error})"]
    open_tests = {}
    for line in lines:
        if match := STARTED.match(line):
            open_tests.setdefault(match.group(1), len(open_tests))
        elif (match := ENDED.match(line)) or (match := SKIPPED.match(line)):
            open_tests.pop(match.group(1), None)
    return sorted(open_tests, key=open_tests.get)


def test_processes():
    """PIDs of the test bundles `swift test` runs."""
    found = subprocess.run(["pgrep", "-f", r"PackageTests\.xctest"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def ancestors(pid):
    """The process's parent, its parent's parent, and so on."""
    chain = []
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        chain.append(pid)
    return chain


def pipes_of(pid, fds=None):
    """The pipes among the process's descriptors (all, or those in `fds`)."""
    found = set()
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in names:
        if fds is not None and int(fd) not in fds:
            continue
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("pipe:"):
            found.add(target)
    return found


def bundle_pipes(runners):
    """The pipes `swift test` reads the test bundles' stdout and stderr from, and waits on: the bundles'
    descriptors 1 and 2 while they run; once none runs, `swift test`'s own pipes beyond its standard
    streams that no process it descends from holds (those lead to whatever runs CI)."""
    pipes = set()
    for pid in test_processes():
        pipes |= pipes_of(pid, {1, 2})
    if pipes:
        return pipes
    for runner in runners:
        inherited = set().union(*(pipes_of(parent) for parent in ancestors(runner)))
        pipes |= {pipe for pipe in pipes_of(runner) - pipes_of(runner, {0, 1, 2}) if pipe not in inherited}
    return pipes


def pipe_holders(pipes):
    """Every process holding one of `pipes` open: one that inherited a bundle's output keeps `swift test`
    waiting after the bundle has exited."""
    holders = {pipe: [] for pipe in pipes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target in holders:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:160]
                    holders[target].append((int(pid), f"{pid} (fd {fd}): {command}"))
        except OSError:
            continue
    return holders


def report(limit, log_path, pipes):
    out = sys.stderr
    print(f"\nwatchdog: swift test still running after {limit} s; killing it.", file=out)
    print("watchdog: tests started and not ended:", file=out)
    for name in in_flight(log_path):
        print(f"  {name}", file=out)
    print("watchdog: processes:", file=out)
    tree = subprocess.run(["ps", "-eo", "pid,ppid,etimes,pcpu,args", "--forest"], capture_output=True, text=True)
    for line in tree.stdout.splitlines():
        print("  " + line[:240], file=out)
    print("watchdog: the pipes swift test reads the test bundle's output from, and who holds them:", file=out)
    for pipe, holders in pipe_holders(pipes).items():
        print(f"  {pipe}", file=out)
        for _, holder in holders:
            print(f"    {holder}", file=out)
    gdb = shutil.which("gdb")
    runners = [int(pid) for pid in subprocess.run(["pgrep", "-f", "swift-test"], capture_output=True, text=True).stdout.split()]
    for pid in test_processes() + runners:
        if not gdb:
            print(f"watchdog: no gdb for the backtraces of {pid}", file=out)
            continue
        print(f"watchdog: threads of {pid}:", file=out)
        dump = subprocess.run(
            [gdb, "-p", str(pid), "-batch", "-nx", "-ex", "set pagination off", "-ex", "thread apply all bt 40"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = [line for line in dump.stdout.splitlines() if line.startswith(("#", "Thread"))]
        for line in lines[:6000]:
            print("  " + line[:300], file=out)
    postgres_activity(out)
    # Again at the end: CI shows the tail of its output, and the backtraces above push the first list out of it.
    print("watchdog: (again) tests started and not ended:", file=out)
    for name in in_flight(log_path):
        print(f"  {name}", file=out)
    out.flush()


def postgres_activity(out):
    """The test PostgreSQL server's sessions that are not idle: what a hung test's query waits for."""
    url = os.environ.get("GUEST_ACCESS_TEST_POSTGRES_URL")
    password_file = os.environ.get("GUEST_ACCESS_TEST_POSTGRES_PASSWORD_FILE")
    psql = shutil.which("psql")
    if not (url and password_file and psql):
        return
    try:
        with open(password_file) as f:
            password = f.read().strip()
    except OSError:
        return
    query = (
        "SELECT pid, datname, state, wait_event_type, wait_event, now() - query_start AS running, left(query, 100) "
        "FROM pg_stat_activity WHERE backend_type = 'client backend' AND state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid() ORDER BY query_start"
    )
    try:
        found = subprocess.run(
            [psql, url, "-X", "-c", query], capture_output=True, text=True, timeout=30, env={**os.environ, "PGPASSWORD": password}
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"watchdog: pg_stat_activity unreadable: {error}", file=out)
        return
    print("watchdog: PostgreSQL sessions that are not idle:", file=out)
    for line in (found.stdout + found.stderr).splitlines()[:200]:
        print("  " + line[:240], file=out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, required=True, help="seconds before the run counts as hung")
    parser.add_argument("--log", required=True, help="the run's output, written line by line")
    parser.add_argument("--pid", type=int, required=True, help="the process whose end stops the watch")
    args = parser.parse_args()
    deadline = time.monotonic() + args.limit
    while time.monotonic() < deadline:
        if not alive(args.pid):
            return 0
        time.sleep(2)
    if not alive(args.pid):
        return 0
    runners = [int(pid) for pid in subprocess.run(["pgrep", "-f", "swift-test"], capture_output=True, text=True).stdout.split()]
    pipes = bundle_pipes(runners)
    report(args.limit, args.log, pipes)
    # The test bundle first; then whatever else holds its output pipes; then `swift test`.
    steps = [
        test_processes,
        lambda: [pid for holders in pipe_holders(pipes).values() for pid, _ in holders if pid not in runners],
        lambda: runners,
    ]
    for victims in steps:
        for pid in victims():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for _ in range(10):
            if not alive(args.pid):
                return 1
            time.sleep(1)
    return 1


if __name__ == "__main__":
    sys.exit(main())
