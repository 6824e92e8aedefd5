# Sourced by scripts/test and .ci/run: starts (or reuses) a private PostgreSQL
# server on loopback for the tests, with a role that may create databases
# (each test makes its own), and exports where it is:
#   GUEST_ACCESS_TEST_POSTGRES_URL            postgres://guest_access@127.0.0.1:PORT/postgres?sslmode=disable
#   GUEST_ACCESS_TEST_POSTGRES_PASSWORD_FILE  the role's password, mode 0600
# Installs Debian's postgresql package if no server is found. The server runs
# as the `postgres` user (PostgreSQL refuses to run as root), in its own data
# directory under /tmp, and is left running for the next run to reuse.
postgres_test_server() {
  local port="${GUEST_ACCESS_TEST_POSTGRES_PORT:-54329}"
  local dir="${GUEST_ACCESS_TEST_POSTGRES_DIR:-/tmp/guest-access-test-postgres}"
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$bin" ]; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends postgresql
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  local as=()
  if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); fi
  if [ ! -f "$dir/password" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    chmod 0700 "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    head -c 24 /dev/urandom | base64 | tr '+/' '-_' > "$dir/password.tmp"
    chmod 0600 "$dir/password.tmp"
  fi
  if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=off" start >/dev/null
  fi
  if [ -f "$dir/password.tmp" ]; then
    local password; password="$(cat "$dir/password.tmp")"
    "${as[@]}" "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres \
      -c "CREATE ROLE guest_access LOGIN CREATEDB PASSWORD '$password'" >/dev/null
    mv "$dir/password.tmp" "$dir/password"
  fi
  postgres_test_prune "${as[@]}" "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres
  local copy="${TMPDIR:-/tmp}/guest-access-test-postgres-password"
  install -m 0600 "$dir/password" "$copy"
  export GUEST_ACCESS_TEST_POSTGRES_URL="postgres://guest_access@127.0.0.1:$port/postgres?sslmode=disable"
  export GUEST_ACCESS_TEST_POSTGRES_PASSWORD_FILE="$copy"
  echo "postgres: $("$bin/postgres" --version) on 127.0.0.1:$port"
}

# A second private server for the tests that restart PostgreSQL or need TLS:
# it accepts TCP connections over TLS only (a CA made here signs its
# certificate for 127.0.0.1 and localhost) and keeps its settings in
# postgresql.conf, so a test can stop and start it with the control script it
# exports. Needs postgres_test_server first (it reuses the role's password).
#   GUEST_ACCESS_TEST_POSTGRES_TLS_URL   postgres://guest_access@127.0.0.1:PORT/postgres (no sslmode: tests add one)
#   GUEST_ACCESS_TEST_POSTGRES_TLS_CA    the CA certificate (PEM)
#   GUEST_ACCESS_TEST_POSTGRES_TLS_CTL   `CTL stop` / `CTL start`
postgres_tls_test_server() {
  local port="${GUEST_ACCESS_TEST_POSTGRES_TLS_PORT:-54330}"
  local dir="${GUEST_ACCESS_TEST_POSTGRES_TLS_DIR:-/tmp/guest-access-test-postgres-tls}"
  local main="${GUEST_ACCESS_TEST_POSTGRES_DIR:-/tmp/guest-access-test-postgres}"
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  local as=() owner=""
  if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); owner=postgres; fi
  if [ ! -f "$dir/ready" ]; then
    [ ! -f "$dir/data/postmaster.pid" ] || "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    mkdir -p "$dir"
    [ -z "$owner" ] || chown "$owner" "$dir"
    chmod 0700 "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=guest-access test CA" \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$dir/data/server.key" -out "$dir/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$dir/san.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
      -extfile "$dir/san.ext" -out "$dir/data/server.crt" 2>/dev/null
    rm -f "$dir/ca.key"
    chmod 0600 "$dir/data/server.key"
    [ -z "$owner" ] || chown "$owner" "$dir/data/server.key" "$dir/data/server.crt"
    cat >> "$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
ssl = on
CONF
    cat > "$dir/data/pg_hba.conf" <<HBA
local   all all                trust
hostssl all all 127.0.0.1/32   scram-sha-256
host    all all 127.0.0.1/32   reject
HBA
    cat > "$dir/ctl" <<CTL
#!/bin/sh
# stop | start the TLS test server
exec ${as[*]} "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -m fast "\$1" </dev/null >/dev/null 2>&1
CTL
    chmod 0755 "$dir/ctl"
    "$dir/ctl" start
    "${as[@]}" "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres \
      -c "CREATE ROLE guest_access LOGIN CREATEDB PASSWORD '$(cat "$main/password")'" >/dev/null
    touch "$dir/ready"
  fi
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || "$dir/ctl" start
  postgres_test_prune "${as[@]}" "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres
  cp "$dir/ca.pem" "${TMPDIR:-/tmp}/guest-access-test-postgres-ca.pem"
  chmod 0644 "${TMPDIR:-/tmp}/guest-access-test-postgres-ca.pem"
  export GUEST_ACCESS_TEST_POSTGRES_TLS_URL="postgres://guest_access@127.0.0.1:$port/postgres"
  export GUEST_ACCESS_TEST_POSTGRES_TLS_CA="${TMPDIR:-/tmp}/guest-access-test-postgres-ca.pem"
  export GUEST_ACCESS_TEST_POSTGRES_TLS_CTL="$dir/ctl"
  echo "postgres (TLS only, restartable): 127.0.0.1:$port"
}

# The tests make a database each and leave it (a failing test's state stays to
# look at); on a reused server they added up (1,862 databases, 16 GB, on one
# developer machine). Their names carry their creation time
# (ga_test_<unix seconds>_<random>, Tests/GuestAccessTests/Support/TestPostgres.swift):
# this drops those more than six hours old, and any named before that scheme,
# skipping any still in use (a run from a checkout older than the scheme,
# sharing the server, can lose a database it has made but not yet opened).
# Arguments: the psql command to run as a superuser.
postgres_test_prune() {
  local cutoff=$(( $(date +%s) - 21600 )) name stamp dropped=0
  for name in $("$@" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'ga\_test\_%'"); do
    stamp="${name#ga_test_}"
    stamp="${stamp%%_*}"
    if [[ "$stamp" =~ ^[0-9]{10}$ ]] && [ "$stamp" -ge "$cutoff" ]; then continue; fi
    [ "$dropped" -gt 0 ] || echo "postgres: dropping test databases more than six hours old"
    "$@" -c "DROP DATABASE IF EXISTS \"$name\"" >/dev/null 2>&1 || true
    dropped=$((dropped + 1))
  done
}
