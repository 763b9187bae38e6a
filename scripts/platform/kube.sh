#!/usr/bin/env bash
# A real, local Kubernetes API server (kube-apiserver + etcd, no controllers, no nodes)
# for the plugin tests and the demo: the real CRDs of Gateway API, Argo Rollouts and
# KServe, RBAC and token authentication, so reads, patches and refusals behave as in
# a cluster.
#
#   kube.sh build    build kube-apiserver and etcd from Go modules into $ML_CACHE (once per version)
#   kube.sh start    start both on free 127.0.0.1 ports, install the CRDs, write kube.json
#   kube.sh seed     create the demo platform of demo-platform.json (idempotent)
#   kube.sh stop     stop both
#   kube.sh status   what runs where
#
# Versions can be overridden with ML_KUBE_VERSION, ML_ETCD_VERSION, ML_GATEWAY_API_VERSION,
# ML_ARGO_ROLLOUTS_VERSION and ML_KSERVE_VERSION.
source "$(dirname "$0")/lib.sh"

KUBE_VERSION="${ML_KUBE_VERSION:-v1.35.8}"
ETCD_VERSION="${ML_ETCD_VERSION:-v3.6.16}"
# The newest releases whose go.mod the local Go toolchain accepts: `go mod download`
# refuses a module that asks for a newer Go (gateway-api v1.7.0 wants 1.27).
GATEWAY_API_VERSION="${ML_GATEWAY_API_VERSION:-v1.6.3}"
ARGO_ROLLOUTS_VERSION="${ML_ARGO_ROLLOUTS_VERSION:-v1.10.1}"
KSERVE_VERSION="${ML_KSERVE_VERSION:-v0.17.0}"

KUBE_DIR="$ML_CACHE/kube-$KUBE_VERSION"
ETCD_DIR="$ML_CACHE/etcd-$ETCD_VERSION"
KUBE_APISERVER="$KUBE_DIR/bin/kube-apiserver"
ETCD_BIN="$ETCD_DIR/bin/etcd"
PYENV="$ML_CACHE/kube-pyenv"
STATE="$ML_STATE/kube"
JSON="$ML_STATE/kube.json"
HERE="$(cd "$(dirname "$0")" && pwd)"

# Never fetch another toolchain behind the user's back; -mod=mod lets the generated
# wrapper modules fill in their go.sum.
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"

# go_mod_field MODULE@VERSION FIELD: downloads a module and prints one field of
# `go mod download -json` (Dir, GoMod), or dies with the proxy's error.
go_mod_field() {
  local out
  out="$(cd "$ML_CACHE" && GOFLAGS='' go mod download -json "$1" 2>&1)" || true
  python3 - "$1" "$2" "$out" <<'EOF'
import json, sys
mod, field, out = sys.argv[1:]
try:
    info = json.loads(out)
except ValueError:
    sys.exit(f"ERROR: go mod download {mod} failed:\n{out}")
if info.get("Error") or not info.get(field):
    sys.exit(f"ERROR: go mod download {mod} failed: {info.get('Error', 'no ' + field)}")
print(info[field])
EOF
}

# go_directive GOMOD_FILE: the `go` line of a go.mod, which the wrapper module must
# not undercut.
go_directive() { sed -n 's/^go \([0-9.]*\).*/\1/p' "$1" | head -n1; }

# go_build_main DIR LDFLAGS OUT PACKAGE: builds a main package of a dependency of the
# wrapper module in DIR; OUT appears only when complete, so a broken build is retried.
# shellcheck disable=SC2329 # called through run_logged
go_build_main() {
  cd "$1" && go build -trimpath -ldflags "$2" -o "$3.tmp" "$4" && mv "$3.tmp" "$3"
}

