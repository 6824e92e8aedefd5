# Sourced by scripts/test and .ci/run: the Python test tools (aiosmtpd, the
# real SMTP server the tests start; selenium, which drives Chromium in the
# browser test; schemathesis for CI) live in a venv of
# the project's own, `.venv/`, never in the system Python (Debian's refuses
# pip: externally-managed-environment). Needs Debian's python3-venv. Puts the
# venv first on PATH, so `python3` in the tests and scripts is the venv's.
#   python_env aiosmtpd [schemathesis ...]
python_env() {
  local root venv
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  venv="$root/.venv"
  if ! /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends python3-venv
  fi
  [ -x "$venv/bin/python3" ] || /usr/bin/python3 -m venv "$venv"
  local missing=()
  for package in "$@"; do
    "$venv/bin/python3" -m pip show -q "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
  fi
  export PATH="$venv/bin:$PATH"
}
