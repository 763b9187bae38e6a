#!/usr/bin/env bash
# Checks in a few seconds what the builds and servers of the local platform need, before any
# of them starts, and names everything missing at once: tools and their versions, disk space,
# and the Debian packages that will be installed (apt must be able to reach its sources).
#
#   preflight.sh           what scripts/platform/up.sh needs
#   preflight.sh --tests   that, and what the end-to-end tests need (Chromium)
#
# The same checks run at the start of scripts/test.sh, scripts/demo.sh and up.sh, so a
# machine that cannot work is told so before twenty minutes of builds, not after.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Free space for a first run: the Go module and build caches, the Kubernetes, etcd, kwok and
# lakeFS binaries, the MLflow and ZenML virtualenvs, and node_modules (measured on a fresh
# machine: see the README). A rerun with the caches built needs little more than the data.
COLD_FREE_GB="${ML_PREFLIGHT_COLD_FREE_GB:-20}"
WARM_FREE_GB="${ML_PREFLIGHT_WARM_FREE_GB:-3}"
GO_MIN="1.26" # kwok v0.8.0's go.mod asks for Go 1.26.0

missing=()
apt_packages=()
miss() { missing+=("$*"); }

version_at_least() { # version_at_least HAVE WANT
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

check_tools() {
  local tool
  for tool in git curl sha256sum setpriv tar; do
    command -v "$tool" >/dev/null || miss "the command '$tool' (Debian: apt-get install $tool)"
  done
  command -v npm >/dev/null || miss "npm (it comes with Node.js; the lakeFS web UI is built with it)"
}

check_go() {
  local have
  if ! command -v go >/dev/null; then
    miss "Go $GO_MIN or newer (https://go.dev/dl; the Kubernetes, etcd, kwok and lakeFS servers are built from Go modules)"
    return
  fi
  have="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
  version_at_least "$have" "$GO_MIN" ||
    miss "Go $GO_MIN or newer: found go$have at $(command -v go)"
}

check_python() {
  local python have
  if ! python="$(ml_python 2>/dev/null)"; then
    have="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo missing)"
    miss "Python $ML_PYTHON_WANTED (python3 is $have; Debian bookworm's python3 is 3.11; or set ML_PYTHON)"
    return
  fi
  have="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo none)"
  [ "$have" = "$ML_PYTHON_WANTED" ] || { miss "Python $ML_PYTHON_WANTED at ML_PYTHON=$python: it is $have"; return; }
  "$python" -c 'import venv, ensurepip' 2>/dev/null ||
    { miss "Python's venv module for $python (Debian: python3-venv)"; apt_packages+=(python3-venv); }
}

check_debian_packages() {
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || [ -n "${ML_POSTGRES_BINDIR:-}" ] ||
    apt_packages+=(postgresql)
  if [ "${1:-}" = --tests ]; then
    command -v "${CHROMIUM_PATH:-chromium}" >/dev/null || apt_packages+=(chromium)
    # The API client check runs Backstage's OpenAPI generator, a Java program.
    command -v java >/dev/null || apt_packages+=(default-jre-headless)
  fi
  # Serving's (registry.sh installs them): the real node's runtime, image builds, Prometheus.
  if serving_on; then
    local p
    for p in "${SERVING_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || apt_packages+=("$p"); done
  fi
  [ "${#apt_packages[@]}" -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ]; then
    miss "Debian packages: sudo apt-get install ${apt_packages[*]}"
  elif ! command -v apt-get >/dev/null; then
    miss "packages ${apt_packages[*]}: this is not a Debian machine and they are not installed"
  elif ! timeout 120 apt-get update -qq >/dev/null 2>&1; then
    miss "apt cannot reach its package sources (apt-get update failed), and ${apt_packages[*]} must be installed"
  else
    info "Debian packages to install on the way: ${apt_packages[*]}"
  fi
}

check_disk() {
  local need avail dir
  if [ -d "$ML_CACHE" ] && compgen -G "$ML_CACHE/kube-*/bin/kube-apiserver" >/dev/null; then
    need="$WARM_FREE_GB"
  else
    need="$COLD_FREE_GB"
  fi
  for dir in "$ML_CACHE" "$ML_ROOT"; do
    avail="$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')"
    [ "$avail" -ge "$need" ] || miss "$need GB free under $dir (it has $avail GB; ML_PLATFORM_CACHE moves the caches)"
  done
}

check_tools
check_go
check_python
check_disk
check_debian_packages "${1:-}"

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ERROR: this machine lacks what the local platform needs:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
info "preflight: Go $(go env GOVERSION | sed 's/^go//'), Python $(ml_python), disk and packages ok"
