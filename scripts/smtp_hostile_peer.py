"""A misbehaving SMTP server on loopback for guest-access's tests.

Standard library only (aiosmtpd cannot write raw, pipelined bytes). Writes the
port it listens on to --port-file and, when a connection ends, one JSON line to
--out: the commands received in clear ("plain") and over TLS ("tls"), the
message ("data", or null), and how the connection ended ("end"). Runs until
killed, or until the process that started it goes.

--mode:
  starttls-injection  answers STARTTLS with "220 go ahead" and, in the same
                      write, two more replies ("250-injected", "250 AUTH-injected")
                      before the TLS handshake; then a normal exchange over TLS.
  starttls-partial    the same with a partial line ("250 injected", no CRLF)
                      behind the 220, which a careless client glues to the
                      front of the first line it reads over TLS.
  long-line           a greeting of 100 kB with no newline; then waits for the
                      client to hang up.
  many-lines          a greeting of 1000 lines ("220-...", then "220 ..."); then
                      a normal exchange.
  normal              a plain, well-behaved server.
With --cert/--key, STARTTLS is offered in the EHLO reply (and the TLS EHLO
reply is multi-line, so a client one reply out of step cannot fall back in).
"""
import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time

MAX_LINE = 65536


class Closed(Exception):
    pass


class Lines:
    """Reads CRLF lines from a socket, with its own buffer (so that on STARTTLS
    we can see, and drop, anything the client sent after the command)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def readline(self):
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                raise Closed("line too long")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed("eof")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")


class Session:
    def __init__(self, sock, args):
        self.sock = sock
        self.args = args
        self.record = {"mode": args.mode, "plain": [], "tls": [], "data": None, "end": None}
        self.tls = False

    def send(self, text):
        self.sock.sendall(text.encode("utf-8"))

    def run(self):
        lines = Lines(self.sock)
        mode = self.args.mode
        if mode == "long-line":
            self.send("220 " + "x" * 100_000)
            # Hold the connection until the client gives up on it.
            while self.sock.recv(65536):
                pass
            raise Closed("eof")
        if mode == "many-lines":
            self.send("".join("220-peer.example line %d\r\n" % i for i in range(999)) + "220 peer.example ESMTP\r\n")
        else:
            self.send("220 peer.example ESMTP\r\n")
        while True:
            line = lines.readline()
            (self.record["tls"] if self.tls else self.record["plain"]).append(line)
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                if self.tls:
                    self.send("250-peer.example\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP\r\n")
                elif self.args.cert:
                    self.send("250-peer.example\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 STARTTLS\r\n")
                else:
                    self.send("250-peer.example\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == "STARTTLS" and self.args.cert and not self.tls:
                go_ahead = "220 go ahead\r\n"
                if mode == "starttls-injection":
                    go_ahead += "250-injected\r\n250 AUTH-injected\r\n"
                elif mode == "starttls-partial":
                    go_ahead += "250 injected"
                self.send(go_ahead)  # one write: the extra replies ride along with the 220
                if lines.buffer:
                    # Plaintext the client pipelined behind STARTTLS: drop it, as a server must.
                    self.record["pipelinedAfterStartTLS"] = len(lines.buffer)
                    lines.buffer = b""
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(self.args.cert, self.args.key)
                self.sock = context.wrap_socket(self.sock, server_side=True)
                lines.sock = self.sock
                self.tls = True
            elif verb == "MAIL":
                self.send("250 2.1.0 ok\r\n")
            elif verb == "RCPT":
                self.send("250 2.1.5 ok\r\n")
            elif verb == "DATA":
                self.send("354 end data with <CR><LF>.<CR><LF>\r\n")
                body = []
                while True:
                    data_line = lines.readline()
                    if data_line == ".":
                        break
                    body.append(data_line[1:] if data_line.startswith(".") else data_line)
                self.record["data"] = "\r\n".join(body)
                self.send("250 2.0.0 queued\r\n")
            elif verb == "QUIT":
                self.send("221 2.0.0 bye\r\n")
                raise Closed("quit")
            elif verb in ("RSET", "NOOP"):
                self.send("250 ok\r\n")
            else:
                self.send("502 5.5.1 not implemented\r\n")


def serve(conn, args, lock):
    conn.settimeout(30)
    session = Session(conn, args)
    try:
        session.run()
    except Closed as reason:
        session.record["end"] = str(reason)
    except (OSError, ssl.SSLError) as error:
        session.record["end"] = "error: %s" % type(error).__name__
    finally:
        try:
            session.sock.close()
        except OSError:
            pass
        with lock, open(args.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(session.record) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--mode", default="normal",
                        choices=["starttls-injection", "starttls-partial", "long-line", "many-lines", "normal"])
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    # Written whole, then renamed: a reader never sees half a port number.
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.replace(args.port_file + ".tmp", args.port_file)

    # Never outlive the test that started us: exit on SIGTERM and when the parent goes.
    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    def watchdog():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    lock = threading.Lock()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, args, lock), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
