#!/usr/bin/env python3
"""Load figures on PostgreSQL for BENCHMARKS.md: verify (wrong code) and
request code with 1 and 3 replicas on one database, each beside a bare
Hummingbird route doing one PostgreSQL commit (baseline-server's postgres
mode, a 16-connection postgres-nio pool like the service's), measured in the
same run against the same server.

  swift build -c release --product guest-access
  swift build -c release --package-path Benchmarks --product baseline-server
  . scripts/postgres_test_server.sh && postgres_test_server
  python3 scripts/pg_load_bench.py --duration 10 --connections 48 --replicas 1,3 [--repeat 3] [--only "request code"]

With N replicas, N wrk processes run at once, each with connections/N
connections against its own replica (a load balancer's even spread): req/s is
their sum, p50 the median of their p50s, p99 the largest of their p99s. Around
each run it also reads the CPU time (`/proc`) of the processes serving the
route and of every PostgreSQL process: CPU per request, and the CPU ratio (the
baseline's total per request over the route's), which depends less than req/s
on how the two cores were shared during the run.
Only ever targets 127.0.0.1. Never fails on a figure.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_bench  # noqa: E402  (wrk, free_port, wait_port, LUA_POST)

ROOT = load_bench.ROOT


# Verifies spread over orders that do not exist, a new number each time: the enumeration case, and
# what shows whether verifies of different orders wait for one another (the decoy rows).
LUA_MANY_ORDERS = """
local n = 0
math.randomseed(os.time())
request = function()
  n = n + 1
  local body = string.format('{"orderNumber":"ORD-U%d-%d","email":"x@example.com","code":"000000"}', math.random(1, 999999999), n)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""


def psql(server, password, sql):
    url = urllib.parse.urlparse(server)
    env = dict(os.environ, PGPASSWORD=password)
    subprocess.run(["psql", "-q", "-h", url.hostname, "-p", str(url.port), "-U", url.username, "-d", "postgres", "-c", sql],
                   check=True, env=env, capture_output=True)


