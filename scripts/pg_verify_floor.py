#!/usr/bin/env python3
"""What PostgreSQL alone costs per verify, with no service in front of it:
`pgbench` runs verify's statements as the service sends them (the order's
lock, the locking read, the writes, each prepared, in one transaction, for a
different unknown order each time: the enumeration case), beside the baseline
route's one INSERT, on the same server in the same run. Also the transaction
in parts (the lock alone, the lock and the read, the lock and the writes), to
show where PostgreSQL's share goes, and the design BENCHMARKS.md sketches (a
session lock on the order instead of a transaction: four statements).

The SQL is read from the service's own sources (`OrderLockStatement`,
`VerifyReadStatement`, `VerifyWriteStatement`), so the figures follow them.
The writes go to the decoy row the read's search starts at (the read's rows
are not fed back, as the service does; the row written is the same kind, but
the read may have skipped it as taken by another client, so a write can wait
for a row the service would not have written).

  . scripts/postgres_test_server.sh && postgres_test_server
  swift build -c release --product guest-access      # its `serve` migrates the database
  python3 scripts/pg_verify_floor.py [--clients 48] [--duration 8] [--repeat 3]

Per run: transactions a second; the machine's busy CPU per transaction
(`/proc/stat`, every process); `pgbench`'s own CPU per transaction
(`getrusage`); the difference, PostgreSQL and the kernel. Only ever targets
127.0.0.1. Never fails on a figure.
"""
import argparse
import glob
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_bench  # noqa: E402  (free_port, wait_port)

ROOT = load_bench.ROOT
SOURCES = os.path.join(ROOT, "Sources/GuestAccessPostgres")


def swift_sql(file):
    """The `static let sql = \"\"\"…\"\"\"` literal of a statement type, on one line."""
    text = open(os.path.join(SOURCES, file)).read()
    sql = text.split('static let sql = """', 1)[1].split('"""', 1)[0]
    return " ".join(sql.split())


def swift_constant(file, name):
    text = open(os.path.join(SOURCES, file)).read()
    return str(int(re.search(rf"static let {name}: Int64 = (0x[0-9A-Fa-f_]+)", text).group(1).replace("_", ""), 16))


def statements():
    """Verify's three statements with pgbench variables: :n picks the unknown order, :d the decoy to start at."""
    order = "('ORD-U' || :n)"
    start = "('~decoy-' || lpad(:d::text, 4, '0'))"
    now = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
    lock = swift_sql("OrderLockStatement.swift")
    lock = lock.replace(r"\(PostgresCodeRequestQueue.claimLock)", swift_constant("PostgresCodeRequestQueue.swift", "claimLock"))
    lock = lock.replace(r"\(PostgresDatabase.migrationLock)", swift_constant("PostgresDatabase.swift", "migrationLock"))
    read = swift_sql("VerifyReadStatement.swift").replace(r"\(PostgresClock.nowMilliseconds)", now)
    write = swift_sql("VerifyWriteStatement.swift")
    if "\\(" in lock + read + write:
        raise SystemExit("a statement interpolates something this script does not know")
    lock = lock.replace("$1", order)
    read = read.replace("$1", order).replace("$2", start)
    # attempts, used, code key, budget key, consecutive, day, day failures, total, at, kind, order digest, kid, detail
    values = {"$10": "'verify.failed'", "$11": "sha256(convert_to('ORD-U' || :n, 'UTF8'))", "$12": "'k1'",
              "$13": "NULL", "$1": "0", "$2": "false", "$3": start, "$4": start, "$5": "0", "$6": "0", "$7": "0",
              "$8": "0", "$9": now}
    write = re.sub(r"\$\d+", lambda m: values[m.group(0)], write)
    return lock, read, write


def session_sketch(lock, read, write):
    """BENCHMARKS.md's lead for verify, in PostgreSQL's terms only: no BEGIN or COMMIT but a session
    lock on the order, then the read, the writes (their own transaction) and the unlock. Neither
    the lock nor the unlock can share a statement with the read or the writes: a read statement
    takes its snapshot when it starts, before a lock taken inside it is granted, and an unlock
    inside the writes runs before they commit; either way a verify let in could miss the budget row
    the one before it inserted. A cost estimate, not the service's statements."""
    session_lock = lock.replace("pg_advisory_xact_lock", "pg_advisory_lock")
    unlock = lock.replace("pg_advisory_xact_lock", "pg_advisory_unlock")
    return session_lock, read, write, unlock


def script(path, body):
    header = "\\set d random(1, 2047)\n\\set n random(1, 999999999)\n"
    with open(path, "w") as f:
        f.write(header + "\n".join(line + ";" for line in body) + "\n")
    return path


def busy_ticks():
    fields = list(map(int, open("/proc/stat").readline().split()[1:]))
    return sum(fields) - fields[3] - fields[4]


