#!/usr/bin/env bash
# Checks deploy/ offline, without a running systemd (works as root in a
# container), against a built binary:
#   1. `systemd-analyze verify` passes, silently, on the unit (verify insists
#      that ExecStart's binary exists, so the checked copy names the binary
#      given instead of /usr/local/bin/guest-access);
#   2. the keyring ExecStartPre works, run here with %S pointing into a scratch
#      directory and the env example in its environment: the keyring is made on
#      the first start and left alone on the next;
#   3. the unit's own ExecStart, given the env example's variables (parsed as
#      plain KEY=VALUE lines) and a $CREDENTIALS_DIRECTORY holding every
#      credential the unit and the example name (0440, as a systemd that hands
#      credentials over through an ACL shows them), passes
#      `serve --print-config`: "configuration ok"; every variable of the example
#      is the source of its setting and none is ignored; each credential is read
#      from the credentials directory; no credential's value is printed. The
#      same again with the example's PostgreSQL line uncommented. Every
#      GUEST_ACCESS_ name the example mentions, commented or not, names a
#      setting;
#   4. guest-access.sysusers is accepted by systemd-sysusers (in a scratch root);
#   5. `systemd-analyze security --offline=true` rates the unit's exposure at
#      most GUEST_ACCESS_MAX_EXPOSURE (default 2.0; the unit scores 1.1 on
#      systemd 252).
# Usage: deploy/check.sh PATH/TO/guest-access
# Needs systemd-analyze and systemd-sysusers (Debian: apt-get install systemd).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -eq 1 ] || { echo "usage: deploy/check.sh PATH/TO/guest-access" >&2; exit 2; }
bin="$(realpath -e "$1")"
[ -x "$bin" ] || { echo "check: $bin is not executable" >&2; exit 2; }
max="${GUEST_ACCESS_MAX_EXPOSURE:-2.0}"
installed=/usr/local/bin/guest-access
unit="$here/guest-access.service"
example="$here/guest-access.env.example"
fail() { echo "check: $*" >&2; exit 1; }
for tool in systemd-analyze systemd-sysusers; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install systemd)"
done
systemd-analyze --version | head -1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== systemd-analyze verify"
mkdir -p "$work/plain"
sed "s|$installed|$bin|g" "$unit" >"$work/plain/guest-access.service"
grep -q "$installed" "$work/plain/guest-access.service" && fail "a path to the binary was not rewritten"
# The trailing ':' keeps the built-in unit paths, for network-online.target and multi-user.target.
if ! out="$(SYSTEMD_UNIT_PATH="$work/plain:" systemd-analyze verify "$work/plain/guest-access.service" 2>&1)" || [ -n "$out" ]; then
  echo "$out" >&2
  fail "systemd-analyze verify failed or warned"
fi
echo "ok"