build_kube_apiserver() {
  if [ -x "$KUBE_APISERVER" ]; then info "kube-apiserver $KUBE_VERSION: cached in $KUBE_DIR"; return; fi
  local minor="${KUBE_VERSION#v1.}" gomod work staging
  minor="${minor%%.*}"
  step "downloading k8s.io/kubernetes $KUBE_VERSION" "1 min"
  gomod="$(go_mod_field "k8s.io/kubernetes@$KUBE_VERSION" GoMod)"
  # k8s.io/kubernetes points its staging modules at ./staging/src, which a dependency
  # cannot use: pin each to its published twin, k8s.io/<name> v0.<minor>.<patch>.
  staging="$(sed -n 's#^\s*\(k8s.io/[^ ]*\) => ./staging/src/.*#\1#p' "$gomod")"
  [ -n "$staging" ] || die "no staging replace directives found in $gomod"
  work="$KUBE_DIR/build"
  rm -rf "$work"; mkdir -p "$work" "$KUBE_DIR/bin"
  {
    echo "module ml-platform.local/kube-apiserver-build"
    echo
    echo "go $(go_directive "$gomod")"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    local m
    for m in $staging; do echo "	$m => $m v0.${KUBE_VERSION#v1.}"; done
    echo ")"
  } >"$work/go.mod"
  info "wrapper module: $work/go.mod ($(wc -w <<<"$staging") staging modules)"
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  step "building kube-apiserver $KUBE_VERSION (log: $KUBE_DIR/build.log)" "15-20 min on 2 cores, once"
  run_logged "$KUBE_DIR/build.log" go_build_main "$work" "$ldflags" "$KUBE_APISERVER" k8s.io/kubernetes/cmd/kube-apiserver \
    || die "building kube-apiserver failed (log: $KUBE_DIR/build.log)"
  info "$("$KUBE_APISERVER" --version)"
}

build_etcd() {
  if [ -x "$ETCD_BIN" ]; then info "etcd $ETCD_VERSION: cached in $ETCD_DIR"; return; fi
  local gomod work
  step "downloading go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  gomod="$(go_mod_field "go.etcd.io/etcd/server/v3@$ETCD_VERSION" GoMod)"
  # The etcd binary's main package is the root of the server module; its own replace
  # directives point at sibling directories, which are ignored in a dependency, so
  # the published api/client/pkg modules of the same version are used instead.
  work="$ETCD_DIR/build"
  rm -rf "$work"; mkdir -p "$work" "$ETCD_DIR/bin"
  printf 'module ml-platform.local/etcd-build\n\ngo %s\n\nrequire go.etcd.io/etcd/server/v3 %s\n' \
    "$(go_directive "$gomod")" "$ETCD_VERSION" >"$work/go.mod"
  step "building etcd $ETCD_VERSION (log: $ETCD_DIR/build.log)" "3-4 min on 2 cores, once"
  run_logged "$ETCD_DIR/build.log" go_build_main "$work" "-s -w" "$ETCD_BIN" go.etcd.io/etcd/server/v3 \
    || die "building etcd failed (log: $ETCD_DIR/build.log)"
  info "$("$ETCD_BIN" --version | head -n1)"
}

cmd_build() {
  local t0=$SECONDS
  build_etcd
  build_kube_apiserver
  info "build finished in $((SECONDS - t0))s"
}

# shellcheck disable=SC2329 # called through run_logged
make_pyenv() { python3 -m venv "$PYENV" && "$PYENV/bin/pip" install -q pyyaml; }

# kube_python: a python3 with PyYAML, the system one if it has it, else a small venv.
kube_python() {
  if python3 -c 'import yaml' 2>/dev/null; then echo python3; return; fi
  if [ ! -x "$PYENV/bin/python" ] || ! "$PYENV/bin/python" -c 'import yaml' 2>/dev/null; then
    step "creating $PYENV with PyYAML"
    run_logged "$ML_CACHE/logs/kube-pyenv.log" make_pyenv || die "could not create the PyYAML venv (log: $ML_CACHE/logs/kube-pyenv.log)"
  fi
  echo "$PYENV/bin/python"
}

# reuse_port PORT: PORT if it is free on 127.0.0.1, else a new free one. Keeping the
# ports across restarts keeps URLs in configs that were read earlier valid.
reuse_port() {
  if [ -n "${1:-}" ] && python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1])))' "$1" 2>/dev/null; then
    echo "$1"
  else
    free_port
  fi
}