def wrk_spread(urls, seconds, connections, lua):
    """One wrk per URL at once, connections split evenly; summed req/s, median p50, worst p99."""
    each = max(1, connections // len(urls))
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(lua)
    script.close()
    processes = [subprocess.Popen(["wrk", "-t1", f"-c{each}", f"-d{seconds}s", "--latency", "-s", script.name, url],
                                  stdout=subprocess.PIPE, text=True) for url in urls]
    results = [load_bench.parse_wrk(p.communicate()[0]) for p in processes]
    os.unlink(script.name)
    p50s = sorted(r["p50"] for r in results)
    return {
        "rps": sum(r["rps"] for r in results),
        "p50": p50s[len(p50s) // 2],
        "p99": max(r["p99"] for r in results),
        "non2xx": sum(r["non2xx"] for r in results),
        "requests": sum(r["requests"] for r in results),
    }


def postgres_cpu_seconds():
    """CPU seconds used so far by every PostgreSQL process (backends, background processes and, through
    the postmaster's children's times, backends that have exited)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if not stat[stat.index("(") + 1:stat.rindex(")")].startswith("postgres"):
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
    return total


def median(values):
    """The middle value, or the mean of the two middle ones (until 2026-11-29: the upper one)."""
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/guest-access"))
    parser.add_argument("--baseline", default=os.path.join(ROOT, "Benchmarks/.build/release/baseline-server"))
    parser.add_argument("--server", default=os.environ.get("GUEST_ACCESS_TEST_POSTGRES_URL"),
                        help="postgres://USER@127.0.0.1:PORT/… of a server whose role may create databases")
    parser.add_argument("--password-file", default=os.environ.get("GUEST_ACCESS_TEST_POSTGRES_PASSWORD_FILE"))
    parser.add_argument("--replicas", default="1,3")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=48)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the four runs; the table gives medians and ranges")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the routes whose label contains this word (repeatable), beside the baseline")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    if not args.server or not args.password_file:
        raise SystemExit("no PostgreSQL server: source scripts/postgres_test_server.sh and run postgres_test_server")
    server = urllib.parse.urlparse(args.server)
    if server.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("load tests only ever target 127.0.0.1")
    password = open(args.password_file).read().strip()

    work = tempfile.mkdtemp(prefix="guest-access-pg-load-")
    subprocess.run([args.binary, "keys", "init", "--data-dir", work + "/keys"], check=True, capture_output=True)
    policy = open(os.path.join(ROOT, "policy/default.yaml")).read()
    policy = re.sub(r"responseFloorMilliseconds: \d+", "responseFloorMilliseconds: 0", policy)
    policy = re.sub(r"perClientBurst: \d+", "perClientBurst: 100000", policy)
    policy = re.sub(r"perClientPerSecond: \d+", "perClientPerSecond: 100000", policy)
    with open(work + "/policy.yaml", "w") as f:
        f.write(policy)
    fd = os.open(work + "/admin-key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, ("bench-admin-" + os.urandom(24).hex()).encode())
    os.close(fd)

    verify_body = '{"orderNumber":"ORD-2026-0042","email":"jane.doe@example.com","code":"000000"}'
    request_body = '{"orderNumber":"ORD-1999-0000","email":"someone@example.com"}'
    rows = []
    peaks = []
    processes = []
    databases = []
    try:
        for count in [int(n) for n in args.replicas.split(",")]:
            name = "ga_bench_" + os.urandom(6).hex()
            databases += [name, name + "_base"]
            psql(args.server, password, f"CREATE DATABASE {name}")
            psql(args.server, password, f"CREATE DATABASE {name}_base")
            database = f"postgres://{server.username}@{server.hostname}:{server.port}/{name}?sslmode=disable"
            base_port = load_bench.free_port()
            baseline_process = subprocess.Popen(
                [args.baseline, str(base_port), "postgres", f"{server.hostname}:{server.port}/{name}_base", server.username,
                 args.password_file], stdout=subprocess.DEVNULL, stderr=open(work + "/baseline.log", "a"))
            processes.append(baseline_process)
            urls = []
            replicas = []
            for index in range(count):
                data = f"{work}/{name}-replica-{index}"
                os.makedirs(data, mode=0o700)
                shutil.copy2(work + "/keys/keyring.json", data + "/keyring.json")
                port = load_bench.free_port()
                processes.append(subprocess.Popen(
                    [args.binary, "serve", "--port", str(port), "--data-dir", data, "--policy", work + "/policy.yaml",
                     "--orders", os.path.join(ROOT, "Benchmarks/load-orders.json"), "--admin-key-file", work + "/admin-key",
                     "--mailer", "file:" + work + "/outbox.jsonl", "--log-level", "warning",
                     "--database", database, "--database-password-file", args.password_file],
                    stdout=subprocess.DEVNULL, stderr=open(f"{data}/service.log", "w")))
                replicas.append(processes[-1].pid)
                load_bench.wait_port(port)
                urls.append(f"http://127.0.0.1:{port}")
            load_bench.wait_port(base_port)
            runs = [
                ("bare route + one PostgreSQL commit (baseline)", [f"http://127.0.0.1:{base_port}/commit"],
                 load_bench.LUA_POST % "{}"),
                ("verify, wrong code, one order (floor off)", [u + "/v1/access-codes/verify" for u in urls],
                 load_bench.LUA_POST % verify_body),
                ("verify, wrong code, a different unknown order each time", [u + "/v1/access-codes/verify" for u in urls],
                 LUA_MANY_ORDERS),
                ("request code", [u + "/v1/access-codes" for u in urls], load_bench.LUA_POST % request_body),
            ]
            # The baseline always runs first in a round; --only keeps the routes whose label contains a given word.
            runs = runs[:1] + [run for run in runs[1:] if not args.only or any(word in run[0] for word in args.only)]
            for _ in range(args.repeat):
                baseline = None
                for label, targets, lua in runs:
                    # CPU per request of the processes serving the route (the replicas, or the baseline) and of PostgreSQL.
                    serving = [baseline_process.pid] if baseline is None else replicas
                    before = (sum(load_bench.cpu_seconds(pid) for pid in serving), postgres_cpu_seconds())
                    result = wrk_spread(targets, args.duration, args.connections, lua)
                    after = (sum(load_bench.cpu_seconds(pid) for pid in serving), postgres_cpu_seconds())
                    requests = max(result["requests"], 1)
                    cpu = ((after[0] - before[0]) * 1e6 / requests, (after[1] - before[1]) * 1e6 / requests)
                    baseline = baseline or (result["rps"], cpu[0] + cpu[1])
                    rows.append((count, label, result, result["rps"] / baseline[0], cpu, baseline[1] / (cpu[0] + cpu[1])))
                    time.sleep(1)
            # Each replica's peak RSS over all its runs (issue 16's memory target), read before it stops.
            peaks.extend((count, load_bench.rss_kib(pid, "VmHWM") / 1024) for pid in replicas)
            load_bench.stop(processes)
            processes = []
        print(f"\nwrk --latency, {args.connections} connections in all, {args.duration} s a run, loopback PostgreSQL "
              f"({args.server.split('@')[1].split('/')[0]}), {os.cpu_count()} cores shared by the server, the replicas and wrk, "
              f"{time.strftime('%Y-%m-%d')}\n")
        rounds = f"medians of {args.repeat} rounds (range), " if args.repeat > 1 else ""
        print(f"{rounds}CPU µs per request of the serving processes and of PostgreSQL; CPU ratio: the baseline's total "
              "per request over the route's\n")
        print("| replicas | route | req/s | ratio to the commit baseline | p50 ms | p99 ms | non-2xx | CPU µs serving / PostgreSQL | CPU ratio |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        keys = list(dict.fromkeys((count, label) for count, label, *_ in rows))
        for key in keys:
            group = [row for row in rows if row[:2] == key]
            ratios = [row[3] for row in group]
            ratio = f"{median(ratios):.2f}" + (f" ({min(ratios):.2f}–{max(ratios):.2f})" if len(group) > 1 else "")
            cpu_ratios = [row[5] for row in group]
            cpu_ratio = f"{median(cpu_ratios):.2f}" + (f" ({min(cpu_ratios):.2f}–{max(cpu_ratios):.2f})" if len(group) > 1 else "")
            print(f"| {key[0]} | {key[1]} | {median(row[2]['rps'] for row in group):.0f} | {ratio} | "
                  f"{median(row[2]['p50'] for row in group):.2f} | {median(row[2]['p99'] for row in group):.2f} | "
                  f"{median(row[2]['non2xx'] for row in group)} | "
                  f"{median(row[4][0] for row in group):.0f} / {median(row[4][1] for row in group):.0f} | {cpu_ratio} |")
        for count in dict.fromkeys(count for count, _ in peaks):
            print(f"\npeak RSS (VmHWM) of each of {count} replica(s) over its runs: "
                  + ", ".join(f"{peak:.1f} MiB" for each, peak in peaks if each == count))
        if args.repeat > 1:
            print("\nratio to the commit baseline, round by round (req/s; CPU):\n")
            for key in keys:
                group = [row for row in rows if row[:2] == key]
                print(f"- {key[0]} × {key[1]}: " + ", ".join(f"{row[3]:.2f}; {row[5]:.2f}" for row in group))
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait()
        for database in databases:
            try:
                psql(args.server, password, f"DROP DATABASE IF EXISTS {database}")
            except subprocess.CalledProcessError as error:
                print(f"could not drop {database}: {error.stderr.decode(errors='replace').strip()}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
