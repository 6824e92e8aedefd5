"""A real SMTP server (aiosmtpd) on loopback for guest-access's tests.

Writes one JSON line per received message to --out and the port it listens
on to --port-file. With --cert/--key it offers STARTTLS. --reject-first N
answers 550 to the first N recipients; --stall-first N holds the first N
messages for --stall-seconds before accepting them (a slow server). Runs until
killed.

--auth-user U --auth-password-file F requires AUTH (PLAIN or LOGIN; only
LOGIN with --auth-login-only) with those credentials before MAIL; each
record then says which user logged in. --auth-offered-in-clear offers AUTH
on a connection without TLS (a server an attacker could sit in front of), to
show the client never uses it there. --implicit-tls speaks TLS from the first
byte (smtps, port 465 style) instead of offering STARTTLS. Every AUTH attempt
the server sees is written to --out as {"auth_attempt": ..., "tls": ...}
(the mechanism, whether it succeeded, never the password).
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
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out, reject_first=0, stall_first=0, stall_seconds=0.0, implicit_tls=False):
        self.out = out
        self.auth_user = None
        self.implicit_tls = implicit_tls
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
        held = self.stall_left > 0
        if held:
            self.stall_left -= 1
            await asyncio.sleep(self.stall_seconds)
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps({
                # A held message is recorded after the stall even when the client has hung up.
                "held": held,
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "replace"),
                "tls": self.implicit_tls or session.ssl is not None,
                "auth": self.auth_user if getattr(session, "authenticated", False) else None,
            }) + "\n")
        return "250 OK"


class Authenticator:
    def __init__(self, out, user, password, implicit_tls):
        self.out = out
        self.implicit_tls = implicit_tls
        self.user = user
        self.password = password

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode("utf-8", "replace") == self.user
              and auth_data.password.decode("utf-8", "replace") == self.password)
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"auth_attempt": mechanism, "ok": ok, "tls": self.implicit_tls or session.ssl is not None}) + "\n")
        # handled=False: aiosmtpd answers 535 itself (with handled=True it would answer nothing).
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


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
    parser.add_argument("--auth-user")
    parser.add_argument("--auth-password-file")
    parser.add_argument("--auth-login-only", action="store_true")
    parser.add_argument("--auth-offered-in-clear", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
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
        if args.implicit_tls:
            kwargs.update(ssl_context=context)
        else:
            kwargs.update(tls_context=context, require_starttls=True)
    implicit = bool(args.cert and args.implicit_tls)
    handler = Handler(args.out, args.reject_first, args.stall_first, args.stall_seconds, implicit)
    if args.auth_user:
        with open(args.auth_password_file, encoding="utf-8") as f:
            password = f.read().strip()
        handler.auth_user = args.auth_user
        kwargs.update(
            authenticator=Authenticator(args.out, args.auth_user, password, implicit),
            auth_required=True,
            # aiosmtpd counts only STARTTLS as TLS; an implicit-TLS connection is TLS throughout.
            auth_require_tls=not (args.auth_offered_in_clear or implicit),
        )
        if args.auth_login_only:
            kwargs.update(auth_exclude_mechanism=["PLAIN"])
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
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
