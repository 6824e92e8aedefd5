#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: a figure for the read routes that does
not move with the machine's noise, unlike the req/s and CPU figures of `load_bench.py`.

For each route it starts the serving process (the release `guest-access serve` with
`load_bench.py`'s policy, or `baseline-server` for the bare route and the references) under
`valgrind --tool=callgrind`, warms the route up, zeroes the counters, sends `--requests` requests
one after another on one keep-alive connection, dumps the counters, then dumps them again after
an idle spell as long as the requests took (timers and idle threads: the service runs one delivery
worker here, not the policy's 8; until 2026-11-28 each idle worker polled the queue 10 times a
second and their polls were a fifth of the instructions counted, now once a second), and prints user-space
instructions per request with the idle spell's subtracted, and the bare route's count over the
route's (the load table's ratio, in instructions).

What it does not count: the kernel's work (socket reads and writes, the WAL read mark's `fcntl`
calls), which is much of a small request's CPU time, and cache misses. Read it for what the service
adds in user space and for each change's effect on that, not as the load table's ratio.

  swift build -c release --product guest-access
  swift build -c release --package-path Benchmarks --product baseline-server
  python3 scripts/instructions_per_request.py                     # every route, 2,000 requests each
  python3 scripts/instructions_per_request.py --route tracking --functions 40

Routes: `bare`, `tracking`, `refetch`, their references (`tracking-reference`,
`refetch-reference`: the route's own work on a bare router), and `bare-frame`, `tracking-frame`,
`refetch-frame`: the bare route and the two reference handlers inside the service's route table and
middleware layers, the layers empty (`baseline-server` with `BASELINE_FRAME=service`), the floor on
this design; `bare-folded`, `tracking-folded`, `refetch-folded`: the same with one empty layer
instead of four (`BASELINE_FRAME=folded`); `tracking-headers`, `refetch-headers`: that one layer
setting the four headers the contract puts on every response (`BASELINE_FRAME=headers`). `--route` takes several, separated by commas.

`--functions N` also prints the N functions with the most inclusive instructions per request
(`callgrind_annotate --inclusive=yes`, demangled). Only ever targets 127.0.0.1; never fails on a
figure.
"""
import argparse
import glob
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_bench  # noqa: E402

ROUTES = ["bare", "tracking", "tracking-reference", "tracking-frame", "refetch", "refetch-reference", "refetch-frame",
          "bare-frame", "bare-folded", "tracking-folded", "refetch-folded", "tracking-headers", "refetch-headers"]
# Routes served by the baseline server in a frame, and the `BASELINE_FRAME` it is started with:
# `service`, the reference handlers inside the service's route table and its four middleware layers,
# empty (`ServiceFrame`); `folded`, one empty layer instead; `headers`, that one layer setting the
# contract's four response headers. A framed route's path is the frame's, whatever its layers.
FRAMES = {"frame": "service", "folded": "folded", "headers": "headers"}
SERVED_BY_BASELINE = {"bare", "tracking-reference", "refetch-reference"} | {
    route for route in ROUTES if route.rsplit("-", 1)[-1] in FRAMES}


def total_instructions(path):
    """The `summary:`/`totals:` figure of a callgrind dump (instructions, the first event)."""
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"no totals in {path}")


def self_costs(path):
    """Each function's own instructions (not its callees') and each object file's, from a callgrind
    dump (`--dump-instr=no`: one position, the line). Names are compressed as `(id) name` on first
    use and `(id)` after; a cost line right after `calls=` is that call's inclusive cost, not the
    caller's own, and is skipped."""
    names = {"ob": {}, "fn": {}}
    functions, objects = {}, {}
    ob, fn, after_call = "?", "?", False

    def name(kind, text):
        text = text.strip()
        match = re.match(r"\((\d+)\)\s*(.*)", text)
        if not match:
            return text
        if match.group(2):
            names[kind][match.group(1)] = match.group(2)
        return names[kind].get(match.group(1), text)

    with open(path) as f:
        for line in f:
            if line.startswith("ob="):
                ob = name("ob", line[3:])
            elif line.startswith("fn="):
                fn = name("fn", line[3:])
            elif line.startswith("cob="):
                name("ob", line[4:])
            elif line.startswith("cfn="):
                name("fn", line[4:])
            elif line.startswith("calls="):
                after_call = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                if after_call:
                    after_call = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    cost = int(parts[1])
                    key = (fn, os.path.basename(ob))
                    functions[key] = functions.get(key, 0) + cost
                    objects[key[1]] = objects.get(key[1], 0) + cost
    return functions, objects


