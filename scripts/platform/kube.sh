#!/usr/bin/env bash
# A real, local Kubernetes control plane for the plugin tests and the demo: etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler, with the real CRDs of
# Gateway API, Argo Rollouts, KServe and Istio, RBAC and token authentication, so reads,
# patches and refusals behave as in a cluster. There is no container runtime: kwok
# (Kubernetes WithOut Kubelet) plays the kubelet of two fake nodes, so Deployments get
# ReplicaSets and Pods that the scheduler places and kwok reports Running and Ready.
#
#   kube.sh build    build etcd, the three Kubernetes components and kwok from Go modules
#                    into $ML_CACHE (once per version)
#   kube.sh start    start them on free 127.0.0.1 ports, install the CRDs, create the fake
#                    nodes, write kube.json
#   kube.sh seed     create the demo platform of demo-platform.json (idempotent) and wait
#                    until every demo Deployment has all its pods Ready
#   kube.sh stop     stop them all
#   kube.sh status   what runs where
#
# Versions can be overridden with ML_KUBE_VERSION, ML_ETCD_VERSION, ML_KWOK_VERSION,
# ML_GATEWAY_API_VERSION, ML_ARGO_ROLLOUTS_VERSION and ML_KSERVE_VERSION.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gobuild.sh"

ETCD_VERSION="${ML_ETCD_VERSION:-v3.6.16}"
# The newest releases whose go.mod the local Go toolchain accepts: `go mod download`
# refuses a module that asks for a newer Go (gateway-api v1.7.0 wants 1.27).
GATEWAY_API_VERSION="${ML_GATEWAY_API_VERSION:-v1.6.3}"
ARGO_ROLLOUTS_VERSION="${ML_ARGO_ROLLOUTS_VERSION:-v1.10.1}"
KSERVE_VERSION="${ML_KSERVE_VERSION:-v0.17.0}"
# Istio's CRDs (VirtualService and the rest of its base set), from istio.io/api.
ISTIO_API_VERSION="${ML_ISTIO_API_VERSION:-v1.32.0}"
# kwok v0.8.0 asks for Go 1.26.0.
KWOK_VERSION="${ML_KWOK_VERSION:-v0.8.0}"

ETCD_DIR="$ML_CACHE/etcd-$ETCD_VERSION"
KUBE_APISERVER="$KUBE_DIR/bin/kube-apiserver"
KUBE_CONTROLLER_MANAGER="$KUBE_DIR/bin/kube-controller-manager"
KUBE_SCHEDULER="$KUBE_DIR/bin/kube-scheduler"
KWOK_DIR="$ML_CACHE/kwok-$KWOK_VERSION"
KWOK_BIN="$KWOK_DIR/bin/kwok"
ETCD_BIN="$ETCD_DIR/bin/etcd"
STATE="$ML_STATE/kube"
JSON="$ML_STATE/kube.json"
HERE="$(cd "$(dirname "$0")" && pwd)"

