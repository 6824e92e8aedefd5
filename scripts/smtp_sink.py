"""A real SMTP server (aiosmtpd) on loopback for guest-access's tests.

Writes one JSON line per received message to --out and the port it listens
on to --port-file. With --cert/--key it offers STARTTLS. --reject-first N
answers 550 to the first N recipients; --stall-first N holds the first N
messages for --stall-seconds before accepting them (a slow server). Runs until
killed.
"""
import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading
import asyncio
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out, reject_first=0, stall_first=0, stall_seconds=0.0):
        self.out = out
        self.reject_left = reject_first
        self.stall_left = stall_first
        self.stall_seconds = stall_seconds

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_left > 0:
            self.reject_left -= 1
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall_left > 0:
            self.stall_left -= 1
            await asyncio.sleep(self.stall_seconds)
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps({
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "replace"),
                "tls": session.ssl is not None,
            }) + "\n")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--reject-first", type=int, default=0)
    parser.add_argument("--stall-first", type=int, default=0)
    parser.add_argument("--stall-seconds", type=float, default=0.0)
    args = parser.parse_args()
    port = args.port
    if port == 0:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    kwargs = {"enable_SMTPUTF8": True}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(Handler(args.out, args.reject_first, args.stall_first, args.stall_seconds), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    with open(args.port_file, "w") as f:
        f.write(str(port))
    # Never outlive the test that started us: exit on SIGTERM and when the parent goes.
    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    def watchdog():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
