#!/usr/bin/env python3
"""Flood benchmark: does a shopper's code still arrive while many clients flood
POST /v1/access-codes? And how much does the database grow under the flood?

Starts a storefront (order provider) that answers every lookup after --provider-ms
(100 ms), starts the built `guest-access serve` in front of it with the default
policy (per-client limit: burst 30, 5 a second), trusting 127.0.0.1 as a proxy so
each flooding client has its own X-Forwarded-For address. --clients clients (50)
send code requests for random, unknown order numbers as fast as their per-client
limit lets them for --duration seconds (30); after --shopper-at seconds (15) a
shopper from another address requests a code for a real order with its own email,
and the script measures how long until the code is in the (file) outbox. Standard
library only; loopback only.

    scripts/flood_bench.py --binary .build/release/guest-access              # the issue's benchmark
    scripts/flood_bench.py --binary .build/release/guest-access --duration 600 --shopper-at 300
                                                                             # audit growth over 10 minutes
"""
import argparse
import http.client
import http.server
import json
import os
import random
import re
import secrets
import sqlite3
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOPPER = ("ORD-2026-7001", "shopper@example.com")


def order(number, email):
    address = {"name": "Bench", "line1": "1 Main St", "city": "Portland", "country": "US"}
    return {
        "orderNumber": number, "status": "SHIPPED", "paymentStatus": "PAID", "fulfillmentStatus": "FULFILLED",
        "currency": "USD", "subtotal": 100, "shippingAmount": 0, "taxAmount": 0, "discountAmount": 0, "grandTotal": 100,
        "email": email, "phone": None, "shippingAddress": address, "billingAddress": None,
        "items": [{"name": "Thing", "quantity": 1, "unitPrice": 100, "total": 100}], "fulfillments": [],
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
    }


class Storefront(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def __init__(self, delay):
        self.delay = delay
        self.lookups = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), StorefrontHandler)


class StorefrontHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        with self.server.lock:
            self.server.lookups += 1
        time.sleep(self.server.delay)
        number = self.path.rsplit("/", 1)[-1]
        if number == SHOPPER[0]:
            body = json.dumps(order(*SHOPPER)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            body = b""
            self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the service gave up on this lookup (timeout) or is shutting down

    def log_message(self, *args):
        pass


def start_service(binary, directory, provider_port):
    subprocess.run([binary, "keys", "init", "--data-dir", directory], check=True, stdout=subprocess.DEVNULL)
    key_path = os.path.join(directory, "admin-key")
    with open(os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(secrets.token_urlsafe(32))
    outbox = os.path.join(directory, "outbox.jsonl")
    log_path = os.path.join(directory, "service.log")
    log = open(log_path, "w")
    process = subprocess.Popen(
        [binary, "serve", "--port", "0", "--data-dir", directory, "--provider-url", f"http://127.0.0.1:{provider_port}",
         "--admin-key-file", key_path, "--mailer", "file:" + outbox, "--trusted-proxies", "127.0.0.1/32",
         "--log-level", "info", "--drain-delay-seconds", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(log_path) as f:
            text = f.read()
        match = re.search(r'"port":"(\d+)"', text)
        if match:
            return process, int(match.group(1)), outbox
        if process.poll() is not None:
            raise SystemExit("the service exited: " + text[-2000:])
        time.sleep(0.05)
    raise SystemExit("the service did not start")


def flooder(port, address, stop, counts, lock):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine = {"accepted": 0, "limited": 0, "other": 0}
    while not stop.is_set():
        body = json.dumps({"orderNumber": f"ORD-FLOOD-{random.randrange(10**9)}", "email": f"x{random.randrange(10**6)}@flood.example"})
        try:
            connection.request("POST", "/v1/access-codes", body, {"Content-Type": "application/json", "X-Forwarded-For": address})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine["other"] += 1
            continue
        if response.status == 202:
            mine["accepted"] += 1
        elif response.status == 429:
            mine["limited"] += 1
            # Back off for what Retry-After says, as a client at its limit would.
            stop.wait(float(response.getheader("Retry-After", "1")) * 0.2)
        else:
            mine["other"] += 1
    with lock:
        for key, value in mine.items():
            counts[key] += value


def codes_in(outbox, number):
    if not os.path.exists(outbox):
        return []
    with open(outbox) as f:
        return [json.loads(line) for line in f if json.loads(line).get("orderNumber") == number]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "guest-access"))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--shopper-at", type=float, default=15)
    parser.add_argument("--provider-ms", type=float, default=100)
    args = parser.parse_args()

    storefront = Storefront(args.provider_ms / 1000)
    threading.Thread(target=storefront.serve_forever, daemon=True).start()
    directory = tempfile.mkdtemp(prefix="guest-access-flood-")
    process, port, outbox = start_service(args.binary, directory, storefront.server_address[1])
    stop = threading.Event()
    counts = {"accepted": 0, "limited": 0, "other": 0}
    lock = threading.Lock()
    threads = [threading.Thread(target=flooder, args=(port, f"10.{i // 250}.{i % 250}.7", stop, counts, lock)) for i in range(args.clients)]
    started = time.time()
    for thread in threads:
        thread.start()
    time.sleep(args.shopper_at)
    database = os.path.join(directory, "guest-access.sqlite")

    def pending():
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM code_requests WHERE outcome IS NULL").fetchone()[0]

    queued_before = pending()
    shopper = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    asked = time.time()
    shopper.request("POST", "/v1/access-codes", json.dumps({"orderNumber": SHOPPER[0], "email": SHOPPER[1]}),
                    {"Content-Type": "application/json", "X-Forwarded-For": "192.0.2.55"})
    status = shopper.getresponse().status
    arrived = None
    while time.time() - asked < max(args.duration - args.shopper_at, 0) + 600:
        if codes_in(outbox, SHOPPER[0]):
            arrived = time.time() - asked
            break
        time.sleep(0.02)
    remaining = args.duration - (time.time() - started)
    if remaining > 0:
        time.sleep(remaining)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    queued_after = pending()
    time.sleep(1)
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        requests_rows = db.execute("SELECT count(*) FROM code_requests").fetchone()[0]
        audit_rows, audit_count = db.execute("SELECT count(*), coalesce(sum(count), 0) FROM audit_events").fetchone()
    size = sum(os.path.getsize(database + suffix) for suffix in ("", "-wal", "-shm") if os.path.exists(database + suffix))
    process.terminate()
    process.wait(timeout=30)
    storefront.shutdown()
    print(f"guest-access flood benchmark: {args.clients} clients for {elapsed:.0f} s against a {args.provider_ms:.0f} ms provider, "
          f"binary {os.path.relpath(args.binary, ROOT)}")
    print(f"  flood: {counts['accepted']} accepted (202), {counts['limited']} limited (429), {counts['other']} other; "
          f"{storefront.lookups} provider lookups")
    print(f"  shopper: request {status} at {args.shopper_at:.0f} s with {queued_before} requests pending; "
          + (f"code in the outbox after {arrived:.2f} s" if arrived is not None else "NO CODE"))
    print(f"  queue: {queued_after} pending when the flood stopped")
    print(f"  database: {size / 1048576:.1f} MiB (file + WAL + shm); {requests_rows} code_requests rows (finished ones deleted "
          f"after an hour); {audit_rows} audit rows standing for {audit_count} events")


if __name__ == "__main__":
    main()
