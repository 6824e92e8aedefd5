#!/usr/bin/env python3
"""Timing probe: are verify and request-code failures indistinguishable in time?

Starts the built `guest-access` on a loopback port with its own data directory,
prepares the classes an attacker can choose between, sends randomly interleaved
requests over one keep-alive connection, and prints Welch's t for every pair of
classes (|t| < 4.5 is the target). Standard library only.

    scripts/timing_probe.py --binary .build/release/guest-access --samples 10000
    scripts/timing_probe.py --samples 300 --floor-ms 0        # the short CI run
    scripts/timing_probe.py --samples 300 --floor-ms 0 --pages  # the same through the hosted pages

Verify classes (all answer the same 401):
  right-email   the order has a code, the email is right, the code is wrong: an attempt
                that counts. Spread over enough orders that none is locked by the probe's
                own failures (each takes at most 90 here), so this class stays the counted path
  wrong-email   the order has a code, the email is wrong
  no-order      no such order
  locked        the order's failure budget is spent
Request-code classes (all answer the same 202): right-email, wrong-email, no-order.

With --pages the same classes go through the hosted pages instead (`serve --pages`):
POST /code with each class's code-step cookie (all answer the same 401 page) and
POST /lookup (all answer the same 303 to /code), as a browser posts them.
"""
import argparse
import http.client
import json
import math
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def order(number, email):
    address = {"name": "Probe", "line1": "1 Main St", "city": "Portland", "country": "US"}
    return {
        "orderNumber": number, "status": "SHIPPED", "paymentStatus": "PAID", "fulfillmentStatus": "FULFILLED",
        "currency": "USD", "subtotal": 100, "shippingAmount": 0, "taxAmount": 0, "discountAmount": 0, "grandTotal": 100,
        "email": email, "phone": None, "shippingAddress": address, "billingAddress": None,
        "items": [{"name": "Thing", "quantity": 1, "unitPrice": 100, "total": 100}], "fulfillments": [],
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
    }


def welch(a, b):
    va, vb = statistics.variance(a), statistics.variance(b)
    denominator = math.sqrt(va / len(a) + vb / len(b))
    return (statistics.fmean(a) - statistics.fmean(b)) / denominator if denominator else 0.0


