#!/usr/bin/env python3
"""Ends a `swift test` run that has gone on far longer than it ever takes, and says where it stood.

CI starts it in the background beside `swift test` (whose output it reads from --log, written
line-buffered through `stdbuf`). After --limit seconds it prints, to standard error:

- the tests that started and have not ended, from the log;
- the process tree;
- the pipes `swift test` reads and every process holding them open;
- every thread's backtrace of each test process and of `swift test` (`gdb`, when installed);

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


def pipe_holders():
    """For each pipe `swift test` reads (its test bundle's output), every process holding it open.

    `swift test` reads the bundle's stdout and stderr through pipes and waits for them to close: a
    process that inherited one keeps it waiting after the bundle has exited.
    """
    runners = subprocess.run(["pgrep", "-f", "swift-test"], capture_output=True, text=True).stdout.split()
    pipes = {}
    for pid in runners:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("pipe:"):
                    pipes.setdefault(target, [])
        except OSError:
            continue
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target in pipes:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:160]
                    pipes[target].append(f"{pid} (fd {fd}): {command}")
        except OSError:
            continue
    return pipes


def report(limit, log_path):
    out = sys.stderr
    print(f"\nwatchdog: swift test still running after {limit} s; killing it.", file=out)
    print("watchdog: tests started and not ended:", file=out)
    for name in in_flight(log_path):
        print(f"  {name}", file=out)
    print("watchdog: processes:", file=out)
    tree = subprocess.run(["ps", "-eo", "pid,ppid,etimes,pcpu,args", "--forest"], capture_output=True, text=True)
    for line in tree.stdout.splitlines():
        print("  " + line[:240], file=out)
    print("watchdog: the pipes swift test reads, and who holds them:", file=out)
    for pipe, holders in pipe_holders().items():
        print(f"  {pipe}", file=out)
        for holder in holders:
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
    out.flush()


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
    report(args.limit, args.log)
    # The test bundle first; then whatever still holds the pipes `swift test` waits on; then `swift test`.
    runners = subprocess.run(["pgrep", "-f", "swift-test"], capture_output=True, text=True).stdout.split()
    steps = [
        test_processes,
        lambda: [int(h.split()[0]) for holders in pipe_holders().values() for h in holders if h.split()[0] not in runners],
        lambda: [int(pid) for pid in runners],
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
