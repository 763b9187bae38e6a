#!/usr/bin/env bash
# The Argo Rollouts controller, real, next to the local apiserver: it carries out the
# steps, promote, abort, retry and undo of the Rollouts, writes their status and sets the
# weights of the TraefikServices they route through (its Traefik traffic routing).
#
#   rollouts.sh build    build it from its Go module into $ML_CACHE (once per version)
#   rollouts.sh start    run it; write rollouts.json
#   rollouts.sh seed     nothing (kube.sh seed creates the demo's Rollout)
#   rollouts.sh stop | status
#
# The controller binds its health and metrics servers to 0.0.0.0 (fixed in its code), so
# it runs in a network namespace of its own, ml-<id>-argo, where nothing else listens and
# nothing leads out but nsproxy's listener for the apiserver's port, which forwards to the
# apiserver on the machine's 127.0.0.1. ML_PLATFORM_SERVING=off: nothing to do.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gobuild.sh"

ARGO_ROLLOUTS_VERSION="${ML_ARGO_ROLLOUTS_VERSION:-v1.10.1}"
ARGO_DIR="$ML_CACHE/argo-rollouts-$ARGO_ROLLOUTS_VERSION"
ARGO_BIN="$ARGO_DIR/bin/rollouts-controller"
STATE="$ML_STATE/rollouts"
JSON="$ML_STATE/rollouts.json"
NETNS="ml-$(instance_id)-argo"
# Inside the controller's own network namespace: no other process there to collide with.
HEALTHZ_PORT=8080
METRICS_PORT=8090

cmd_build() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no Argo Rollouts controller"; return; }
  go_build_binary rollouts-controller github.com/argoproj/argo-rollouts "$ARGO_ROLLOUTS_VERSION" \
    github.com/argoproj/argo-rollouts/cmd/rollouts-controller "$ARGO_BIN" \
    "-s -w -X github.com/argoproj/argo-rollouts/utils/version.version=$ARGO_ROLLOUTS_VERSION" "5-10 min on 2 cores, once"
  go_tool nsproxy >/dev/null
}

in_netns() { ip netns exec "$NETNS" "$@"; }
healthy() { in_netns curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$HEALTHZ_PORT/healthz" 2>/dev/null; }

install_crds_and_rbac() {
  local dir log="$STATE/logs/rbac.log"
  dir="$(go_mod_field "github.com/argoproj/argo-rollouts@$ARGO_ROLLOUTS_VERSION" Dir)"
  bind_cluster_roles argo-rollouts "$STATE/bindings.yaml" argo-rollouts
  # The controller waits for an informer of each of its kinds: all its CRDs, not only the
  # Rollout's that kube.sh installs.
  kube_apply apply "$dir"/manifests/crds/*-crd.yaml "$dir/manifests/role/argo-rollouts-clusterrole.yaml" \
    "$STATE/bindings.yaml" 2>"$log" \
    || { tail -n 5 "$log" >&2; die "installing the controller's CRDs and RBAC failed (log: $log)"; }
}

cmd_start() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no Argo Rollouts controller"; return; }
  kube_running || die "kube-apiserver is not running: run kube.sh start first"
  if is_running rollouts-controller && is_running rollouts-nsproxy && [ -f "$JSON" ] && healthy; then
    info "already running: Argo Rollouts controller $ARGO_ROLLOUTS_VERSION"; return
  fi
  [ -x "$ARGO_BIN" ] || cmd_build
  local api t0=$SECONDS
  cmd_stop >/dev/null
  mkdir -p "$STATE/logs"
  install_crds_and_rbac
  ip netns add "$NETNS"
  in_netns ip link set lo up
  api="$(cat "$ML_STATE/kube/apiserver.port")"
  start_daemon rollouts-nsproxy "$STATE/logs/nsproxy.log" "$(go_tool nsproxy)" "/run/netns/$NETNS" \
    "127.0.0.1:$api" "127.0.0.1:$api"
  write_kubeconfig "$STATE/kubeconfig" argo-rollouts
  start_daemon rollouts-controller "$STATE/logs/controller.log" ip netns exec "$NETNS" "$ARGO_BIN" \
    --kubeconfig "$STATE/kubeconfig" --leader-elect=false --healthzPort "$HEALTHZ_PORT" \
    --metricsPort "$METRICS_PORT" --loglevel info
  local i
  for ((i = 0; i < 120; i++)); do
    healthy && break
    is_running rollouts-controller || die "the Argo Rollouts controller exited while starting (log: $STATE/logs/controller.log)"
    sleep 0.5
  done
  healthy || die "the Argo Rollouts controller not healthy within 60s (log: $STATE/logs/controller.log)"
  python3 - "$JSON" "$ARGO_ROLLOUTS_VERSION" "$NETNS" <<'PY'
import json, os, sys
out, version, netns = sys.argv[1:]
with open(out + ".tmp", "w") as f:
    json.dump({"version": version, "netns": netns}, f, indent=2)
os.replace(out + ".tmp", out)
PY
  info "Argo Rollouts controller $ARGO_ROLLOUTS_VERSION running ($((SECONDS - t0))s; log: $STATE/logs/controller.log)"
}

cmd_stop() {
  stop_daemon rollouts-controller
  stop_daemon rollouts-nsproxy
  rm -f "$JSON"
  if ip netns list | grep -qw "^$NETNS"; then ip netns del "$NETNS"; fi
}

cmd_status() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no Argo Rollouts controller"; return; }
  local d
  for d in rollouts-controller rollouts-nsproxy; do
    if is_running "$d"; then info "$d: running, pid $(cat "$ML_STATE/$d.pid")"; else info "$d: stopped"; fi
  done
  if is_running rollouts-controller; then
    if healthy; then info "controller healthy (network namespace $NETNS)"; else info "controller NOT healthy (log: $STATE/logs/controller.log)"; fi
  fi
}

main() {
  case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    seed) : ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) sed -n '2,14s/^# \{0,1\}//p' "$0" ;;
    *) sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
}

{ main "$@"; exit $?; }
