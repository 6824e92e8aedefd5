#!/usr/bin/env python3
"""Load figures for BENCHMARKS.md: wrk against the release build on loopback,
each guest-access route beside a baseline measured in the same run.

Baselines (Benchmarks/ package, `baseline-server`): a bare Hummingbird route
(`GET /bare`) for the read routes, and a bare route doing one SQLite WAL
commit at the same `synchronous` (`POST /commit`) for verify and request code.
Reference rows (`GET /track/TOKEN` and `GET /refetch` on the baseline server)
do a tracking lookup's and a token re-fetch's own work and nothing else, read
against the same bare route: the floor under those two routes on this stack.

  swift build -c release --product guest-access
  swift build -c release --package-path Benchmarks --product baseline-server
  python3 scripts/load_bench.py --duration 10 --connections 64
  python3 scripts/load_bench.py --soak 600          # RSS over a 10-minute mixed load
  python3 scripts/load_bench.py --frame --frame-layers headers --paired --reads-only --repeat 5
                                                    # the read targets only, five paired rounds

Only ever targets 127.0.0.1. Prints a Markdown table; never fails on a figure.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(url, method=method, data=body.encode() if body else None, headers=headers or {})
    if body:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def cpu_seconds(pid):
    """User plus system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


# The token `TrackingReference` in baseline-server stores.
REFERENCE_TOKEN = "gt_" + "R" * 32


def reference_access_token():
    """The HS256 token `RefetchReference` in baseline-server accepts (key: 32 bytes of 0x2a)."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(b'{"jti":"reference-jti","sub":"ORD-2026-0042"}')
    return signing_input + "." + b64(hmac.new(b"\x2a" * 32, signing_input.encode(), hashlib.sha256).digest())

LUA_POST = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
"""


def wrk(url, seconds, connections, threads, lua=None, header=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(lua)
        script.close()
        command += ["-s", script.name]
    if header:
        command += ["-H", header]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    return parse_wrk(output)


def to_ms(text):
    value, unit = float(re.match(r"([\d.]+)", text).group(1)), re.sub(r"[\d.]", "", text)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(output):
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M)
        result[f"p{pct}"] = to_ms(match.group(1)) if match else float("nan")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: (.*)", output)
    result["errors"] = errors.group(1).strip() if errors else ""
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    return result


