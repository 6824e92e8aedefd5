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
  local copy="${TMPDIR:-/tmp}/guest-access-test-postgres-password"
  install -m 0600 "$dir/password" "$copy"
  export GUEST_ACCESS_TEST_POSTGRES_URL="postgres://guest_access@127.0.0.1:$port/postgres?sslmode=disable"
  export GUEST_ACCESS_TEST_POSTGRES_PASSWORD_FILE="$copy"
  echo "postgres: $("$bin/postgres" --version) on 127.0.0.1:$port"
}
