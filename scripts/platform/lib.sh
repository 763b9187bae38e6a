# shellcheck shell=bash
# Shared helpers of the local ML platform scripts. Sourced, never run.
#
# Layout:
#   $ML_CACHE  builds and virtualenvs, outside the repo, keyed by version; kept across clones.
#   $ML_STATE  this checkout's running platform: data dirs, logs, pid files and the
#              <component>.json files with addresses and credentials (gitignored).
set -euo pipefail

ML_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ML_CACHE="${ML_PLATFORM_CACHE:-$HOME/.cache/ml-platform}"
ML_STATE="${ML_PLATFORM_STATE:-$ML_ROOT/.local/platform}"
mkdir -p "$ML_CACHE" "$ML_STATE"

# step "what" "how long": announces a long step on stderr.
step() { echo "==> $1${2:+ (about $2)}" >&2; }
info() { echo "    $*" >&2; }
die() { echo "ERROR: $*" >&2; exit 1; }

# run_logged LOGFILE CMD...: runs a long command with its output in LOGFILE, printing a
# dot every 10 s so the user sees it is alive; on failure names the log and shows its tail.
run_logged() {
  local log="$1"; shift
  mkdir -p "$(dirname "$log")"
  ("$@") >"$log" 2>&1 &
  local pid=$! elapsed=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; elapsed=$((elapsed + 1))
    if [ $((elapsed % 10)) -eq 0 ]; then printf '.' >&2; fi
  done
  [ "$elapsed" -ge 10 ] && echo >&2
  if ! wait "$pid"; then
    echo "ERROR: step failed after ${elapsed}s: $*" >&2
    echo "       log: $log (last lines below)" >&2
    tail -n 25 "$log" >&2
    return 1
  fi
  info "done in ${elapsed}s"
}

# free_port: an unused TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# kept_port FILE: the port recorded in FILE if it is free on 127.0.0.1, else a new free one,
# recorded in FILE. Keeping the ports across restarts keeps URLs in configs that were read
# earlier valid. The check binds with SO_REUSEADDR, as the servers do: the connections of a
# server just stopped linger in TIME_WAIT, which stops only a plain bind, not the server's own.
kept_port() {
  local port
  port="$(cat "$1" 2>/dev/null || true)"
  if [ -z "$port" ] || ! python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",int(sys.argv[1])))' "$port" 2>/dev/null; then
    port="$(free_port)"
  fi
  echo "$port" >"$1"
  echo "$port"
}

# wait_http URL SECONDS [CURL_ARGS...]: waits until URL answers 2xx.
wait_http() {
  local url="$1" secs="$2"; shift 2
  local i
  for ((i = 0; i < secs * 2; i++)); do
    if curl -fsS -o /dev/null "$@" "$url" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  return 1
}

# start_daemon NAME LOGFILE CMD...: starts CMD in its own process group, in the
# background, and records its pid in $ML_STATE/NAME.pid.
start_daemon() {
  local name="$1" log="$2"; shift 2
  mkdir -p "$(dirname "$log")"
  setsid "$@" >"$log" 2>&1 < /dev/null &
  echo $! >"$ML_STATE/$name.pid"
}

# stop_daemon NAME: stops the process group recorded for NAME, waiting for it to exit.
stop_daemon() {
  local name="$1" pidfile="$ML_STATE/$1.pid" pid i
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# is_running NAME: whether the daemon recorded for NAME is alive.
is_running() {
  local pidfile="$ML_STATE/$1.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# random_secret: a random token for generated credentials.
random_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }

# secret_file FILE: the secret kept in FILE, generated on first use. Servers keep the hash of
# the first password they saw, so the same one has to come back on every start.
secret_file() {
  if [ ! -s "$1" ]; then
    (umask 077; random_secret >"$1")
  fi
  cat "$1"
}

# python_venv NAME VERSION LOCKFILE: prints the path of a virtualenv in $ML_CACHE with LOCKFILE
# installed, building it when missing. The directory is keyed by the Python version and a hash
# of LOCKFILE, so a changed pin builds a new one and a rerun is instant. Installs go through uv
# (itself from PyPI, pinned): with 2 cores its parallel downloads make the first build minutes
# shorter than pip. Byte-compiling at install time (uv skips it by default) spares each server
# start compiling thousands of modules. A half-built venv has no .complete marker and is rebuilt.
ML_UV_VERSION=0.13.9
python_venv() {
  local name="$1" version="$2" lock="$3" python pyver hash dir uvdir
  # The real interpreter, not a pyenv shim, so the venv does not depend on the shim's state.
  python="$("${ML_PYTHON:-python3}" -c 'import sys; print(sys.executable)')" \
    || die "no Python at '${ML_PYTHON:-python3}' (set ML_PYTHON)"
  pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  hash="$(sha256sum "$lock" | cut -c1-10)"
  dir="$ML_CACHE/$name-$version-py$pyver-$hash"
  if [ -f "$dir/.complete" ]; then echo "$dir"; return 0; fi
  uvdir="$ML_CACHE/uv-$ML_UV_VERSION"
  if [ ! -x "$uvdir/bin/uv" ]; then
    step "installing uv $ML_UV_VERSION into $uvdir" "10 s"
    rm -rf "$uvdir"
    run_logged "$ML_CACHE/logs/uv-install.log" \
      sh -c "'$python' -m venv '$uvdir' && '$uvdir/bin/pip' install --disable-pip-version-check uv==$ML_UV_VERSION" \
      || die "installing uv failed (log: $ML_CACHE/logs/uv-install.log)"
  fi
  step "building the $name $version virtualenv (Python $pyver) in $dir" "1-4 min"
  rm -rf "$dir"
  export UV_CACHE_DIR="$ML_CACHE/uv-cache"
  run_logged "$ML_CACHE/logs/$name-venv.log" \
    sh -c "'$uvdir/bin/uv' venv --seed --python '$python' '$dir' && '$uvdir/bin/uv' pip install --compile-bytecode --python '$dir/bin/python' -r '$lock'" \
    || die "building the $name virtualenv failed (log: $ML_CACHE/logs/$name-venv.log)"
  touch "$dir/.complete"
  echo "$dir"
}

# wait_daemon_http NAME URL SECONDS [CURL_ARGS...]: like wait_http, but gives up as soon as the
# daemon recorded for NAME has exited, instead of polling a dead server until the timeout.
wait_daemon_http() {
  local name="$1" url="$2" secs="$3" i; shift 3
  for ((i = 0; i < secs * 2; i++)); do
    if curl -fsS -o /dev/null "$@" "$url" 2>/dev/null; then return 0; fi
    is_running "$name" || return 1
    sleep 0.5
  done
  return 1
}
