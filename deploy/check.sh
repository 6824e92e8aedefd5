#!/usr/bin/env bash
# Checks deploy/ offline, without a running systemd (works as root in a
# container), against a built binary:
#   1. every flag the unit, its drop-in and the env example pass to
#      `guest-access serve` / `keys init` is one the binary knows;
#   2. `systemd-analyze verify` passes, silently, on the unit and on the unit
#      with guest-access.service.d/copy-credentials.conf (verify insists that
#      ExecStart's binary exists, so the checked copies name the binary given
#      instead of /usr/local/bin/guest-access);
#   3. the ExecStartPre commands work, run here with %S/%d/%t pointing into a
#      scratch directory: the keyring is made on the first start and left
#      alone on the next; the drop-in copies a 0440 credential as 0400;
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
fail() { echo "check: $*" >&2; exit 1; }
for tool in systemd-analyze systemd-sysusers; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install systemd)"
done
systemd-analyze --version | head -1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== flags known to $bin"
# Unit lines with their backslash continuations joined.
joined() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$@"; }
flags_after() { grep -o -- "$1.*" | grep -o -- '--[a-z][a-z-]*' | sort -u; }
"$bin" serve --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$work/serve-flags"
"$bin" keys init --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$work/keys-init-flags"
{
  joined "$here/guest-access.service" "$here/guest-access.service.d/copy-credentials.conf" | flags_after 'guest-access serve'
  grep -o -- '--[a-z][a-z-]*' "$here/guest-access.env.example"
} | sort -u >"$work/serve-used"
joined "$here/guest-access.service" | flags_after 'guest-access keys init' >"$work/keys-init-used"
unknown="$(comm -23 "$work/serve-used" "$work/serve-flags"; comm -23 "$work/keys-init-used" "$work/keys-init-flags")"
[ -z "$unknown" ] || fail "flags the binary does not know: $(echo $unknown)"
echo "serve: $(echo $(cat "$work/serve-used")); keys init: $(echo $(cat "$work/keys-init-used"))"

echo "== systemd-analyze verify"
mkdir -p "$work/plain" "$work/dropin/guest-access.service.d"
sed "s|$installed|$bin|g" "$here/guest-access.service" >"$work/plain/guest-access.service"
cp "$work/plain/guest-access.service" "$work/dropin/guest-access.service"
sed "s|$installed|$bin|g" "$here/guest-access.service.d/copy-credentials.conf" \
  >"$work/dropin/guest-access.service.d/copy-credentials.conf"
grep -q "$installed" "$work/plain/guest-access.service" "$work/dropin/guest-access.service.d/copy-credentials.conf" \
  && fail "a path to the binary was not rewritten"
for variant in plain dropin; do
  # The trailing ':' keeps the built-in unit paths, for network-online.target and multi-user.target.
  if ! out="$(SYSTEMD_UNIT_PATH="$work/$variant:" systemd-analyze verify "$work/$variant/guest-access.service" 2>&1)" || [ -n "$out" ]; then
    echo "$out" >&2
    fail "systemd-analyze verify ($variant) failed or warned"
  fi
  echo "$variant: ok"
done

echo "== the ExecStartPre commands, run here with systemd's specifiers filled in"
# As systemd would run them: %S, %d and %t replaced, $$ turned into $.
pre() {
  grep "^ExecStartPre=.*$1" "$2" | sed -e 's/^ExecStartPre=//' -e "s|%S|$work/var/lib|g" -e "s|%d|$work/credentials|g" \
    -e "s|%t|$work/run|g" -e "s|$installed|$bin|g" -e 's/\$\$/$/g'
}
keyring_pre="$(pre 'keys init' "$here/guest-access.service")"
copy_pre="$(pre 'cp -f' "$here/guest-access.service.d/copy-credentials.conf")"
[ -n "$keyring_pre" ] && [ -n "$copy_pre" ] || fail "an ExecStartPre line was not found"
(
  umask 0077
  mkdir -p "$work/var/lib/guest-access" "$work/credentials" "$work/run/guest-access"
  eval "$keyring_pre" >/dev/null
  [ -f "$work/var/lib/guest-access/keyring.json" ] || fail "the first start made no keyring"
  first="$(sha256sum <"$work/var/lib/guest-access/keyring.json")"
  eval "$keyring_pre" >/dev/null || fail "the second start failed on the existing keyring"
  [ "$first" = "$(sha256sum <"$work/var/lib/guest-access/keyring.json")" ] || fail "the second start changed the keyring"
  printf 'a-secret\n' >"$work/credentials/admin-key" && chmod 0440 "$work/credentials/admin-key"
  eval "$copy_pre" && eval "$copy_pre" || fail "copy-credentials.conf's ExecStartPre failed"
  [ "$(stat -c %a "$work/run/guest-access/admin-key")" = 400 ] || fail "the copied credential is not 0400"
)
echo "ok: keyring made once and kept; credentials copied as 0400"

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