def pgbench(binary, server, database, password, path, clients, seconds):
    env = dict(os.environ, PGPASSWORD=password)
    before, busy = resource.getrusage(resource.RUSAGE_CHILDREN), busy_ticks()
    out = subprocess.run([binary, "-n", "-h", server.hostname, "-p", str(server.port), "-U", server.username, "-M",
                          "prepared", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", path, database],
                         capture_output=True, text=True, env=env)
    busy, after = busy_ticks() - busy, resource.getrusage(resource.RUSAGE_CHILDREN)
    done = re.search(r"processed: (\d+)", out.stdout)
    if out.returncode != 0 or not done or int(done.group(1)) == 0:
        raise SystemExit(f"pgbench failed on {path}:\n{out.stdout}\n{out.stderr}")
    count = int(done.group(1))
    tick = 1e6 / os.sysconf("SC_CLK_TCK")
    client = ((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)) * 1e6 / count
    return {"tps": float(re.search(r"tps = ([\d.]+)", out.stdout).group(1)), "busy": busy * tick / count, "client": client}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/guest-access"))
    parser.add_argument("--server", default=os.environ.get("GUEST_ACCESS_TEST_POSTGRES_URL"))
    parser.add_argument("--password-file", default=os.environ.get("GUEST_ACCESS_TEST_POSTGRES_PASSWORD_FILE"))
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.server or not args.password_file:
        raise SystemExit("no PostgreSQL server: source scripts/postgres_test_server.sh and run postgres_test_server")
    server = urllib.parse.urlparse(args.server)
    if server.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("only ever targets 127.0.0.1")
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    if not binaries:
        raise SystemExit("pgbench not found (Debian's postgresql package)")
    password = open(args.password_file).read().strip()
    env = dict(os.environ, PGPASSWORD=password)

    def psql(database, sql):
        subprocess.run(["psql", "-q", "-h", server.hostname, "-p", str(server.port), "-U", server.username, "-d", database,
                        "-c", sql], check=True, env=env, capture_output=True)

    work = tempfile.mkdtemp(prefix="guest-access-pg-floor-")
    name = "ga_floor_" + os.urandom(6).hex()
    psql("postgres", f"CREATE DATABASE {name}")
    try:
        # The service's own migrations, run by a `serve` that is stopped once it is ready.
        subprocess.run([args.binary, "keys", "init", "--data-dir", work + "/data"], check=True, capture_output=True)
        fd = os.open(work + "/admin-key", os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, ("floor-admin-" + os.urandom(24).hex()).encode())
        os.close(fd)
        port = load_bench.free_port()
        service = subprocess.Popen(
            [args.binary, "serve", "--port", str(port), "--data-dir", work + "/data", "--mailer", "file:" + work + "/out",
             "--orders", os.path.join(ROOT, "Benchmarks/load-orders.json"), "--log-level", "warning",
             "--admin-key-file", work + "/admin-key", "--database", f"postgres://{server.username}@{server.hostname}:{server.port}/{name}?sslmode=disable",
             "--database-password-file", args.password_file],
            stdout=subprocess.DEVNULL, stderr=open(work + "/service.log", "w"))
        try:
            load_bench.wait_port(port)
        finally:
            service.terminate()
            try:
                service.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()
        psql(name, "CREATE TABLE rows (id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, body BYTEA)")
        lock, read, write = statements()
        baseline = "INSERT INTO rows (at_ms, body) VALUES ((extract(epoch FROM clock_timestamp()) * 1000)::bigint, " \
                   "decode(md5(random()::text), 'hex'))"
        runs = [
            ("baseline route's statement (one INSERT, its own commit)", script(work + "/base.sql", [baseline])),
            ("verify: BEGIN, lock, read, writes, COMMIT", script(work + "/verify.sql", ["BEGIN", lock, read, write, "COMMIT"])),
            ("part: BEGIN, COMMIT", script(work + "/empty.sql", ["BEGIN", "COMMIT"])),
            ("part: BEGIN, lock, COMMIT", script(work + "/lock.sql", ["BEGIN", lock, "COMMIT"])),
            ("part: BEGIN, lock, read, COMMIT", script(work + "/read.sql", ["BEGIN", lock, read, "COMMIT"])),
            ("part: BEGIN, lock, writes, COMMIT", script(work + "/write.sql", ["BEGIN", lock, write, "COMMIT"])),
            ("sketch: session lock, read, writes, unlock; no BEGIN or COMMIT",
             script(work + "/sketch.sql", list(session_sketch(lock, read, write)))),
        ]
        rounds = []
        for _ in range(args.repeat):
            rounds.append([pgbench(binaries[-1], server, name, password, path, args.clients, args.duration)
                           for _, path in runs])
            time.sleep(1)
        print(f"\npgbench -M prepared -c {args.clients} -j 2 -T {args.duration}, loopback, {os.cpu_count()} cores, "
              f"{time.strftime('%Y-%m-%d')}, median of {args.repeat} rounds (range)\n")
        print("| transaction | per second | ratio to the baseline's | busy CPU µs each | pgbench's µs | "
              "PostgreSQL and kernel µs |")
        print("|---|---:|---:|---:|---:|---:|")
        for index, (label, _) in enumerate(runs):
            tps = [r[index]["tps"] for r in rounds]
            ratio = [r[index]["tps"] / r[0]["tps"] for r in rounds]
            busy = statistics.median(r[index]["busy"] for r in rounds)
            client = statistics.median(r[index]["client"] for r in rounds)
            rest = statistics.median(r[index]["busy"] - r[index]["client"] for r in rounds)
            print(f"| {label} | {statistics.median(tps):.0f} ({min(tps):.0f}–{max(tps):.0f}) | "
                  f"{statistics.median(ratio):.2f} | {busy:.0f} | {client:.0f} | {rest:.0f} |")
    finally:
        try:
            psql("postgres", f"DROP DATABASE IF EXISTS {name}")
        except subprocess.CalledProcessError as error:
            print(f"could not drop {name}: {error.stderr.decode(errors='replace').strip()}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
