# Sourced by scripts/test and .ci/run: makes sure node (>= 18), npm and tsc
# are on the PATH for the JavaScript SDK's tests (sdk/js/scripts/ci.sh),
# installing only what is missing from Debian (nodejs, npm, node-typescript).
# A machine whose node comes with its own npm (nodesource) keeps it: Debian's
# npm package would conflict with it, so it is installed only when npm is absent.
node_tools() {
  local need=()
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  command -v tsc >/dev/null || need+=(node-typescript)
  if [ ${#need[@]} -gt 0 ]; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
  echo "node $(node --version), npm $(npm --version), tsc $(tsc --version | cut -d' ' -f2)"
}
