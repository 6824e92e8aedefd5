#!/usr/bin/env python3
"""What PostgreSQL alone costs per verify, with no service in front of it:
`pgbench` runs verify's statements as the service sends them (the order's
lock, the locking read, the writes, each prepared, in one transaction, for a
different unknown order each time: the enumeration case), beside the baseline
route's one INSERT, on the same server in the same run. Also the transaction
in parts (the lock alone, the lock and the read, the lock and the writes, the
writes without the audit row, the audit row alone), to
show where PostgreSQL's share goes; and three sketches, cost estimates rather
than the service's statements: a session lock on the order instead of a
transaction (four statements), and the whole verify as one call of a PL/pgSQL
function (lock, the service's read, a decision, the service's writes, in one
statement's transaction: one round trip), also with the read as plain
statements inside the function.

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


NOW = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"


def service_statements():
    """Verify's three statements as the service prepares them ($n parameters), interpolations resolved."""
    lock = swift_sql("OrderLockStatement.swift")
    lock = lock.replace(r"\(PostgresCodeRequestQueue.claimLock)", swift_constant("PostgresCodeRequestQueue.swift", "claimLock"))
    lock = lock.replace(r"\(PostgresDatabase.migrationLock)", swift_constant("PostgresDatabase.swift", "migrationLock"))
    read = swift_sql("VerifyReadStatement.swift").replace(r"\(PostgresClock.nowMilliseconds)", NOW)
    write = swift_sql("VerifyWriteStatement.swift")
    if "\\(" in lock + read + write:
        raise SystemExit("a statement interpolates something this script does not know")
    return lock, read, write


def statements():
    """Verify's three statements with pgbench variables: :n picks the unknown order, :d the decoy to start at."""
    order = "('ORD-U' || :n)"
    start = "('~decoy-' || lpad(:d::text, 4, '0'))"
    now = NOW
    lock, read, write = service_statements()
    lock = lock.replace("$1", order)
    read = read.replace("$1", order).replace("$2", start)
    # attempts, used, code key, budget key, consecutive, day, day failures, total, at, kind, order digest, kid, detail
    values = {"$10": "'verify.failed'", "$11": "sha256(convert_to('ORD-U' || :n, 'UTF8'))", "$12": "'k1'",
              "$13": "NULL", "$1": "0", "$2": "false", "$3": start, "$4": start, "$5": "0", "$6": "0", "$7": "0",
              "$8": "0", "$9": now}
    write = re.sub(r"\$\d+", lambda m: values[m.group(0)], write)
    return lock, read, write


def write_parts(write):
    """Verify's writes split in two, to weigh the audit row: the code and budget writes alone
    (the statement without its audit CTE) and the audit row's INSERT alone."""
    head, audit = write.split(", audit AS (", 1)
    insert = audit.split(" RETURNING 1)", 1)[0].strip()
    select = audit.split(" RETURNING 1)", 1)[1]
    if not insert.startswith("INSERT INTO audit_events") or "FROM audit" not in select:
        raise SystemExit("verify's write statement no longer has the shape this script splits")
    without = head + " SELECT (SELECT count(*) FROM code), (SELECT count(*) FROM budget)"
    return without, insert