class RSSSampler(threading.Thread):
    def __init__(self, pid, interval=0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.samples, self.stop = pid, interval, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.samples.append((time.time(), rss_kib(self.pid)))
            except OSError:
                return
            self.stop.wait(self.interval)


def start_services(args, work, wrap_service=(), wrap_baseline=(), timeout=30, deliveries=None, log_level="warning",
                   baseline_frame=None):
    """Starts the service and the baseline server; `wrap_*` prefix a command (a tool that runs the
    process under it, such as valgrind), `timeout` is how long each may take to listen,
    `deliveries` replaces the policy's `parallelDeliveries` (each idle delivery worker claims from
    the queue once a second, and at once when a request is queued; every 100 ms before 2026-11-28). At `warning`, the default here, the service writes no access-log line (at
    `info`, its own default, one per request). `baseline_frame` ("service", "folded" or "headers")
    starts the baseline server with `BASELINE_FRAME` set to it: the service's route table and its
    four middleware layers, or one, empty or setting the contract's four response headers, around
    the reference handlers (`ServiceFrame` in Benchmarks/Sources)."""
    binary, baseline = args.binary, args.baseline
    subprocess.run([binary, "keys", "init", "--data-dir", work + "/data"], check=True, capture_output=True)
    policy = open(os.path.join(ROOT, "policy/default.yaml")).read()
    policy = re.sub(r"responseFloorMilliseconds: \d+", "responseFloorMilliseconds: 0", policy)
    policy = re.sub(r"perClientBurst: \d+", "perClientBurst: 100000", policy)
    policy = re.sub(r"perClientPerSecond: \d+", "perClientPerSecond: 100000", policy)
    if deliveries is not None:
        policy = re.sub(r"parallelDeliveries: \d+", f"parallelDeliveries: {deliveries}", policy)
    synchronous = re.search(r"synchronous: (\w+)", policy).group(1)
    with open(work + "/policy.yaml", "w") as f:
        f.write(policy)
    admin_key = "bench-admin-" + os.urandom(24).hex()
    fd = os.open(work + "/admin-key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, admin_key.encode())
    os.close(fd)
    port, base_port = free_port(), free_port()
    service = subprocess.Popen(
        [*wrap_service, binary, "serve", "--port", str(port), "--data-dir", work + "/data", "--policy", work + "/policy.yaml",
         "--orders", os.path.join(ROOT, "Benchmarks/load-orders.json"), "--admin-key-file", work + "/admin-key",
         "--mailer", "file:" + work + "/outbox.jsonl", "--log-level", log_level],
        stdout=subprocess.DEVNULL, stderr=open(work + "/service.log", "w"))
    environment = {key: value for key, value in os.environ.items() if key != "BASELINE_FRAME"}
    if baseline_frame:
        environment["BASELINE_FRAME"] = baseline_frame
    bare = subprocess.Popen([*wrap_baseline, baseline, str(base_port), work + "/baseline.sqlite", synchronous],
                            stdout=subprocess.DEVNULL, stderr=open(work + "/baseline.log", "w"), env=environment)
    wait_port(port, timeout)
    wait_port(base_port, timeout)
    return service, bare, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{base_port}", admin_key, synchronous


def credentials(base, admin_key, work):
    status, body = http("POST", base + "/v1/admin/tracking-tokens", '{"orderNumber":"ORD-2026-0042"}',
                        {"Authorization": "Bearer " + admin_key})
    assert status == 201, (status, body)
    tracking = json.loads(body)["trackingToken"]
    status, _ = http("POST", base + "/v1/access-codes", '{"orderNumber":"ORD-2026-0042","email":"jane.doe@example.com"}')
    assert status == 202
    code = None
    for _ in range(100):
        if os.path.exists(work + "/outbox.jsonl"):
            lines = open(work + "/outbox.jsonl").read().splitlines()
            if lines:
                code = json.loads(lines[-1])["code"]
                break
        time.sleep(0.1)
    status, body = http("POST", base + "/v1/access-codes/verify",
                        json.dumps({"orderNumber": "ORD-2026-0042", "email": "jane.doe@example.com", "code": code}))
    assert status == 200, (status, body)
    return tracking, json.loads(body)["accessToken"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/guest-access"))
    parser.add_argument("--baseline", default=os.path.join(ROOT, "Benchmarks/.build/release/baseline-server"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the table this many times; each ratio is per run, the table shows medians")
    parser.add_argument("--soak", type=int, default=0, help="seconds of mixed load while sampling RSS (no route table)")
    parser.add_argument("--idle", type=int, default=0,
                        help="seconds to measure the idle service's CPU time (no load, no route table)")
    parser.add_argument("--log-level", default="warning",
                        help="the service's (warning: no access-log line; info, the service's default: one per request)")
    parser.add_argument("--frame", action="store_true",
                        help="also run the reference handlers inside the service's route table and empty middleware "
                        "layers (a second baseline server, BASELINE_FRAME=service): the floor on this design")
    parser.add_argument("--frame-layers", choices=["service", "folded", "headers"], default="service",
                        help="with --frame: the service's four empty layers, one (folded), or one setting the "
                        "contract's four response headers (headers)")
    parser.add_argument("--paired", action="store_true",
                        help="run each route's baseline again just before it and take the route's ratios against "
                        "that run: the machine's speed drifting within a round then moves both alike")
    parser.add_argument("--reads-only", action="store_true",
                        help="only the read routes (tracking, re-fetch, their references and the bare route), not "
                        "verify and request code: more rounds of the read targets in the same time")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    work = tempfile.mkdtemp(prefix="guest-access-load-")
    service, bare, base, baseline, admin_key, synchronous = start_services(args, work, log_level=args.log_level)
    frame, frame_base = None, None
    try:
        if args.frame:
            frame_port = free_port()
            frame = subprocess.Popen([args.baseline, str(frame_port), work + "/frame.sqlite", synchronous],
                                     stdout=subprocess.DEVNULL, stderr=open(work + "/frame.log", "w"),
                                     env=dict(os.environ, BASELINE_FRAME=args.frame_layers))
            wait_port(frame_port)
            frame_base = f"http://127.0.0.1:{frame_port}"
            # A misrouted frame would answer 404s fast and read as a high ratio.
            for path, header in (("/v1/tracking/" + REFERENCE_TOKEN, {}),
                                 ("/v1/guest/order", {"Authorization": "Bearer " + reference_access_token()})):
                status, _ = http("GET", frame_base + path, None, header)
                assert status == 200, (path, status)
        tracking, access = credentials(base, admin_key, work)
        if args.soak:
            return soak(args, service.pid, base, tracking, access)
        if args.idle:
            return idle(args, service.pid)
        verify_body = '{"orderNumber":"ORD-2026-0042","email":"jane.doe@example.com","code":"000000"}'
        request_body = '{"orderNumber":"ORD-1999-0000","email":"someone@example.com"}'
        runs = [
            ("bare route (baseline)", baseline + "/bare", None, None, None, "bare", "baseline"),
            ("tracking view", base + "/v1/tracking/" + tracking, None, None, "service", "bare", 0.70),
            ("tracking's own work alone (reference: SHA-256, one SQLite read, the view's bytes)",
             baseline + "/track/" + REFERENCE_TOKEN, None, None, None, "bare", "reference"),
            ("token re-fetch", base + "/v1/guest/order", None, "Authorization: Bearer " + access, "service", "bare", 0.70),
            ("re-fetch's own work alone (reference: HMAC, one SQLite statement of two point reads, the order's bytes)", baseline + "/refetch",
             None, "Authorization: Bearer " + reference_access_token(), None, "bare", "reference"),
        ]
        if frame:
            layers = {"service": "empty layers", "folded": "one empty layer",
                      "headers": "one layer setting the four response headers"}[args.frame_layers]
            runs += [
                (f"tracking's reference in the service's frame (route table, {layers})",
                 frame_base + "/v1/tracking/" + REFERENCE_TOKEN, None, None, "frame", "bare", "reference"),
                (f"re-fetch's reference in the service's frame (route table, {layers})", frame_base + "/v1/guest/order",
                 None, "Authorization: Bearer " + reference_access_token(), "frame", "bare", "reference"),
            ]
        runs += [] if args.reads_only else [
            (f"bare route + one WAL commit, synchronous={synchronous} (baseline)", baseline + "/commit",
             LUA_POST % "{}", None, None, "commit", "baseline"),
            ("verify, wrong code (floor off)", base + "/v1/access-codes/verify", LUA_POST % verify_body, None, "service", "commit", 0.50),
            ("request code", base + "/v1/access-codes", LUA_POST % request_body, None, "service", "commit", 0.50),
        ]
        def measure(url, lua, header, measured):
            sampler = RSSSampler(service.pid)
            sampler.start()
            served_by = {"service": service.pid, "frame": frame.pid if frame else None}.get(measured, bare.pid)
            cpu_before = cpu_seconds(served_by)
            result = wrk(url, args.duration, args.connections, args.threads, lua, header)
            result["cpu_us"] = (cpu_seconds(served_by) - cpu_before) * 1e6 / max(result["requests"], 1)
            sampler.stop.set()
            sampler.join()
            result["rss_peak_mib"] = (max((s for _, s in sampler.samples), default=0) / 1024 if measured == "service"
                                      else float("nan"))
            time.sleep(1)
            return result

        baseline_runs = {group: run for run in runs for group in [run[5]] if run[6] == "baseline"}
        rounds = []
        for _ in range(args.repeat):
            results, baselines = [], {}
            for name, url, lua, header, measured, group, target in runs:
                if args.paired and target != "baseline":
                    _, base_url, base_lua, base_header, base_measured, _, _ = baseline_runs[group]
                    before = measure(base_url, base_lua, base_header, base_measured)
                    baselines[group], baselines[group + "-cpu"] = before["rps"], before["cpu_us"]
                result = measure(url, lua, header, measured)
                if args.paired and target != "baseline":
                    result["paired_baseline_rps"] = baselines[group]
                if target == "baseline":
                    baselines[group], baselines[group + "-cpu"] = result["rps"], result["cpu_us"]
                result["ratio"] = result["rps"] / baselines[group]
                result["cpu_ratio"] = baselines[group + "-cpu"] / result["cpu_us"]
                results.append((name, result, group, target))
            rounds.append(results)
        print(f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, loopback, "
              f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
              + (f", median of {args.repeat} runs (ratios per run)" if args.repeat > 1 else "")
              + (", each route's ratios against its baseline run just before it (--paired)" if args.paired else "")
              + "\n")
        print("| route | req/s | ratio to its baseline | target | p50 ms | p99 ms | non-2xx | CPU µs per request "
              "(baseline's / this) | service RSS peak MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for index, (name, _, group, target) in enumerate(rounds[0]):
            runs_of = [results[index][1] for results in rounds]
            r = {key: statistics.median(run[key] for run in runs_of)
                 for key in ("rps", "ratio", "p50", "p99", "non2xx", "cpu_us", "cpu_ratio")}
            rss_values = [run["rss_peak_mib"] for run in runs_of]
            rss = "—" if rss_values[0] != rss_values[0] else f"{max(rss_values):.1f}"
            target_text = "—" if target in ("baseline", "reference") else f"≥ {target:.0%}"
            spread = "" if args.repeat == 1 or target == "baseline" else \
                f" ({min(run['ratio'] for run in runs_of):.2f}–{max(run['ratio'] for run in runs_of):.2f})"
            cpu = f"{r['cpu_us']:.1f}" + ("" if target == "baseline" else f" ({r['cpu_ratio']:.2f})")
            print(f"| {name} | {r['rps']:.0f} | {r['ratio']:.2f}{spread} | {target_text} | {r['p50']:.2f} | {r['p99']:.2f} | "
                  f"{r['non2xx']:.0f} | {cpu} | {rss} |")
        if args.paired:
            print("\neach route's own baseline runs (--paired), median req/s:\n")
            for index, (name, _, _, target) in enumerate(rounds[0]):
                if target != "baseline":
                    paired = statistics.median(results[index][1]["paired_baseline_rps"] for results in rounds)
                    print(f"- {name}: {paired:.0f}")
        print(f"\nservice VmHWM (peak RSS over the whole run): {rss_kib(service.pid, 'VmHWM') / 1024:.1f} MiB")
    finally:
        stop((service, bare) + ((frame,) if frame else ()))
        shutil.rmtree(work, ignore_errors=True)


def stop(processes):
    """SIGTERM to each, then a kill for any still running after 15 s."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def idle(args, pid):
    """CPU time the service uses while nothing is asked of it (its delivery workers, timers, pools)."""
    time.sleep(3)
    before = cpu_seconds(pid)
    time.sleep(args.idle)
    used = cpu_seconds(pid) - before
    print(f"idle service, {args.idle} s: {used:.3f} s of CPU ({used / args.idle:.2%} of a core)")


def soak(args, pid, base, tracking, access):
    """Mixed load (tracking, re-fetch, verify, request) for args.soak seconds; RSS every 10 s."""
    lua = """
local n = 0
request = function()
  n = n + 1
  local k = n %% 4
  if k == 0 then return wrk.format("GET", "/v1/tracking/%s") end
  if k == 1 then return wrk.format("GET", "/v1/guest/order", {["Authorization"] = "Bearer %s"}) end
  if k == 2 then return wrk.format("POST", "/v1/access-codes/verify", {["Content-Type"] = "application/json"},
    '{"orderNumber":"ORD-2026-0043","email":"x@example.com","code":"000000"}') end
  return wrk.format("POST", "/v1/access-codes", {["Content-Type"] = "application/json"},
    '{"orderNumber":"ORD-1999-0000","email":"someone@example.com"}')
end
""" % (tracking, access)
    sampler = RSSSampler(pid, interval=10)
    sampler.start()
    result = wrk(base + "/", args.soak, 16, args.threads, lua)
    sampler.stop.set()
    sampler.join()
    samples = [kib / 1024 for _, kib in sampler.samples]
    minute = max(1, len(samples) // (args.soak // 60 or 1))
    first, last = samples[:minute], samples[-minute:]
    print(f"soak: {args.soak} s of mixed load, wrk -c16, {result['requests']} requests, {result['rps']:.0f} req/s, "
          f"non-2xx {result['non2xx']} (401s from verify are expected)")
    print("RSS MiB every 10 s: " + " ".join(f"{s:.1f}" for s in samples))
    print(f"first minute max {max(first):.1f} MiB, last minute max {max(last):.1f} MiB, "
          f"growth {max(last) - max(first):+.1f} MiB; VmHWM {rss_kib(pid, 'VmHWM') / 1024:.1f} MiB")
    if args.soak >= 1200:
        # The measure: growth over the last 10 minutes (the minute before them against the last minute).
        tail = samples[-(minute * 11):-(minute * 10)] or samples[:minute]
        print(f"last 10 minutes: {max(tail):.1f} → {max(last):.1f} MiB, growth {max(last) - max(tail):+.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())