# The env example as systemd's EnvironmentFile= would hand it over. Only plain
# KEY=VALUE lines are accepted, so that this reading and systemd's agree (no
# quotes, escapes, '$' or spaces), and no empty value (it would count as set).
env_vars=()
while IFS= read -r line; do
  case "$line" in '' | '#'* | ';'*) continue ;; esac
  [[ "$line" =~ ^GUEST_ACCESS_[A-Z0-9_]+=[^[:space:]\"\'\\\$\`]+$ ]] \
    || fail "guest-access.env.example: not a plain GUEST_ACCESS_NAME=VALUE line: $line"
  env_vars+=("$line")
done <"$example"
[ ${#env_vars[@]} -gt 0 ] || fail "guest-access.env.example sets nothing"
# The unit's processes get the example's variables and, with LoadCredential=, CREDENTIALS_DIRECTORY.
creds="$work/credentials"
unit_env() { env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$creds" "${env_vars[@]}" "$@"; }

echo "== the keyring ExecStartPre, run here with %S filled in"
# As systemd would run it: %S replaced, $$ turned into $.
keyring_pre="$(grep '^ExecStartPre=.*keys init' "$unit" | sed -e 's/^ExecStartPre=//' -e "s|%S|$work/var/lib|g" \
  -e "s|$installed|$bin|g" -e 's/\$\$/$/g')"
[ -n "$keyring_pre" ] || fail "the keyring ExecStartPre line was not found"
data="$work/var/lib/guest-access"
(
  umask 0077
  mkdir -p "$data" "$creds"
  unit_env bash -c "$keyring_pre" >/dev/null
  [ -f "$data/keyring.json" ] || fail "the first start made no keyring"
  first="$(sha256sum <"$data/keyring.json")"
  unit_env bash -c "$keyring_pre" >/dev/null || fail "the second start failed on the existing keyring"
  [ "$first" = "$(sha256sum <"$data/keyring.json")" ] || fail "the second start changed the keyring"
)
echo "ok: keyring made once and kept"

echo "== the unit's ExecStart with the env example and credentials: serve --print-config"
# Credentials: the one the unit loads and every LoadCredential= the example
# names in its comments, each with a value of its own to look for in the output.
mapfile -t cred_names < <(grep -ho 'LoadCredential=[a-z][a-z-]*:' "$unit" "$example" | sed -e 's/^LoadCredential=//' -e 's/:$//' | sort -u)
printf '%s\n' "${cred_names[@]}" | grep -qx admin-key || fail "the unit loads no admin-key credential"
declare -A cred_value
for name in "${cred_names[@]}"; do
  cred_value[$name]="check-$name-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  printf '%s\n' "${cred_value[$name]}" >"$creds/$name"
  chmod 0440 "$creds/$name"
done
chmod 0500 "$creds"
echo "credentials: ${cred_names[*]}"
# A credential given as a variable too would hide the file: the example sets none.
for name in "${cred_names[@]}"; do
  var="GUEST_ACCESS_$(tr 'a-z-' 'A-Z_' <<<"$name")"
  printf '%s\n' "${env_vars[@]}" | grep -q "^$var=" && fail "guest-access.env.example sets the secret $var"
done
# ExecStart split into words as systemd does for a line without quotes: only
# %S is expanded, and no variable, so it may use neither quotes nor '$'.
exec_start="$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$unit" | grep '^ExecStart=' | sed 's/^ExecStart=//')"
[ "$(grep -c . <<<"$exec_start")" = 1 ] || fail "expected one ExecStart= line"
quote_or_variable="[\"'\$]"
[[ "$exec_start" =~ $quote_or_variable ]] && fail "ExecStart uses quotes or variables: $exec_start"
read -ra start_words <<<"$(sed -e "s|%S|$work/var/lib|g" -e "s|$installed|$bin|g" <<<"$exec_start")"
[[ "${start_words[*]}" == *%* ]] && fail "ExecStart uses a specifier other than %S: $exec_start"

# print_config NAME VAR=VALUE...: the unit's ExecStart --print-config with these
# variables; checks what applies to every variant, leaves the table in $work/NAME.out.
print_config() {
  local variant="$1"
  shift
  local status=0
  env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$creds" "$@" "${start_words[@]}" --print-config \
    >"$work/$variant.out" 2>"$work/$variant.err" || status=$?
  if [ "$status" != 0 ] || [ -s "$work/$variant.err" ] || [ "$(tail -1 "$work/$variant.out")" != "configuration ok" ]; then
    cat "$work/$variant.out" "$work/$variant.err" >&2
    fail "$variant: serve --print-config exited $status, or printed an error, or did not end with 'configuration ok'"
  fi
  if grep '^ignored:' "$work/$variant.out" >&2; then fail "$variant: a variable names no setting"; fi
  # Column 1 the setting, the last column where its value came from.
  source_of() { awk -v s="$1" '$1 == s { print $NF }' "$work/$variant.out"; }
  local pair var setting
  for pair in "$@"; do
    var="${pair%%=*}"
    setting="$(tr 'A-Z_' 'a-z-' <<<"${var#GUEST_ACCESS_}")"
    [ "$(source_of "$setting")" = "$var" ] || { cat "$work/$variant.out" >&2; fail "$variant: $var is not the source of $setting"; }
  done
  [ "$(source_of data-dir)" = --data-dir ] || fail "$variant: data-dir does not come from the unit's --data-dir"
  [ "$(source_of secrets-dir)" = CREDENTIALS_DIRECTORY ] || fail "$variant: the secrets directory is not \$CREDENTIALS_DIRECTORY"
  local name
  for name in "${cred_names[@]}"; do
    awk -v s="$name" -v f="$creds/$name" '$1 == s && $2 == "<redacted>" && $3 == f { found = 1 } END { exit !found }' "$work/$variant.out" \
      || { cat "$work/$variant.out" >&2; fail "$variant: $name is not read, redacted, from the credentials directory"; }
    grep -qF -- "${cred_value[$name]}" "$work/$variant.out" "$work/$variant.err" && fail "$variant: the value of $name was printed"
  done
  echo "$variant: configuration ok; $# variables each the source of their setting; ${#cred_names[@]} credentials from \$CREDENTIALS_DIRECTORY, redacted"
}
print_config example "${env_vars[@]}"
# The PostgreSQL line, uncommented, on top of the rest.
mapfile -t postgres < <(sed -n 's/^#\(GUEST_ACCESS_DATABASE=postgres:.*\)$/\1/p' "$example")
[ ${#postgres[@]} = 1 ] || fail "guest-access.env.example has no commented GUEST_ACCESS_DATABASE=postgres://… line"
print_config example-postgres "${env_vars[@]}" "${postgres[@]}"
grep -q '^database-password ' "$work/example-postgres.out" || fail "no database-password row"

# Every GUEST_ACCESS_ name the example mentions, in a comment or not, is a
# setting's variable: the table's first column, in upper snake case.
known="$(awk 'NF >= 3 && $1 ~ /^[a-z][a-z-]*$/ { print $1 }' "$work/example.out" | tr 'a-z-' 'A-Z_' | sed 's/^/GUEST_ACCESS_/')"
[ "$(grep -c . <<<"$known")" -ge 20 ] || fail "could not read the settings from --print-config"
for var in $(grep -o 'GUEST_ACCESS_[A-Z0-9_]*[A-Z0-9]' "$example" | sort -u); do
  grep -qx "$var" <<<"$known" || fail "guest-access.env.example mentions $var, which names no setting"
done
echo "ok: every GUEST_ACCESS_ name in the example names a setting"

echo "== systemd-sysusers"
mkdir -p "$work/root/etc"
out="$(systemd-sysusers --root="$work/root" - <"$here/guest-access.sysusers" 2>&1)" || { echo "$out" >&2; fail "systemd-sysusers refused guest-access.sysusers"; }
grep -q '^guest-access:x:[0-9]*:[0-9]*:[^:]*:/var/lib/guest-access:/usr/sbin/nologin$' "$work/root/etc/passwd" \
  || fail "guest-access.sysusers did not create the guest-access user"
echo "ok: $(grep '^guest-access:' "$work/root/etc/passwd")"

echo "== systemd-analyze security --offline=true (exposure at most $max)"
report="$(cd "$work/plain" && systemd-analyze security --no-pager --offline=true guest-access.service 2>&1)" || true
grep '✗' <<<"$report" || true
overall="$(grep 'Overall exposure level' <<<"$report")" || { echo "$report" >&2; fail "no exposure level in the report"; }
echo "$overall"
score="$(sed -E 's/.*guest-access\.service: ([0-9]+\.[0-9]+).*/\1/' <<<"$overall")"
awk -v s="$score" -v m="$max" 'BEGIN { exit !(s + 0 <= m + 0) }' || fail "exposure $score is above $max"
threshold="$(awk -v m="$max" 'BEGIN { printf "%d", m * 10 + 0.5 }')"
(cd "$work/plain" && systemd-analyze security --no-pager --offline=true --threshold="$threshold" guest-access.service >/dev/null 2>&1) \
  || fail "systemd-analyze security --threshold=$threshold failed"
echo "deploy check: ok (exposure $score)"