class Service:
    def __init__(self, binary, floor_ms, live_orders, database=None, password_file=None, pages=False):
        self.dir = tempfile.mkdtemp(prefix="guest-access-probe-")
        subprocess.run([binary, "keys", "init", "--data-dir", self.dir], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(ROOT, "policy", "default.yaml")) as f:
            policy = f.read()
        for key, value in {"responseFloorMilliseconds": floor_ms, "perClientBurst": 100000, "perClientPerSecond": 100000,
                           "perOrderLimit": 100, "perEmailLimit": 1000, "consecutivePerOrder": 100, "dailyPerOrder": 1000,
                           "totalPerOrder": 100000}.items():
            policy = re.sub(rf"(?m)^(\s*{key}): .*$", rf"\g<1>: {value}", policy)
        self.policy_path = os.path.join(self.dir, "policy.yaml")
        with open(self.policy_path, "w") as f:
            f.write(policy)
        self.orders = {"locked": ("ORD-PROBE-LOCKED", "locked@example.com")}
        for index in range(live_orders):
            self.orders[f"live{index}"] = (f"ORD-PROBE-L{index}", f"live{index}@example.com")
        with open(os.path.join(self.dir, "orders.json"), "w") as f:
            json.dump([order(n, e) for n, e in self.orders.values()], f)
        key_path = os.path.join(self.dir, "admin-key")
        with open(os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(32))
        self.outbox = os.path.join(self.dir, "outbox.jsonl")
        self.log_path = os.path.join(self.dir, "service.log")
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [binary, "serve", "--port", "0", "--data-dir", self.dir, "--policy", self.policy_path,
                 "--orders", os.path.join(self.dir, "orders.json"), "--admin-key-file", key_path,
                 "--mailer", "file:" + self.outbox]
                + (["--database", database] if database else [])
                + (["--database-password-file", password_file] if password_file else [])
                + (["--pages"] if pages else []),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 30
        self.port = None
        while self.port is None and time.time() < deadline and self.process.poll() is None:
            with open(self.log_path) as f:
                match = re.search(r'"msg":"listening".*"port":"(\d+)"', f.read())
            if match:
                self.port = int(match.group(1))
            else:
                time.sleep(0.05)
        if self.port is None:
            raise SystemExit("the service did not start; see " + self.log_path)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def post(self, path, body):
        payload = json.dumps(body)
        start = time.perf_counter_ns()
        self.connection.request("POST", path, payload, {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        response.read()
        return response.status, time.perf_counter_ns() - start

    def form_post(self, path, form):
        """A page's form post as a same-origin browser sends it; `form` is (cookies, fields)."""
        cookies, fields = form
        payload = urllib.parse.urlencode({"csrf": self.form_token, **fields})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies,
                   "Sec-Fetch-Site": "same-origin", "Origin": f"http://127.0.0.1:{self.port}"}
        start = time.perf_counter_ns()
        self.connection.request("POST", path, payload, headers)
        response = self.connection.getresponse()
        response.read()
        return response.status, time.perf_counter_ns() - start, response

    def open_pages(self):
        """The form nonce cookie and the form token bound to it, from GET /lookup."""
        self.connection.request("GET", "/lookup")
        response = self.connection.getresponse()
        page = response.read().decode()
        self.csrf_cookie = re.search(r"(ga-csrf=[^;]+)", response.getheader("Set-Cookie") or "").group(1)
        self.form_token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def flow(self, number, email):
        """The code-step cookie for an order number and email (the lookup also asks for a code)."""
        status, _, response = self.form_post("/lookup", (self.csrf_cookie, {"orderNumber": number, "email": email}))
        cookies = [c for c in (response.msg.get_all("Set-Cookie") or []) if c.startswith("ga-flow=")]
        if status != 303 or not cookies:
            raise SystemExit(f"/lookup for {number}: status {status}, no code-step cookie")
        return self.csrf_cookie + "; " + cookies[0].split(";")[0]

    def wait_for_code(self, number, count):
        deadline = time.time() + 20
        while time.time() < deadline:
            if os.path.exists(self.outbox):
                with open(self.outbox) as f:
                    codes = [json.loads(l)["code"] for l in f if json.loads(l)["orderNumber"] == number]
                if len(codes) >= count:
                    return codes[-1]
            time.sleep(0.05)
        raise SystemExit("no code arrived for " + number)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def measure(service, classes, path, samples, expected, pages=False):
    """`classes` maps a name to a body, or to a list of bodies taken in turn."""
    send = (lambda p, b: service.form_post(p, b)[:2]) if pages else service.post
    schedule = [name for name in classes for _ in range(samples)]
    random.shuffle(schedule)
    turns = {name: 0 for name in classes}

    def body(name):
        value = classes[name]
        if isinstance(value, list):
            turns[name] += 1
            return value[turns[name] % len(value)]
        return value

    for name in list(classes) * 50:  # warm-up, not recorded
        send(path, body(name))
    times = {name: [] for name in classes}
    for name in schedule:
        status, elapsed = send(path, body(name))
        if status != expected:
            raise SystemExit(f"{path} {name}: status {status}, expected {expected}")
        times[name].append(elapsed / 1000.0)
    return times


def report(title, times):
    names = list(times)
    print(f"\n{title}")
    for name in names:
        values = times[name]
        print(f"  {name:12s} n={len(values):6d}  median {statistics.median(values):8.1f} µs  mean {statistics.fmean(values):8.1f} µs")
    worst = 0.0
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            t = welch(times[a], times[b])
            worst = max(worst, abs(t))
            print(f"  |t| {a} vs {b}: {abs(t):.2f}")
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "guest-access"))
    parser.add_argument("--samples", type=int, default=10000, help="samples per class")
    parser.add_argument("--floor-ms", type=int, default=0, help="codes.responseFloorMilliseconds for the run")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database", default=None, help="postgres://… (a fresh, empty database) instead of SQLite")
    parser.add_argument("--database-password-file", default=None)
    parser.add_argument("--pages", action="store_true", help="probe the hosted pages' form posts instead of the API")
    args = parser.parse_args()
    random.seed(args.seed)
    # Each live order takes at most 90 counted attempts (warm-up included), under the 100 that lock it.
    live_orders = args.samples // 90 + 2
    service = Service(args.binary, args.floor_ms, live_orders, args.database, args.database_password_file, args.pages)
    try:
        live_number, live_email = service.orders["live0"]
        locked_number, locked_email = service.orders["locked"]
        # The locked order: a code, then 100 failures spend its budget.
        service.post("/v1/access-codes", {"orderNumber": locked_number, "email": locked_email})
        code = service.wait_for_code(locked_number, 1)
        wrong = f"{(int(code) + 1) % 1000000:06d}"
        for _ in range(100):
            service.post("/v1/access-codes/verify", {"orderNumber": locked_number, "email": locked_email, "code": wrong})
        live = [service.orders[f"live{index}"] for index in range(live_orders)]
        if args.pages:
            service.open_pages()
            flows = [service.flow(number, email) for number, email in live]
        else:
            for number, email in live:
                service.post("/v1/access-codes", {"orderNumber": number, "email": email})
        counted = []
        for index, (number, email) in enumerate(live):
            code = service.wait_for_code(number, 1)
            counted.append({"orderNumber": number, "email": email, "code": f"{(int(code) + 1) % 1000000:06d}"})
            if args.pages:
                counted[-1] = (flows[index], {"code": counted[-1]["code"]})
        live_wrong = counted[0][1]["code"] if args.pages else counted[0]["code"]
        verify = {
            "right-email": counted[1:],
            "wrong-email": {"orderNumber": live_number, "email": "someone@example.org", "code": live_wrong},
            "no-order": {"orderNumber": "ORD-PROBE-NONE", "email": live_email, "code": live_wrong},
            "locked": {"orderNumber": locked_number, "email": locked_email, "code": wrong},
        }
        request = {
            "right-email": {"orderNumber": live_number, "email": live_email},
            "wrong-email": {"orderNumber": live_number, "email": "someone@example.org"},
            "no-order": {"orderNumber": "ORD-PROBE-NONE", "email": live_email},
        }
        if args.pages:
            # Each class's code-step cookie, made once; the lookups answer like the API's code requests.
            for name in ["wrong-email", "no-order", "locked"]:
                body = verify[name]
                verify[name] = (service.flow(body["orderNumber"], body["email"]), {"code": body["code"]})
            request = {name: (service.csrf_cookie, body) for name, body in request.items()}
        surface = "the hosted pages" if args.pages else "the API"
        print(f"guest-access timing probe: {args.samples} samples per class, response floor {args.floor_ms} ms, "
              f"binary {os.path.relpath(args.binary, ROOT)}, storage {'PostgreSQL' if args.database else 'SQLite'}, {surface}")
        if args.pages:
            worst_verify = report("POST /code, wrong code (401 page)", measure(service, verify, "/code", args.samples, 401, pages=True))
            worst_request = report("POST /lookup (303 to /code)", measure(service, request, "/lookup", args.samples, 303, pages=True))
        else:
            worst_verify = report("POST /v1/access-codes/verify (401)", measure(service, verify, "/v1/access-codes/verify", args.samples, 401))
            worst_request = report("POST /v1/access-codes (202)", measure(service, request, "/v1/access-codes", args.samples, 202))
        print(f"\nworst |t|: verify {worst_verify:.2f}, request {worst_request:.2f} (target < 4.5)")
    finally:
        service.stop()


if __name__ == "__main__":
    main()