def one_call_sketch():
    """The whole verify as one statement: a PL/pgSQL function that takes the order's lock, runs the
    service's read, decides (the digest compared in SQL, attempts and budget counted, stand-ins
    written back unchanged) and runs the service's writes, in the statement's own transaction: one
    round trip, no BEGIN or COMMIT. What PostgreSQL would spend on a design that moved the decision
    into the database; a cost estimate, not a design taken up (the decision would then live in two
    languages, and the digest comparison would not be constant-time)."""
    lock, read, write = service_statements()
    if not lock.startswith("SELECT "):
        raise SystemExit("the order's lock statement no longer has the shape this script wraps")
    names = {"$1": "v_attempts", "$2": "v_used", "$3": "v_code", "$4": "v_budget", "$5": "v_consecutive",
             "$6": "v_day", "$7": "v_day_failures", "$8": "v_total", "$9": NOW, "$10": "'verify.failed'",
             "$11": "sha256(convert_to($1, 'UTF8'))", "$12": "'k1'", "$13": "NULL::text"}
    write = re.sub(r"\$\d+", lambda m: names[m.group(0)], write)
    columns = "is_code, stand_in, k, code_digest, email_digest, kid, expires_at_ms, attempts, used, cf, dy, df, tf, now_ms"
    function = f"""CREATE FUNCTION ga_verify_sketch(text, text, bytea) RETURNS int LANGUAGE plpgsql AS $fn$
DECLARE
  r record; v_code text; v_attempts int := 0; v_used bool := false; v_match bool := false; v_own bool := false;
  v_budget text; v_consecutive int := 0; v_day int := 0; v_day_failures int := 0; v_total int := 0;
  a bigint; b bigint; c bigint;
BEGIN
  PERFORM {lock[len("SELECT "):]};
  FOR r IN SELECT * FROM ({read}) AS t({columns}) LOOP
    IF r.is_code AND v_code IS NULL THEN
      v_code := r.k; v_attempts := r.attempts; v_used := r.used; v_own := NOT r.stand_in;
      v_match := v_own AND NOT r.used AND r.expires_at_ms > r.now_ms AND r.code_digest = $3;
    ELSIF NOT r.is_code AND v_budget IS NULL THEN
      v_budget := r.k; v_consecutive := r.cf; v_day := r.dy; v_day_failures := r.df; v_total := r.tf;
    END IF;
  END LOOP;
  IF v_own AND NOT v_match THEN
    v_attempts := v_attempts + 1; v_consecutive := v_consecutive + 1;
    v_day_failures := v_day_failures + 1; v_total := v_total + 1;
  END IF;
  v_used := v_used OR v_match OR (v_own AND v_attempts >= 5);
  {write} INTO a, b, c;
  RETURN v_attempts;
END
$fn$"""
    call = "SELECT ga_verify_sketch('ORD-U' || :n, '~decoy-' || lpad(:d::text, 4, '0'), sha256(convert_to(:n::text, 'UTF8')))"
    # The same with the read as plain statements inside the function (the order's own row, then as many
    # free decoys as are missing from the start key, then wrapped round), one table after the other.
    searches = []
    code_taken = ("v_code := {row}.order_key; v_attempts := {row}.attempts; v_used := {row}.used;"
                  " v_match := {own} AND NOT {row}.used AND {row}.expires_at_ms > " + NOW + " AND {row}.code_digest = $3;")
    budget_taken = ("v_budget := {row}.order_key; v_consecutive := {row}.consecutive_failures; v_day := {row}.day;"
                    " v_day_failures := {row}.day_failures; v_total := {row}.total_failures;")
    for table, columns_read, first, take in (
            ("access_codes", "code_digest, email_digest, kid, expires_at_ms, attempts, used", "v_code", code_taken),
            ("order_budgets", "consecutive_failures, day, day_failures, total_failures", "v_budget", budget_taken)):
        own_set = "v_own := true; " if first == "v_code" else ""
        searches.append(f"""
  SELECT order_key, {columns_read} INTO own FROM {table} WHERE order_key = $1 AND NOT decoy FOR UPDATE;
  taken := 0;
  IF FOUND THEN taken := 1; {own_set}{take.format(row="own", own="true")} END IF;
  FOR r IN SELECT order_key, {columns_read} FROM {table} WHERE decoy AND order_key >= $2 ORDER BY order_key
      LIMIT 2 - taken FOR UPDATE SKIP LOCKED LOOP
    taken := taken + 1; IF {first} IS NULL THEN {take.format(row="r", own="false")} END IF;
  END LOOP;
  IF taken < 2 THEN
    FOR r IN SELECT order_key, {columns_read} FROM {table} WHERE decoy AND order_key < $2 ORDER BY order_key
        LIMIT 2 - taken FOR UPDATE SKIP LOCKED LOOP
      taken := taken + 1; IF {first} IS NULL THEN {take.format(row="r", own="false")} END IF;
    END LOOP;
  END IF;""")
    plain = function.replace("ga_verify_sketch", "ga_verify_sketch_plain")
    plain = plain.replace("a bigint; b bigint; c bigint;", "a bigint; b bigint; c bigint; own record; taken int;")
    loop_start = plain.index("  FOR r IN SELECT * FROM (")
    loop_end = plain.index("  END LOOP;", loop_start) + len("  END LOOP;")
    plain = plain[:loop_start] + "".join(searches).lstrip("\n") + plain[loop_end:]
    plain_call = call.replace("ga_verify_sketch", "ga_verify_sketch_plain")
    return function, call, plain, plain_call


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
        code_and_budget, audit_row = write_parts(write)
        function, call, plain_function, plain_call = one_call_sketch()
        psql(name, function)
        psql(name, plain_function)
        baseline = "INSERT INTO rows (at_ms, body) VALUES ((extract(epoch FROM clock_timestamp()) * 1000)::bigint, " \
                   "decode(md5(random()::text), 'hex'))"
        runs = [
            ("baseline route's statement (one INSERT, its own commit)", script(work + "/base.sql", [baseline])),
            ("verify: BEGIN, lock, read, writes, COMMIT", script(work + "/verify.sql", ["BEGIN", lock, read, write, "COMMIT"])),
            ("part: BEGIN, COMMIT", script(work + "/empty.sql", ["BEGIN", "COMMIT"])),
            ("part: BEGIN, lock, COMMIT", script(work + "/lock.sql", ["BEGIN", lock, "COMMIT"])),
            ("part: BEGIN, lock, read, COMMIT", script(work + "/read.sql", ["BEGIN", lock, read, "COMMIT"])),
            ("part: BEGIN, lock, writes, COMMIT", script(work + "/write.sql", ["BEGIN", lock, write, "COMMIT"])),
            ("part: BEGIN, lock, code and budget writes (no audit row), COMMIT",
             script(work + "/write-no-audit.sql", ["BEGIN", lock, code_and_budget, "COMMIT"])),
            ("part: the audit row's INSERT alone, its own commit", script(work + "/audit.sql", [audit_row])),
            ("sketch: the whole verify in one PL/pgSQL call, its own transaction", script(work + "/one-call.sql", [call])),
            ("sketch: the same call, the read as plain statements in the function",
             script(work + "/one-call-plain.sql", [plain_call])),
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