build_kwok() {
  local gomod work t0=$SECONDS
  if [ -x "$KWOK_BIN" ]; then info "kwok $KWOK_VERSION: cached in $KWOK_DIR"; return; fi
  step "downloading sigs.k8s.io/kwok $KWOK_VERSION"
  gomod="$(go_mod_field "sigs.k8s.io/kwok@$KWOK_VERSION" GoMod)"
  work="$KWOK_DIR/build"
  rm -rf "$work"; mkdir -p "$work" "$KWOK_DIR/bin"
  printf 'module ml-platform.local/kwok-build\n\ngo %s\n\nrequire sigs.k8s.io/kwok %s\n' \
    "$(go_directive "$gomod")" "$KWOK_VERSION" >"$work/go.mod"
  step "building kwok $KWOK_VERSION (log: $KWOK_DIR/build.log)" "5-10 min on 2 cores, once"
  run_logged "$KWOK_DIR/build.log" go_build_main "$work" "-s -w" \
    "$KWOK_BIN" sigs.k8s.io/kwok/cmd/kwok || die "building kwok failed (log: $KWOK_DIR/build.log)"
  info "$("$KWOK_BIN" --version) built in $((SECONDS - t0))s"
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
  build_kube_command kube-apiserver "15-20 min on 2 cores, once"
  # The controller manager and the scheduler reuse most of the apiserver's compiled packages.
  build_kube_command kube-controller-manager "3-5 min on 2 cores, once"
  build_kube_command kube-scheduler "10 s-2 min on 2 cores, once"
  build_kwok
  if serving_on; then
    # The real node's kubelet and kube-proxy (node.sh), from the same wrapper module.
    build_kube_command kubelet "1-3 min on 2 cores after the apiserver, once"
    build_kube_command kube-proxy "1-2 min on 2 cores after the apiserver, once"
  fi
  info "build finished in $((SECONDS - t0))s"
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
  # The control plane's own identities: the apiserver's bootstrap RBAC already binds
  # system:kube-controller-manager and system:kube-scheduler; kwok's role is installed at
  # start. The real node's components and the serving controllers (node.sh, gateway.sh,
  # rollouts.sh, prometheus.sh) each have one too; their RBAC is installed where they start.
  # Appended to a tokens file made before they existed, which makes cmd_start restart the
  # apiserver, as it reads the file only when it starts.
  local user
  for user in system:kube-controller-manager system:kube-scheduler kwok-controller system:kube-proxy \
    coredns traefik argo-rollouts prometheus; do
    [ -n "$(token_of "$user")" ] || printf '%s,%s,%s\n' "$(random_secret)" "$user" "$user" >>"$STATE/tokens.csv"
  done
  # The kubelet's identity is a node's: user system:node:<name> in group system:nodes.
  user="system:node:$REAL_NODE"
  [ -n "$(token_of "$user")" ] || printf '%s,%s,%s,"system:nodes"\n' "$(random_secret)" "$user" "$user" >>"$STATE/tokens.csv"
}

token_of() { kube_token "$1"; }
api_port() { cat "$STATE/apiserver.port"; }

# kube_env CMD...: runs CMD with the connection kube_apply.mjs reads.
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
  port="$(kept_port "$STATE/etcd.port")"
  peer="$(kept_port "$STATE/etcd-peer.port")"
  if [ "$peer" = "$port" ]; then peer="$(free_port)"; echo "$peer" >"$STATE/etcd-peer.port"; fi
  # Every listener pinned to 127.0.0.1: etcd's defaults bind localhost:2379/2380.
  start_daemon kube-etcd "$STATE/logs/etcd.log" "$ETCD_BIN" --name ml-local --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "ml-local=http://127.0.0.1:$peer" --log-level warn
  wait_http "http://127.0.0.1:$port/health" 30 \
    || die "etcd did not become healthy on 127.0.0.1:$port within 30s (log: $STATE/logs/etcd.log)"
  info "etcd $ETCD_VERSION on http://127.0.0.1:$port"
}

# Which node a pod may land on is decided by taints, as on a cluster with two node pools:
# the fake nodes are tainted (with the real node running), and every namespace tolerates
# them by default (PodTolerationRestriction's cluster default); the real node is tainted
# too, and the serving namespaces' own default tolerations (the seed's annotation) name
# only it. So a test's Deployment with a made-up image lands on a fake node, and the demo's
# model services on the real one.
admission_config() {
  local file="$STATE/admission.yaml"
  cat >"$file.tmp" <<YAML
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodTolerationRestriction
    configuration:
      apiVersion: podtolerationrestriction.admission.k8s.io/v1alpha1
      kind: Configuration
      default:
        - {key: ${KWOK_ANNOTATION%%=*}, operator: Exists, effect: NoSchedule}
YAML
  mv "$file.tmp" "$file"
  echo "$file"
}

start_apiserver() {
  local port pki="$STATE/pki" i
  port="$(kept_port "$STATE/apiserver.port")"
  start_daemon kube-apiserver "$STATE/logs/kube-apiserver.log" "$KUBE_APISERVER" \
    --etcd-servers "http://127.0.0.1:$(cat "$STATE/etcd.port")" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$port" \
    --cert-dir "$pki" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --token-auth-file "$STATE/tokens.csv" \
    --allow-privileged=true --profiling=false \
    --enable-admission-plugins PodTolerationRestriction --admission-control-config-file "$(admission_config)"
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
  local gw argo kserve istio log="$STATE/logs/crds.log"
  gw="$(go_mod_field "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" Dir)"
  argo="$(go_mod_field "github.com/argoproj/argo-rollouts@$ARGO_ROLLOUTS_VERSION" Dir)"
  kserve="$(go_mod_field "github.com/kserve/kserve@$KSERVE_VERSION" Dir)"
  istio="$(go_mod_field "istio.io/api@$ISTIO_API_VERSION" Dir)"
  step "installing CRDs: Gateway API $GATEWAY_API_VERSION (standard), Argo Rollouts $ARGO_ROLLOUTS_VERSION, KServe $KSERVE_VERSION, Istio $ISTIO_API_VERSION"
  kube_env ml_node kube_apply.mjs apply "$gw"/config/crd/standard/gateway.networking.k8s.io_*.yaml \
    "$argo/manifests/crds/rollout-crd.yaml" "$kserve/config/crd/full/serving.kserve.io_inferenceservices.yaml" \
    "$istio/kubernetes/customresourcedefinitions.gen.yaml" \
    2>"$log" || { tail -n 5 "$log" >&2; die "installing CRDs failed (log: $log)"; }
  info "CRDs Established"
}

