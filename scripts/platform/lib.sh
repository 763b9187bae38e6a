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

ML_UV_VERSION=0.13.9
# The virtualenvs' locks are resolved for CPython 3.11 (Debian bookworm's python3).
ML_PYTHON_WANTED=3.11

# ml_python: the interpreter the virtualenvs are built with: ML_PYTHON when set, else python3
# when it is 3.11, else python3.11 from PATH. Prints the real interpreter, not a pyenv shim, so
# a venv does not depend on the shim's state; fails when there is none.
ml_python() {
  local candidate
  for candidate in "${ML_PYTHON:-}" python3 "python$ML_PYTHON_WANTED"; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null || continue
    if [ -n "${ML_PYTHON:-}" ] ||
      [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$ML_PYTHON_WANTED" ]; then
      "$candidate" -c 'import sys; print(sys.executable)' && return 0
    fi
    [ -z "${ML_PYTHON:-}" ] || break
  done
  die "no Python $ML_PYTHON_WANTED${ML_PYTHON:+ at ML_PYTHON=$ML_PYTHON} (set ML_PYTHON)"
}

# uv_bin: prints the path of uv $ML_UV_VERSION (from PyPI, in $ML_CACHE), installing it
# when missing; its downloads are cached in $ML_CACHE/uv-cache.
uv_bin() {
  local uvdir="$ML_CACHE/uv-$ML_UV_VERSION" python
  if [ ! -x "$uvdir/bin/uv" ]; then
    python="$(ml_python)"
    step "installing uv $ML_UV_VERSION into $uvdir" "10 s"
    rm -rf "$uvdir"
    run_logged "$ML_CACHE/logs/uv-install.log" \
      sh -c "'$python' -m venv '$uvdir' && '$uvdir/bin/pip' install --disable-pip-version-check uv==$ML_UV_VERSION" \
      || die "installing uv failed (log: $ML_CACHE/logs/uv-install.log)"
  fi
  export UV_CACHE_DIR="$ML_CACHE/uv-cache"
  echo "$uvdir/bin/uv"
}

# python_venv NAME VERSION LOCKFILE: prints the path of a virtualenv in $ML_CACHE with LOCKFILE
# installed, building it when missing. The directory is keyed by the Python version and a hash
# of LOCKFILE, so a changed pin builds a new one and a rerun is instant. Installs go through uv
# (itself from PyPI, pinned): with 2 cores its parallel downloads make the first build minutes
# shorter than pip. Byte-compiling at install time (uv skips it by default) spares each server
# start compiling thousands of modules. A half-built venv has no .complete marker and is rebuilt.
python_venv() {
  local name="$1" version="$2" lock="$3" python pyver hash dir uv
  python="$(ml_python)"
  pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  hash="$(sha256sum "$lock" | cut -c1-10)"
  dir="$ML_CACHE/$name-$version-py$pyver-$hash"
  if [ -f "$dir/.complete" ]; then echo "$dir"; return 0; fi
  uv="$(uv_bin)"
  step "building the $name $version virtualenv (Python $pyver) in $dir" "1-4 min"
  rm -rf "$dir"
  run_logged "$ML_CACHE/logs/$name-venv.log" \
    sh -c "'$uv' venv --seed --python '$python' '$dir' && '$uv' pip install --compile-bytecode --python '$dir/bin/python' -r '$lock'" \
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

# Serving (node.sh, registry.sh, gateway.sh, rollouts.sh, prometheus.sh): a real node with
# containers, a gateway, the Argo Rollouts controller and Prometheus. ML_PLATFORM_SERVING=off
# runs the platform with kwok's fake nodes alone (a second instance on a busy machine, or
# benchmarks that need no real pod): the serving scripts then start nothing.
serving_on() { [ "${ML_PLATFORM_SERVING:-on}" != off ]; }
# The Debian packages serving runs (registry.sh installs them when missing).
SERVING_PACKAGES=(containerd runc containernetworking-plugins buildah debootstrap prometheus docker-registry iptables conntrack)
# The real node's name in its apiserver (each instance has its own apiserver).
REAL_NODE=ml-node

# instance_id: a short id of this platform instance, from its state directory, for the
# names the instance must hold on the machine itself (network namespace, interfaces,
# cgroups): two checkouts never share one.
instance_id() {
  local real
  real="$(cd "$ML_STATE" && pwd -P)"
  printf '%s' "$real" | sha256sum | cut -c1-6
}

# The name the platform's images are pushed under and pulled by. Each instance has its own
# registry on a free 127.0.0.1 port (registry.sh); the real node's containerd maps this
# name to it (node.sh), so manifests name the same image in every instance.
REGISTRY_HOST=registry.ml-platform.local
PAUSE_IMAGE="$REGISTRY_HOST/ml-platform/pause:1"
registry_port() { cat "$ML_STATE/registry/registry.port"; }

# The local apiserver as kube.sh runs it, for the components that talk to it.
kube_token() { awk -F, -v u="$1" '$2 == u { print $1 }' "$ML_STATE/kube/tokens.csv"; }
kube_server() { echo "https://127.0.0.1:$(cat "$ML_STATE/kube/apiserver.port")"; }
kube_ca() { echo "$ML_STATE/kube/pki/ca.crt"; }
kube_running() { [ -f "$ML_STATE/kube.json" ] && is_running kube-apiserver; }

# write_kubeconfig FILE USER: a kubeconfig for the local apiserver with USER's token.
write_kubeconfig() {
  cat >"$1.tmp" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $(kube_server)
    certificate-authority: $(kube_ca)
users:
- name: $2
  user:
    token: $(kube_token "$2")
contexts:
- name: local
  context:
    cluster: local
    user: $2
current-context: local
KUBECONFIG
  chmod 600 "$1.tmp"
  mv "$1.tmp" "$1"
}

# The Node scripts here (kube_apply.mjs, prometheus_targets.mjs, cluster_roles.mjs) talk to the
# apiserver through the one Kubernetes module of plugins/ml-platform-node, run from its TypeScript
# source: they need this checkout's node_modules (yarn install) and Node 22 or 24.
node_modules_ready() {
  local pkg
  for pkg in @mlplatform/plugin-ml-platform-node @backstage/cli-node yaml; do
    [ -e "$ML_ROOT/node_modules/$pkg/package.json" ] || return 1
  done
}
NODE_MODULES_MISSING="no node_modules in $ML_ROOT: run yarn install there first (scripts/demo.sh and scripts/test.sh do)"

# node_bin: the path of a Node 22 or 24 for those scripts: the one on PATH, else
# scripts/lib/toolchain.sh's.
node_bin() {
  node_modules_ready || die "$NODE_MODULES_MISSING"
  case "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" in
    22 | 24) ;;
    *) source "$ML_ROOT/scripts/lib/toolchain.sh" >&2 || die "no Node 22 or 24 (scripts/lib/toolchain.sh)" ;;
  esac
  command -v node
}

