#!/usr/bin/env python3
"""An example order-detail provider for guest-access (standard library only).

  PROVIDER_CREDENTIAL=... python3 scripts/example_provider.py ORDERS.json PORT

Serves GET /orders/{orderNumber} from a JSON array of OrderDetail: 200 with the
order, 404 when unknown, 401 without the right bearer credential. A storefront's
real provider reads its own database instead of the file.
"""
import hmac
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDERS = {order["orderNumber"]: order for order in json.load(open(sys.argv[1]))}
CREDENTIAL = os.environ["PROVIDER_CREDENTIAL"]


class Provider(BaseHTTPRequestHandler):
    def do_GET(self):
        supplied = self.headers.get("Authorization", "")
        if not hmac.compare_digest(supplied.encode(), f"Bearer {CREDENTIAL}".encode()):
            return self.answer(401, {"error": "unauthorized"})
        prefix = "/orders/"
        order = ORDERS.get(self.path[len(prefix):]) if self.path.startswith(prefix) else None
        if order is None:
            return self.answer(404, {"error": "not found"})
        self.answer(200, order)

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Provider).serve_forever()