def dump(pid, work, label):
    """Dumps callgrind's counters now and returns the new file."""
    before = set(glob.glob(os.path.join(work, "callgrind.out*")))
    subprocess.run(["callgrind_control", "-d", label, str(pid)], check=True, capture_output=True)
    for _ in range(600):
        new = set(glob.glob(os.path.join(work, "callgrind.out*"))) - before
        if new:
            time.sleep(0.5)  # let the file be written out
            return new.pop()
        time.sleep(0.1)
    raise SystemExit("callgrind wrote no dump")


def send(port, path, header, count):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {}
    if header:
        name, value = header.split(": ", 1)
        headers[name] = value
    statuses = set()
    for _ in range(count):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses.add(response.status)
    connection.close()
    return statuses


# libdispatch's `dispatch_main` waits in `sigsuspend` on a mask in read-only memory, which valgrind
# 3.19 (Debian 12's) writes to, and crashes; the serving process waits on a copy instead.
SIGSUSPEND_SHIM = """
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, 8);
}
"""


def prepare(args, work):
    """The sigsuspend shim, and copies of both binaries without their DWARF 5 debug sections (which
    valgrind 3.19 cannot read; the symbol table stays, so functions keep their names)."""
    with open(os.path.join(work, "shim.c"), "w") as f:
        f.write(SIGSUSPEND_SHIM)
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", os.path.join(work, "shim.so"), os.path.join(work, "shim.c")],
                   check=True)
    stripped = argparse.Namespace(**vars(args))
    for name in ("binary", "baseline"):
        copy = os.path.join(work, name)
        subprocess.run(["objcopy", "--strip-debug", getattr(args, name), copy], check=True)
        setattr(stripped, name, copy)
    return stripped


def frame_of(route):
    """How the baseline server is started for `route`: `BASELINE_FRAME`'s value, or None."""
    return FRAMES.get(route.rsplit("-", 1)[-1]) if route != "bare" else None