# ml_node SCRIPT ARGS...: runs scripts/platform/SCRIPT with that Node.
ml_node() {
  local node
  node="$(node_bin)" || return 1
  "$node" "$ML_ROOT/scripts/platform/$1" "${@:2}"
}

# kube_apply ARGS...: scripts/platform/kube_apply.mjs as the local cluster's admin.
kube_apply() {
  KUBE_SERVER="$(kube_server)" KUBE_CA_FILE="$(kube_ca)" KUBE_TOKEN="$(kube_token ml-platform-admin)" \
    ml_node kube_apply.mjs "$@"
}

# bind_cluster_roles USER FILE ROLE...: ClusterRoleBindings of the ROLEs to USER, in FILE.
bind_cluster_roles() {
  local user="$1" file="$2" role; shift 2
  : >"$file"
  for role in "$@"; do
    printf '%s\n' "---" "apiVersion: rbac.authorization.k8s.io/v1" "kind: ClusterRoleBinding" \
      "metadata: {name: \"ml-platform:$user:$role\"}" \
      "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \"$role\"}" \
      "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: \"$user\"}]" >>"$file"
  done
}

# cluster_roles_of FILE...: only the ClusterRole documents of YAML files (a project's
# manifests bind its roles to its own ServiceAccounts; we bind them to our users).
cluster_roles_of() { ml_node cluster_roles.mjs "$@"; }

# cluster_role_names FILE...: the names of those ClusterRoles, space-separated.
cluster_role_names() { ml_node cluster_roles.mjs --names "$@"; }
