# shellcheck shell=bash
# ensure_chromium: Debian's Chromium for the end-to-end tests; Playwright never
# downloads a browser here. Sourced, never run.
ensure_chromium() {
  CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium || true)}"
  if [ -z "$CHROMIUM_PATH" ]; then
    step "Installing Debian's chromium for the end-to-end tests" "1-2 min, once"
    [ "$(id -u)" = 0 ] || die "chromium is missing: install it with 'sudo apt-get install chromium'"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; } \
      || die "installing chromium with apt-get failed"
    CHROMIUM_PATH="$(command -v chromium)"
  fi
  export CHROMIUM_PATH
}
