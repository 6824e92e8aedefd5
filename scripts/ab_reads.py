#!/usr/bin/env python3
"""Two builds of the service compared on the read routes, round by round, A then B then A...

`load_bench.py --paired` pairs each route with a baseline run just before it, but two builds
measured one after the other (each `--repeat 5`, about 8 minutes) still see different machines:
on the shared two cores the bare route has moved from 57,000 to 73,000 req/s between two such runs
(BENCHMARKS.md, 2026-11-29 (night)). This script alternates the builds instead: each round runs
`load_bench.py --paired --reads-only --repeat 1` for A and then for B (B first in even-numbered rounds), so
the machine's drift falls on both alike, and it prints each round's ratios and CPU per request
side by side, and the median of the per-round differences B - A.

  python3 scripts/ab_reads.py --a OLD_BINARY --b NEW_BINARY --rounds 5

About 3.5 minutes a round. Only ever targets 127.0.0.1; never fails on a figure.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUTES = {"tracking view": "tracking", "token re-fetch": "re-fetch",
          "tracking's own work alone": "tracking's reference", "re-fetch's own work alone": "re-fetch's reference"}


def measure(binary, baseline, duration):
    """One paired round of `load_bench.py`: {route: (ratio, cpu_us)}."""
    output = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts/load_bench.py"), "--binary", binary, "--baseline", baseline,
         "--paired", "--reads-only", "--repeat", "1", "--duration", str(duration)],
        capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 8:
            continue
        for prefix, name in ROUTES.items():
            if cells[0].startswith(prefix):
                ratio = float(re.match(r"[0-9.]+", cells[2]).group(0))
                cpu = float(re.match(r"[0-9.]+", cells[7]).group(0))
                rows[name] = (ratio, cpu)
        if cells[0].startswith("bare route"):
            rows["bare route"] = (1.0, float(re.match(r"[0-9.]+", cells[7]).group(0)))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True, help="the build measured against (before)")
    parser.add_argument("--b", required=True, help="the build compared (after)")
    parser.add_argument("--baseline", default=os.path.join(ROOT, "Benchmarks/.build/release/baseline-server"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()

    results = {"a": [], "b": []}
    for round_number in range(args.rounds):
        order = ["a", "b"] if round_number % 2 == 0 else ["b", "a"]
        for which in order:
            results[which].append(measure(getattr(args, which), args.baseline, args.duration))
        print(f"round {round_number + 1}: " + "; ".join(
            f"{name} A {results['a'][-1][name][0]:.2f} B {results['b'][-1][name][0]:.2f}"
            for name in ["tracking", "re-fetch"]), flush=True)

    names = ["bare route"] + list(ROUTES.values())
    print(f"\n{args.rounds} rounds, A then B (B first in even-numbered rounds), each `load_bench.py --paired "
          f"--reads-only --repeat 1 --duration {args.duration}`; A = {args.a}, B = {args.b}\n")
    print("| route | A: ratio, median (range) | B: ratio, median (range) | B - A per round, median (range) "
          "| A: CPU µs | B: CPU µs |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        a = [r[name] for r in results["a"] if name in r]
        b = [r[name] for r in results["b"] if name in r]
        if not a or not b:
            continue
        differences = [rb[0] - ra[0] for ra, rb in zip(a, b)]

        def spread(values):
            return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"
        print(f"| {name} | {spread([x[0] for x in a])} | {spread([x[0] for x in b])} | "
              f"{statistics.median(differences):+.2f} ({min(differences):+.2f} to {max(differences):+.2f}) | "
              f"{statistics.median([x[1] for x in a]):.1f} | {statistics.median([x[1] for x in b]):.1f} |")


if __name__ == "__main__":
    main()