write_kubeconfigs() {
  write_kubeconfig "$STATE/kubeconfig" ml-platform-admin
  write_kubeconfig "$STATE/kubeconfig-controller-manager" system:kube-controller-manager
  write_kubeconfig "$STATE/kubeconfig-scheduler" system:kube-scheduler
  write_kubeconfig "$STATE/kubeconfig-kwok" kwok-controller
}

write_connection_file() {
  local server ca="$STATE/pki/ca.crt"
  server="https://127.0.0.1:$(api_port)"
  python3 - "$JSON" "$server" "$ca" "$(token_of ml-platform-admin)" "$STATE/kubeconfig" \
    "$(token_of ml-platform-no-access)" "${CONTROLLERS[*]:+${FAKE_NODES[*]}}" <<'PY'
import base64, json, os, sys
out, server, ca, token, kubeconfig, restricted, nodes = sys.argv[1:]
info = {"name": "local", "server": server, "caFile": ca,
        "caData": base64.b64encode(open(ca, "rb").read()).decode(), "token": token,
        "kubeconfig": kubeconfig, "restrictedToken": restricted, "nodes": nodes.split()}
fd = os.open(out + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump(info, f, indent=2)
os.replace(out + ".tmp", out)
PY
}

# The controllers the demo needs: Deployments make ReplicaSets make Pods, deleted
# namespaces and owners take their objects with them, Services get EndpointSlices, each
# namespace gets the ServiceAccount and CA ConfigMap that pods are admitted with, and the
# node lifecycle controller lifts the not-ready taint every new Node is created with
# once kwok reports the node Ready (and puts it back if kwok stops renewing its Lease).
KCM_CONTROLLERS=deployment-controller,replicaset-controller,namespace-controller,garbage-collector-controller
KCM_CONTROLLERS+=,pod-garbage-collector-controller,serviceaccount-controller,endpointslice-controller
KCM_CONTROLLERS+=,root-ca-certificate-publisher-controller,node-lifecycle-controller

# healthz NAME PORT: waits for the /healthz of a control-plane component serving with
# the local CA's 127.0.0.1 certificate.
healthz() {
  wait_daemon_http "$1" "https://127.0.0.1:$2/healthz" 60 --cacert "$STATE/pki/ca.crt" \
    || die "$1 not healthy on 127.0.0.1:$2 within 60s (log: $STATE/logs/$1.log)"
}

# The components' secure ports serve the apiserver's certificate (127.0.0.1, signed by
# the local CA) rather than a self-signed one, so health checks verify TLS.
SERVING_CERT=(--tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key")

start_controller_manager() {
  local port
  port="$(kept_port "$STATE/controller-manager.port")"
  # Each controller acts as its own ServiceAccount in kube-system (tokens from the
  # TokenRequest API), as in a real cluster, so RBAC applies to it.
  start_daemon kube-controller-manager "$STATE/logs/kube-controller-manager.log" "$KUBE_CONTROLLER_MANAGER" \
    --kubeconfig "$STATE/kubeconfig-controller-manager" --use-service-account-credentials \
    --controllers "$KCM_CONTROLLERS" --root-ca-file "$STATE/pki/ca.crt" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port "$port" "${SERVING_CERT[@]}" --profiling=false
  healthz kube-controller-manager "$port"
  info "kube-controller-manager on https://127.0.0.1:$port"
}

start_scheduler() {
  local port
  port="$(kept_port "$STATE/scheduler.port")"
  start_daemon kube-scheduler "$STATE/logs/kube-scheduler.log" "$KUBE_SCHEDULER" \
    --kubeconfig "$STATE/kubeconfig-scheduler" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port "$port" "${SERVING_CERT[@]}" --profiling=false
  healthz kube-scheduler "$port"
  info "kube-scheduler on https://127.0.0.1:$port"
}

# The fake nodes kwok plays the kubelet of. Tainted only while the real node serves
# (see admission_config); every namespace but the serving ones tolerates the taint.
FAKE_NODES=(kwok-node-1 kwok-node-2)
KWOK_ANNOTATION="kwok.x-k8s.io/node=fake"

# install_kwok_rbac_and_nodes: kwok's own ClusterRole (from its module), bound to its
# user, and the fake Node objects.
install_kwok_rbac_and_nodes() {
  local kwok node log="$STATE/logs/nodes.log"
  kwok="$(go_mod_field "sigs.k8s.io/kwok@$KWOK_VERSION" Dir)"
  {
    printf '%s\n' "apiVersion: rbac.authorization.k8s.io/v1" "kind: ClusterRoleBinding" \
      "metadata: {name: kwok-controller}" \
      "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kwok-controller}" \
      "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kwok-controller}]"
    for node in "${FAKE_NODES[@]}"; do
      printf '%s\n' "---" "apiVersion: v1" "kind: Node" "metadata:" "  name: $node" \
        "  annotations: {${KWOK_ANNOTATION%%=*}: ${KWOK_ANNOTATION#*=}}" \
        "  labels: {type: kwok, kubernetes.io/hostname: $node, kubernetes.io/os: linux, kubernetes.io/arch: amd64}"
      # Server-side apply with an empty list removes the taint again when serving is off.
      if serving_on; then
        printf '%s\n' "spec:" "  taints: [{key: ${KWOK_ANNOTATION%%=*}, value: ${KWOK_ANNOTATION#*=}, effect: NoSchedule}]"
      else
        printf '%s\n' "spec: {taints: []}"
      fi
    done
  } >"$STATE/kwok-objects.yaml"
  kube_env ml_node kube_apply.mjs apply "$kwok/kustomize/rbac/role.yaml" "$STATE/kwok-objects.yaml" 2>"$log" \
    || { tail -n 5 "$log" >&2; die "creating kwok's RBAC and the fake nodes failed (log: $log)"; }
}

start_kwok() {
  local port kwok stages=() f
  kwok="$(go_mod_field "sigs.k8s.io/kwok@$KWOK_VERSION" Dir)"
  # kwok's own stages for fast nodes and pods (kwokctl's defaults): nodes become Ready and
  # renew a Lease, pods become Running and Ready right away, deleted pods go at once.
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -f "$kwok/kustomize/stage/$f" ] || die "kwok $KWOK_VERSION has no stage $f"
    stages+=(--config "$kwok/kustomize/stage/$f")
  done
  stages+=(--config "$HERE/kwok-stages.yaml")
  port="$(kept_port "$STATE/kwok.port")"
  # Pod IPs from a range apart from the Service range (10.0.0.0/24). The node Leases are
  # the heartbeat the node lifecycle controller watches: without the flag kwok renews none,
  # and after 50 s the controller marks the nodes and their pods not Ready.
  start_daemon kube-kwok "$STATE/logs/kube-kwok.log" "$KWOK_BIN" "${stages[@]}" \
    --kubeconfig "$STATE/kubeconfig-kwok" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector "$KWOK_ANNOTATION" --node-lease-duration-seconds 40 \
    --cidr 10.244.0.1/16 --node-ip 10.240.0.1 --server-address "127.0.0.1:$port"
  wait_daemon_http kube-kwok "http://127.0.0.1:$port/healthz" 60 \
    || die "kwok not healthy on 127.0.0.1:$port within 60s (log: $STATE/logs/kube-kwok.log)"
  kube_env ml_node kube_apply.mjs wait-nodes 60 "${FAKE_NODES[@]}" \
    || die "the fake nodes did not become Ready (log: $STATE/logs/kube-kwok.log)"
  info "kwok $KWOK_VERSION on http://127.0.0.1:$port: nodes ${FAKE_NODES[*]} Ready"
}

# Start order; stopped in reverse. ML_KUBE_WORKLOADS=off starts the apiserver alone, for
# uses that create many Deployments whose pods would only cost CPU (benchmarks). Seeding
# then does not wait for pods.
CONTROLLERS=(kube-controller-manager kube-scheduler kube-kwok)
[ "${ML_KUBE_WORKLOADS:-on}" != off ] || CONTROLLERS=()
CONTROL_PLANE=(kube-etcd kube-apiserver "${CONTROLLERS[@]}")
EVERY_DAEMON=(kube-etcd kube-apiserver kube-controller-manager kube-scheduler kube-kwok)

# stop_daemons NAME...: stops each, the last first.
stop_daemons() {
  local i names=("$@")
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do stop_daemon "${names[i]}"; done
}

all_running() {
  local name
  for name in "$@"; do is_running "$name" || return 1; done
}

binaries_built() {
  [ -x "$ETCD_BIN" ] && [ -x "$KUBE_APISERVER" ] && [ -x "$KUBE_CONTROLLER_MANAGER" ] \
    && [ -x "$KUBE_SCHEDULER" ] && [ -x "$KWOK_BIN" ]
}

cmd_start() {
  # kube.json is written last, so without it an earlier start did not finish.
  if all_running "${CONTROL_PLANE[@]}" && [ -f "$JSON" ]; then
    info "already running: kube-apiserver on https://127.0.0.1:$(api_port) (connection: $JSON)"
    return
  fi
  binaries_built || cmd_build
  local t0=$SECONDS
  mkdir -p "$STATE/logs"
  make_credentials
  # A running apiserver that knows every identity is kept, so tests using it are not cut
  # off; a half-running control plane otherwise restarts whole.
  if all_running kube-etcd kube-apiserver && [ -f "$JSON" ] && readyz \
    && [ ! "$STATE/tokens.csv" -nt "$ML_STATE/kube-apiserver.pid" ]; then
    step "starting the controllers and kwok next to the running kube-apiserver" "20 s"
    stop_daemons "${CONTROLLERS[@]}"
    trap 'stop_daemons "${CONTROLLERS[@]}"' EXIT
  else
    step "starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (data: $STATE)" "1-2 min"
    stop_daemons "${EVERY_DAEMON[@]}"; rm -f "$JSON"
    # A start that fails half-way leaves nothing running; the logs stay.
    trap 'stop_daemons "${CONTROL_PLANE[@]}"' EXIT
    start_etcd
    start_apiserver
    install_crds
  fi
  write_kubeconfigs
  if [ ${#CONTROLLERS[@]} -gt 0 ]; then
    install_kwok_rbac_and_nodes
    start_controller_manager
    start_scheduler
    start_kwok
  fi
  write_connection_file
  trap - EXIT
  info "ready in $((SECONDS - t0))s; kubeconfig: $STATE/kubeconfig, connection: $JSON"
}

cmd_seed() {
  { [ -f "$JSON" ] && is_running kube-apiserver; } || die "kube-apiserver is not running: run $0 start first"
  local log="$STATE/logs/seed.log" t0=$SECONDS ready
  step "seeding the demo platform from demo-platform.json, waiting for its pods"
  ready="$(ML_KUBE_WORKLOADS="${ML_KUBE_WORKLOADS:-on}" kube_env ml_node kube_apply.mjs seed \
    "$HERE/demo-platform.json" "$ML_STATE" 2>"$log")" \
    || { tail -n 12 "$log" >&2; die "seeding failed (log: $log)"; }
  info "applied $(grep -c . "$log") objects (list: $log)${ready:+; $ready}; seed took $((SECONDS - t0))s"
}

cmd_stop() {
  stop_daemons "${EVERY_DAEMON[@]}"
  # Gone with the server: a stale kube.json would point tests at a closed port.
  rm -f "$JSON"
  info "${EVERY_DAEMON[*]} stopped (data kept in $STATE)"
}

cmd_status() {
  local name
  for name in "${EVERY_DAEMON[@]}"; do
    if is_running "$name"; then info "$name: running, pid $(cat "$ML_STATE/$name.pid")"
    else info "$name: stopped"; fi
  done
  is_running kube-apiserver || return 0
  if readyz; then info "https://127.0.0.1:$(api_port) ready (etcd http://127.0.0.1:$(cat "$STATE/etcd.port"))"
  else info "https://127.0.0.1:$(api_port) NOT ready (log: $STATE/logs/kube-apiserver.log)"; fi
  info "kubeconfig: $STATE/kubeconfig; connection: $JSON"
}

usage() { sed -n '2,19s/^# \{0,1\}//p' "$0"; }

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