# The CA, serving certificate, service-account keys and tokens are made once and kept,
# so kube.json and kubeconfigs handed out earlier stay valid across restarts.
make_credentials() {
  local pki="$STATE/pki" log="$STATE/logs/pki.log"
  mkdir -p "$pki"; chmod 700 "$STATE" "$pki"
  if [ ! -f "$pki/apiserver.crt" ]; then
    step "generating a CA, a serving certificate for 127.0.0.1/localhost and service-account keys"
    {
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=ml-platform-local-ca" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$pki/ca.key" -out "$pki/ca.crt"
      openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=kube-apiserver" \
        -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr"
      printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
        >"$pki/apiserver.ext"
      openssl x509 -req -sha256 -days 3650 -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
        -CAcreateserial -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt"
      openssl genrsa -out "$pki/sa.key" 2048
      openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
    } >"$log" 2>&1 || die "generating certificates failed (log: $log)"
    chmod 600 "$pki"/*.key
  fi
  if [ ! -f "$STATE/tokens.csv" ]; then
    # token,user,uid[,"groups"]: the admin is in system:masters; the second user has no
    # RBAC bindings at all, for tests of refused requests.
    printf '%s,ml-platform-admin,ml-platform-admin,"system:masters"\n%s,ml-platform-no-access,ml-platform-no-access\n' \
      "$(random_secret)" "$(random_secret)" >"$STATE/tokens.csv"
    chmod 600 "$STATE/tokens.csv"
  fi
}

token_of() { awk -F, -v u="$1" '$2 == u { print $1 }' "$STATE/tokens.csv"; }
api_port() { cat "$STATE/apiserver.port"; }

# kube_env CMD...: runs CMD with the connection kube_apply.py reads.
kube_env() {
  KUBE_SERVER="https://127.0.0.1:$(api_port)" KUBE_CA_FILE="$STATE/pki/ca.crt" \
    KUBE_TOKEN="$(token_of ml-platform-admin)" "$@"
}

readyz() {
  curl -fsS --max-time 5 --cacert "$STATE/pki/ca.crt" -H "Authorization: Bearer $(token_of ml-platform-admin)" \
    "https://127.0.0.1:$(api_port)/readyz" >/dev/null 2>&1
}

start_etcd() {
  local port peer
  port="$(reuse_port "$(cat "$STATE/etcd.port" 2>/dev/null || true)")"
  peer="$(reuse_port "$(cat "$STATE/etcd-peer.port" 2>/dev/null || true)")"
  [ "$peer" != "$port" ] || peer="$(free_port)"
  echo "$port" >"$STATE/etcd.port"; echo "$peer" >"$STATE/etcd-peer.port"
  # Every listener pinned to 127.0.0.1: etcd's defaults bind localhost:2379/2380.
  start_daemon kube-etcd "$STATE/logs/etcd.log" "$ETCD_BIN" --name ml-local --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "ml-local=http://127.0.0.1:$peer" --log-level warn
  wait_http "http://127.0.0.1:$port/health" 30 \
    || die "etcd did not become healthy on 127.0.0.1:$port within 30s (log: $STATE/logs/etcd.log)"
  info "etcd $ETCD_VERSION on http://127.0.0.1:$port"
}

start_apiserver() {
  local port pki="$STATE/pki" i
  port="$(reuse_port "$(cat "$STATE/apiserver.port" 2>/dev/null || true)")"
  echo "$port" >"$STATE/apiserver.port"
  start_daemon kube-apiserver "$STATE/logs/kube-apiserver.log" "$KUBE_APISERVER" \
    --etcd-servers "http://127.0.0.1:$(cat "$STATE/etcd.port")" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$port" \
    --cert-dir "$pki" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --token-auth-file "$STATE/tokens.csv" \
    --allow-privileged=true --profiling=false
  for ((i = 0; i < 240; i++)); do
    readyz && break
    is_running kube-apiserver || die "kube-apiserver exited while starting (log: $STATE/logs/kube-apiserver.log)"
    sleep 0.5
  done
  readyz || die "kube-apiserver not ready on 127.0.0.1:$port within 120s (log: $STATE/logs/kube-apiserver.log)"
  info "kube-apiserver $KUBE_VERSION on https://127.0.0.1:$port"
}

# The CRD manifests come from the projects' own Go module zips, so no YAML is vendored
# here and each is exactly the released one.
install_crds() {
  local py gw argo kserve log="$STATE/logs/crds.log"
  gw="$(go_mod_field "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" Dir)"
  argo="$(go_mod_field "github.com/argoproj/argo-rollouts@$ARGO_ROLLOUTS_VERSION" Dir)"
  kserve="$(go_mod_field "github.com/kserve/kserve@$KSERVE_VERSION" Dir)"
  py="$(kube_python)"
  step "installing CRDs: Gateway API $GATEWAY_API_VERSION (standard), Argo Rollouts $ARGO_ROLLOUTS_VERSION, KServe $KSERVE_VERSION"
  kube_env "$py" "$HERE/kube_apply.py" apply "$gw"/config/crd/standard/gateway.networking.k8s.io_*.yaml \
    "$argo/manifests/crds/rollout-crd.yaml" "$kserve/config/crd/full/serving.kserve.io_inferenceservices.yaml" \
    2>"$log" || { tail -n 5 "$log" >&2; die "installing CRDs failed (log: $log)"; }
  info "CRDs Established"
}

write_connection_files() {
  local server ca="$STATE/pki/ca.crt" admin
  server="https://127.0.0.1:$(api_port)"
  admin="$(token_of ml-platform-admin)"
  cat >"$STATE/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $server
    certificate-authority: $ca
users:
- name: local-admin
  user:
    token: $admin
contexts:
- name: local
  context:
    cluster: local
    user: local-admin
current-context: local
KUBECONFIG
  chmod 600 "$STATE/kubeconfig"
  python3 - "$JSON" "$server" "$ca" "$admin" "$STATE/kubeconfig" "$(token_of ml-platform-no-access)" <<'PY'
import base64, json, os, sys
out, server, ca, token, kubeconfig, restricted = sys.argv[1:]
info = {"name": "local", "server": server, "caFile": ca,
        "caData": base64.b64encode(open(ca, "rb").read()).decode(), "token": token,
        "kubeconfig": kubeconfig, "restrictedToken": restricted}
fd = os.open(out + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump(info, f, indent=2)
os.replace(out + ".tmp", out)
PY
}

cmd_start() {
  # kube.json is written last, so without it an earlier start did not finish.
  if is_running kube-apiserver && is_running kube-etcd && [ -f "$JSON" ]; then
    info "already running: kube-apiserver on https://127.0.0.1:$(api_port) (connection: $JSON)"
    return
  fi
  # A half-running pair (one crashed, or a start that failed) is restarted whole.
  stop_daemon kube-apiserver; stop_daemon kube-etcd; rm -f "$JSON"
  if [ ! -x "$KUBE_APISERVER" ] || [ ! -x "$ETCD_BIN" ]; then cmd_build; fi
  local t0=$SECONDS
  step "starting etcd and kube-apiserver (data: $STATE)" "20 s"
  mkdir -p "$STATE/logs"
  # A start that fails half-way leaves nothing running; the logs stay.
  trap 'stop_daemon kube-apiserver; stop_daemon kube-etcd' EXIT
  make_credentials
  start_etcd
  start_apiserver
  install_crds
  write_connection_files
  trap - EXIT
  info "ready in $((SECONDS - t0))s; kubeconfig: $STATE/kubeconfig, connection: $JSON"
}

cmd_seed() {
  { [ -f "$JSON" ] && is_running kube-apiserver; } || die "kube-apiserver is not running: run $0 start first"
  local py log="$STATE/logs/seed.log"
  py="$(kube_python)"
  step "seeding the demo platform from demo-platform.json"
  kube_env "$py" "$HERE/kube_apply.py" seed "$HERE/demo-platform.json" "$ML_STATE" 2>"$log" \
    || { tail -n 5 "$log" >&2; die "seeding failed (log: $log)"; }
  info "applied $(grep -c . "$log") objects (list: $log)"
}

cmd_stop() {
  stop_daemon kube-apiserver
  stop_daemon kube-etcd
  # Gone with the server: a stale kube.json would point tests at a closed port.
  rm -f "$JSON"
  info "kube-apiserver and etcd stopped (data kept in $STATE)"
}

cmd_status() {
  local name
  for name in kube-etcd kube-apiserver; do
    if is_running "$name"; then info "$name: running, pid $(cat "$ML_STATE/$name.pid")"
    else info "$name: stopped"; fi
  done
  is_running kube-apiserver || return 0
  if readyz; then info "https://127.0.0.1:$(api_port) ready (etcd http://127.0.0.1:$(cat "$STATE/etcd.port"))"
  else info "https://127.0.0.1:$(api_port) NOT ready (log: $STATE/logs/kube-apiserver.log)"; fi
  info "kubeconfig: $STATE/kubeconfig; connection: $JSON"
}

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }

main() {
  case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    seed) cmd_seed ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

# One compound command, parsed whole before it runs, so editing this file while a long
# build runs cannot make bash read half-changed lines afterwards.
{ main "$@"; exit $?; }
