#!/usr/bin/env python3
"""Where one route's CPU goes, layer by layer: the profiles behind BENCHMARKS.md's layer tables.

Starts the release service and the baseline server as `load_bench.py` does (same policy, same
orders), floods one route with `wrk -t1 -c64`, records the serving process with
`perf record -F 999 --call-graph dwarf,16384` for a few seconds in the middle of the flood, and
gives each sample to the first layer found walking its stack from the leaf up (so no sample counts
twice). Prints the layers' shares and µs per request under the profiler (the profiler slows the
process; compare routes profiled the same way, not these figures with the load table's).

  swift build -c release --product guest-access
  swift build -c release --package-path Benchmarks --product baseline-server
  python3 scripts/profile_route.py --route refetch          # the service's GET /v1/guest/order
  python3 scripts/profile_route.py --route refetch-reference

Routes: tracking, refetch (the service), tracking-reference, refetch-reference, bare (the baseline
server). Needs `perf` (Debian's linux-perf) and `swift demangle`. Only ever targets 127.0.0.1.
"""
import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_bench  # noqa: E402

# First match from the leaf up names the layer. Order matters only where one frame name contains
# another's pattern.
LAYERS = [
    ("HMAC (OpenSSL)", ("HMACKey.authenticate", "HMAC_Init_ex", "HMAC_Final", "HMAC_Update", "HMAC+0x")),
    ("revocation read (SQLite)", ("SQLiteAccessTokenRevocationStore.standing",)),
    ("tracking read (SQLite)", ("SQLiteTrackingTokenStore",)),
    ("reference read (SQLite)", ("ReferenceLookups",)),
    ("order's JSON (writer)", ("OrderDetail.write",)),
    ("view's JSON (writer)", ("jsonBuffer",)),
    ("response (headers, buffer)", ("ResponseGenerator.response",)),
    ("token read in place (base64url, claims)", ("AccessTokenCodec.inPlace",)),
    ("claims checks, issuer", ("AccessTokenIssuer.authenticate",)),
    ("bearer token read", ("bearerToken",)),
    ("provider metering", ("MeteredOrderProvider",)),
    ("provider (embedded)", ("ConfiguredOrderProvider", "EmbeddedOrderProvider")),
    ("view and mask", ("TrackingView.init", "EmailMask")),
    ("rate limiter", ("RateLimitMiddleware.handle",)),
    ("envelope", ("Envelope.respond",)),
    ("access log", ("AccessLog.write", "RequestIDSource")),
    ("metrics", ("ServiceMetrics.recordRequest",)),
    ("front layer (the rest)", ("FrontMiddleware.handle",)),
    ("authenticator (refusals)", ("AccessTokenAuthenticator",)),
    ("use cases and controllers", ("ReadOrder", "GuestController", "TrackingTokens", "TrackingController")),
    ("reference handler", ("RefetchReference", "TrackingReference")),
    ("router and responder chain (Hummingbird)", ("Responder",)),
    ("HTTP server task (Hummingbird)", ("HTTPChannelHandler",)),
]


def stacks(script_text):
    """perf script's samples as lists of frame names, leaf first."""
    result, current = [], None
    for line in script_text.splitlines():
        if not line.strip():
            if current is not None:
                result.append(current)
            current = None
        elif line[0] not in " \t":
            current = []
        elif current is not None:
            parts = line.strip().split(" ", 1)
            current.append(parts[1] if len(parts) > 1 else "?")
    if current is not None:
        result.append(current)
    return result


def partition(samples):
    pool, loops, layers = 0, 0, collections.Counter()
    for frames in samples:
        if any("swift_job_run" in f for f in frames):
            pool += 1
            layer = "other on the pool (task switches, allocation, runtime)"
            for frame in frames:
                hit = next((name for name, patterns in LAYERS if any(p in frame for p in patterns)), None)
                if hit:
                    layer = hit
                    break
            layers[layer] += 1
        elif any("SelectableEventLoop.run()" in f for f in frames):
            loops += 1
    return pool, loops, layers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(load_bench.ROOT, ".build/release/guest-access"))
    parser.add_argument("--baseline", default=os.path.join(load_bench.ROOT, "Benchmarks/.build/release/baseline-server"))
    parser.add_argument("--route", required=True,
                        choices=["tracking", "refetch", "tracking-reference", "refetch-reference", "bare"])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--frequency", type=int, default=999)
    args = parser.parse_args()
    for tool in ("wrk", "perf", "swift"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found")

    work = tempfile.mkdtemp(prefix="guest-access-profile-")
    service, bare, base, baseline, admin_key, _ = load_bench.start_services(args, work)
    try:
        tracking, access = load_bench.credentials(base, admin_key, work)
        url, header, pid = {
            "tracking": (base + "/v1/tracking/" + tracking, None, service.pid),
            "refetch": (base + "/v1/guest/order", "Authorization: Bearer " + access, service.pid),
            "tracking-reference": (baseline + "/track/" + load_bench.REFERENCE_TOKEN, None, bare.pid),
            "refetch-reference": (baseline + "/refetch", "Authorization: Bearer " + load_bench.reference_access_token(),
                                  bare.pid),
            "bare": (baseline + "/bare", None, bare.pid),
        }[args.route]
        flood = {}
        flooding = threading.Thread(
            target=lambda: flood.update(load_bench.wrk(url, args.seconds + 3, 64, 1, None, header)))
        flooding.start()
        time.sleep(1)
        data = os.path.join(work, "perf.data")
        subprocess.run(["perf", "record", "-F", str(args.frequency), "--call-graph", "dwarf,16384", "-p", str(pid),
                        "-o", data, "--", "sleep", str(args.seconds)], check=True, capture_output=True)
        flooding.join()
        raw = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
        text = subprocess.run(["swift", "demangle", "--simplified"], input=raw, capture_output=True, text=True).stdout
    finally:
        load_bench.stop((service, bare))
        shutil.rmtree(work, ignore_errors=True)

    samples = stacks(text)
    if not samples or not flood:
        raise SystemExit("no samples or no flood result")
    total = len(samples)
    # CPU seconds sampled over requests served while sampling (the flood's rate times the window).
    per_request = total / args.frequency / (flood["rps"] * args.seconds) * 1e6
    pool, loops, layers = partition(samples)
    print(f"\n{args.route}: {total} samples in {args.seconds} s at {args.frequency} Hz, {flood['rps']:.0f} req/s "
          f"under the profiler, {per_request:.1f} µs of CPU per request, {time.strftime('%Y-%m-%d')}\n")
    print("| layer | share of samples | µs per request (under the profiler) |")
    print("|---|---:|---:|")
    print(f"| event-loop threads | {100 * loops / total:.1f}% | {loops / total * per_request:.1f} |")
    print(f"| Swift's cooperative pool, of which: | {100 * pool / total:.1f}% | {pool / total * per_request:.1f} |")
    for name, count in layers.most_common():
        print(f"| — {name} | {100 * count / total:.2f}% | {count / total * per_request:.2f} |")


if __name__ == "__main__":
    main()