def measure(args, route, work):
    callgrind = ["env", f"LD_PRELOAD={work}/shim.so", "valgrind", "--tool=callgrind",
                 f"--callgrind-out-file={work}/callgrind.out", "--dump-instr=no"]
    on_baseline = route in SERVED_BY_BASELINE
    service, bare, base, baseline, admin_key, _ = load_bench.start_services(
        prepare(args, work), work, wrap_service=() if on_baseline else callgrind, wrap_baseline=callgrind if on_baseline else (),
        timeout=180, deliveries=1, log_level=args.log_level, baseline_frame=frame_of(route))
    try:
        tracking, access = load_bench.credentials(base, admin_key, work)
        path, header = {
            "bare": ("/bare", None),
            "bare-frame": ("/bare", None),
            "tracking": ("/v1/tracking/" + tracking, None),
            "tracking-reference": ("/track/" + load_bench.REFERENCE_TOKEN, None),
            "tracking-frame": ("/v1/tracking/" + load_bench.REFERENCE_TOKEN, None),
            "refetch": ("/v1/guest/order", "Authorization: Bearer " + access),
            "refetch-reference": ("/refetch", "Authorization: Bearer " + load_bench.reference_access_token()),
            "refetch-frame": ("/v1/guest/order", "Authorization: Bearer " + load_bench.reference_access_token()),
        }[route.rsplit("-", 1)[0] + "-frame" if frame_of(route) else route]
        served = bare if on_baseline else service
        port = int((baseline if on_baseline else base).rsplit(":", 1)[1])
        statuses = send(port, path, header, args.warmup)
        if statuses != {200}:
            raise SystemExit(f"{route}: answers {statuses}, not 200")
        subprocess.run(["callgrind_control", "-z", str(served.pid)], check=True, capture_output=True)
        started = time.monotonic()
        send(port, path, header, args.requests)
        elapsed = time.monotonic() - started
        busy = dump(served.pid, work, "requests")
        subprocess.run(["callgrind_control", "-z", str(served.pid)], check=True, capture_output=True)
        time.sleep(elapsed)
        idle = dump(served.pid, work, "idle")
        per_request = (total_instructions(busy) - total_instructions(idle)) / args.requests
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            shutil.copy(busy, os.path.join(args.keep, f"{route}-requests.callgrind"))
            shutil.copy(idle, os.path.join(args.keep, f"{route}-idle.callgrind"))
        busy_functions, busy_objects = self_costs(busy)
        idle_functions, idle_objects = self_costs(idle)
        objects = {key: (value - idle_objects.get(key, 0)) / args.requests for key, value in busy_objects.items()}
        functions = {key: (value - idle_functions.get(key, 0)) / args.requests for key, value in busy_functions.items()}
        return per_request, total_instructions(idle), elapsed, objects, functions
    finally:
        load_bench.stop((service, bare))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(load_bench.ROOT, ".build/release/guest-access"))
    parser.add_argument("--baseline", default=os.path.join(load_bench.ROOT, "Benchmarks/.build/release/baseline-server"))
    parser.add_argument("--route", default="all",
                        help="all, or routes separated by commas (the bare route is always measured first): "
                        + ", ".join(ROUTES))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--functions", type=int, default=0)
    parser.add_argument("--log-level", default="warning",
                        help="the service's; at info it writes an access-log line per request (to a file here)")
    parser.add_argument("--keep", help="a directory to copy each route's two dumps to, for callgrind_annotate")
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control", "callgrind_annotate", "objcopy", "cc"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found: apt-get install valgrind")

    asked = ROUTES if args.route.strip() == "all" else \
        list(dict.fromkeys(route.strip() for route in args.route.split(",") if route.strip()))
    unknown = [route for route in asked if route not in ROUTES]
    if unknown:
        raise SystemExit(f"unknown route {', '.join(unknown)}; routes: {', '.join(ROUTES)}")
    routes = ["bare"] + [route for route in asked if route != "bare"]
    results = {}
    for route in routes:
        work = tempfile.mkdtemp(prefix="guest-access-instructions-")
        try:
            results[route] = measure(args, route, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    bare = results["bare"][0]
    print(f"\ncallgrind, {args.requests} sequential requests on one keep-alive connection after {args.warmup} "
          f"to warm up, {time.strftime('%Y-%m-%d')}\n")
    print("| route | instructions per request | bare route's / this | idle spell's instructions |")
    print("|---|---:|---:|---:|")
    for route in routes:
        per_request, idle, elapsed, _, _ = results[route]
        print(f"| {route} | {per_request:,.0f} | {bare / per_request:.2f} | {idle:,} in {elapsed:.1f} s |")
    print("\nBy object file, instructions per request (each function's own, the idle spell's subtracted):\n")
    names = sorted({name for route in routes for name in results[route][3]},
                   key=lambda name: -max(results[route][3].get(name, 0) for route in routes))
    print("| object | " + " | ".join(routes) + " |")
    print("|---|" + "---:|" * len(routes))
    for name in names:
        values = [results[route][3].get(name, 0) for route in routes]
        if max(values) >= 100:
            print(f"| {name} | " + " | ".join(f"{value:,.0f}" for value in values) + " |")
    if args.functions:
        for route in routes:
            top = sorted(results[route][4].items(), key=lambda item: -item[1])[:args.functions]
            demangled = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(fn for (fn, _), _ in top),
                                       capture_output=True, text=True).stdout.splitlines()
            print(f"\n{route}: the {args.functions} functions with the most own instructions per request\n")
            print("| function | object | instructions per request |")
            print("|---|---|---:|")
            for ((_, ob), cost), name in zip(top, demangled):
                print(f"| {name[:150]} | {ob} | {cost:,.0f} |")


if __name__ == "__main__":
    main()
