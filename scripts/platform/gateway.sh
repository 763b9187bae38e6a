#!/usr/bin/env bash
# The gateway of the local platform: Traefik v3 as the Gateway API implementation, on
# 127.0.0.1, serving the Gateways and HTTPRoutes of the local apiserver (its controller
# writes their status) and Traefik's own TraefikServices, whose weights the Argo Rollouts
# controller sets. It sends each request to a pod IP of the real node directly.
#
#   gateway.sh build    build Traefik from its Go module into $ML_CACHE (once per version)
#   gateway.sh start    run it: the Gateway listener and the dashboard/ping API on free
#                       127.0.0.1 ports; install its GatewayClass and CRDs; write gateway.json
#   gateway.sh seed     nothing (the demo's Gateways and routes come with kube.sh seed)
#   gateway.sh stop | status
#
# ML_TRAEFIK_VERSION picks another release. ML_PLATFORM_SERVING=off: nothing to do.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gobuild.sh"

# v3.7.x requires github.com/traefik/traefik/dynamic/ext from a directory of its source
# tree that its module zip leaves out, so it cannot be built from the module proxy;
# v3.6.12 is the newest that can.
TRAEFIK_VERSION="${ML_TRAEFIK_VERSION:-v3.6.12}"
TRAEFIK_DIR="$ML_CACHE/traefik-$TRAEFIK_VERSION"
TRAEFIK_BIN="$TRAEFIK_DIR/bin/traefik"

STATE="$ML_STATE/gateway"
JSON="$ML_STATE/gateway.json"

cmd_build() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no gateway"; return; }
  go_build_binary traefik github.com/traefik/traefik/v3 "$TRAEFIK_VERSION" github.com/traefik/traefik/v3/cmd/traefik \
    "$TRAEFIK_BIN" "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" "8-15 min on 2 cores, once"
}

# Traefik's CRDs (for TraefikService, which Argo Rollouts steers) and its ClusterRoles for
# the Gateway API and CRD providers, from its module, bound to its own user.
install_crds_and_rbac() {
  local dir docs log="$STATE/logs/rbac.log"
  dir="$(go_mod_field "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" Dir)/docs/content/reference/dynamic-configuration"
  cluster_roles_of "$dir/kubernetes-crd-rbac.yml" "$dir/kubernetes-gateway-rbac.yml" >"$STATE/roles.yaml"
  docs="$(cluster_role_names "$STATE/roles.yaml")"
  # shellcheck disable=SC2086 # one role name per word
  bind_cluster_roles traefik "$STATE/bindings.yaml" $docs
  kube_apply apply "$dir/kubernetes-crd-definition-v1.yml" "$STATE/roles.yaml" "$STATE/bindings.yaml" 2>"$log" \
    || { tail -n 5 "$log" >&2; die "installing Traefik's CRDs and RBAC failed (log: $log)"; }
}

ping() { curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$(cat "$STATE/api.port")/ping"; }

cmd_start() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no gateway"; return; }
  kube_running || die "kube-apiserver is not running: run kube.sh start first"
  if is_running gateway && [ -f "$JSON" ] && ping; then
    info "already running: Traefik on http://127.0.0.1:$(cat "$STATE/web.port")"; return
  fi
  [ -x "$TRAEFIK_BIN" ] || cmd_build
  local web api t0=$SECONDS
  mkdir -p "$STATE/logs"
  stop_daemon gateway
  install_crds_and_rbac
  web="$(kept_port "$STATE/web.port")"
  api="$(kept_port "$STATE/api.port")"
  [ "$api" != "$web" ] || { api="$(free_port)"; echo "$api" >"$STATE/api.port"; }
  # One static configuration file (Traefik reads one source: file, flags or environment),
  # readable by root alone, as it holds the token.
  (umask 077; cat >"$STATE/traefik.yml" <<YAML
global: {checkNewVersion: false, sendAnonymousUsage: false}
entryPoints:
  web: {address: "127.0.0.1:$web"}
  traefik: {address: "127.0.0.1:$api"}
ping: {entryPoint: traefik}
api: {insecure: true, dashboard: false}
metrics:
  prometheus: {entryPoint: traefik, addServicesLabels: true}
log: {level: INFO}
# Idle connections to the pods closed before uvicorn's own keep-alive timeout (5 s) does:
# a request sent on a connection the server is closing would answer 502.
serversTransport:
  forwardingTimeouts: {idleConnTimeout: 2s}
providers:
  providersThrottleDuration: 500ms
  kubernetesGateway:
    endpoint: "$(kube_server)"
    token: "$(kube_token traefik)"
    certAuthFilePath: "$(kube_ca)"
    statusAddress: {ip: 127.0.0.1}
  kubernetesCRD:
    endpoint: "$(kube_server)"
    token: "$(kube_token traefik)"
    certAuthFilePath: "$(kube_ca)"
YAML
  )
  start_daemon gateway "$STATE/logs/traefik.log" "$TRAEFIK_BIN" --configFile="$STATE/traefik.yml"
  wait_daemon_http gateway "http://127.0.0.1:$api/ping" 60 \
    || die "Traefik did not answer on 127.0.0.1:$api within 60s (log: $STATE/logs/traefik.log)"
  python3 - "$JSON" "$web" "$api" "$TRAEFIK_VERSION" <<'PY'
import json, os, sys
out, web, api, version = sys.argv[1:]
info = {"url": f"http://127.0.0.1:{web}", "port": int(web), "apiUrl": f"http://127.0.0.1:{api}",
        "metricsUrl": f"http://127.0.0.1:{api}/metrics", "implementation": f"traefik {version}"}
with open(out + ".tmp", "w") as f:
    json.dump(info, f, indent=2)
os.replace(out + ".tmp", out)
PY
  info "Traefik $TRAEFIK_VERSION: Gateway listeners on http://127.0.0.1:$web, API on 127.0.0.1:$api ($((SECONDS - t0))s)"
}

cmd_stop() {
  stop_daemon gateway
  rm -f "$JSON"
}

cmd_status() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no gateway"; return; }
  if is_running gateway; then
    info "gateway: running, pid $(cat "$ML_STATE/gateway.pid"); listeners http://127.0.0.1:$(cat "$STATE/web.port")"
    if ping; then info "ping OK; routers: $(curl -fsS "http://127.0.0.1:$(cat "$STATE/api.port")/api/http/routers" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
    else info "ping FAILED (log: $STATE/logs/traefik.log)"; fi
  else
    info "gateway: stopped"
  fi
}

main() {
  case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    seed) : ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) sed -n '2,13s/^# \{0,1\}//p' "$0" ;;
    *) sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
}

{ main "$@"; exit $?; }
