#!/usr/bin/env bash
# Prometheus (Debian's) scraping the serving namespaces' pods: the model and processing
# services' /metrics (requests, errors and latency per version) and Traefik's own, every
# 5 s, for the metric checks of rollouts.
#
#   prometheus.sh build    install Debian's prometheus when missing (registry.sh does)
#   prometheus.sh start    run it on a free 127.0.0.1 port with its data in the state dir;
#                          write prometheus.json
#   prometheus.sh seed     nothing
#   prometheus.sh stop | status
#
# Pods are found through the apiserver by prometheus_targets.mjs (Debian's Prometheus has no
# Kubernetes service discovery) as Prometheus' own user, with list/watch on pods only;
# Prometheus reaches them on the real node's pod network.
# ML_PLATFORM_SERVING=off: nothing to do.
source "$(dirname "$0")/lib.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
STATE="$ML_STATE/prometheus"
JSON="$ML_STATE/prometheus.json"
# The namespaces whose pods run on the real node (demo-platform.json's environments).
SCRAPED_NAMESPACES=(ml-prod ml-staging)

cmd_build() {
  serving_on || return 0
  command -v prometheus >/dev/null || "$(dirname "$0")/registry.sh" build
}

ready() { curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$(cat "$STATE/prometheus.port")/-/ready"; }

write_config() {
  local gateway_metrics
  gateway_metrics="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metricsUrl"].split("/")[2])' "$ML_STATE/gateway.json")"
  {
    cat <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: traefik
    static_configs: [{targets: ["$gateway_metrics"]}]
  - job_name: services
    file_sd_configs: [{files: ["$STATE/targets.json"], refresh_interval: 5s}]
YAML
  } >"$STATE/prometheus.yml"
  cat >"$STATE/rbac.yaml" <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "ml-platform:prometheus"}
rules: [{apiGroups: [""], resources: [pods], verbs: [list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "ml-platform:prometheus"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "ml-platform:prometheus"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: prometheus}]
YAML
  kube_apply apply "$STATE/rbac.yaml" 2>"$STATE/logs/rbac.log" \
    || { tail -n 5 "$STATE/logs/rbac.log" >&2; die "installing Prometheus' RBAC failed (log: $STATE/logs/rbac.log)"; }
}

cmd_start() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no Prometheus"; return; }
  kube_running || die "kube-apiserver is not running: run kube.sh start first"
  [ -f "$ML_STATE/gateway.json" ] || die "the gateway is not running: run gateway.sh start first"
  mkdir -p "$STATE/data" "$STATE/logs"
  if is_running prometheus && is_running prometheus-targets && [ -f "$JSON" ] && ready; then
    info "already running: Prometheus on http://127.0.0.1:$(cat "$STATE/prometheus.port")"; return
  fi
  cmd_build
  stop_daemon prometheus
  stop_daemon prometheus-targets
  local port t0=$SECONDS
  port="$(kept_port "$STATE/prometheus.port")"
  write_config
  # Its targets, as the user prometheus (list pods only): Debian's build has no Kubernetes
  # service discovery.
  [ -f "$STATE/targets.json" ] || echo '[]' >"$STATE/targets.json"
  KUBE_SERVER="$(kube_server)" KUBE_CA_FILE="$(kube_ca)" KUBE_TOKEN="$(kube_token prometheus)" \
    start_daemon prometheus-targets "$STATE/logs/targets.log" "$(node_bin)" "$HERE/prometheus_targets.mjs" \
    "$STATE/targets.json" "$REAL_NODE" "${SCRAPED_NAMESPACES[@]}"
  start_daemon prometheus "$STATE/logs/prometheus.log" prometheus --config.file "$STATE/prometheus.yml" \
    --storage.tsdb.path "$STATE/data" --storage.tsdb.retention.time 2d \
    --web.listen-address "127.0.0.1:$port"
  wait_daemon_http prometheus "http://127.0.0.1:$port/-/ready" 60 \
    || die "Prometheus not ready on 127.0.0.1:$port within 60s (log: $STATE/logs/prometheus.log)"
  python3 - "$JSON" "$port" "$(prometheus --version 2>&1 | awk 'NR==1 {print $3}')" <<'PY'
import json, os, sys
out, port, version = sys.argv[1:]
with open(out + ".tmp", "w") as f:
    json.dump({"url": f"http://127.0.0.1:{port}", "version": version}, f, indent=2)
os.replace(out + ".tmp", out)
PY
  info "Prometheus on http://127.0.0.1:$port, scraping ${SCRAPED_NAMESPACES[*]} and Traefik ($((SECONDS - t0))s)"
}

cmd_stop() {
  stop_daemon prometheus
  stop_daemon prometheus-targets
  rm -f "$JSON"
}

cmd_status() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no Prometheus"; return; }
  if is_running prometheus; then
    info "prometheus: running, pid $(cat "$ML_STATE/prometheus.pid"), http://127.0.0.1:$(cat "$STATE/prometheus.port")"
    curl -fsS "http://127.0.0.1:$(cat "$STATE/prometheus.port")/api/v1/targets?state=active" 2>/dev/null | python3 -c '
import json, sys
targets = json.load(sys.stdin)["data"]["activeTargets"]
up = sum(t["health"] == "up" for t in targets)
print(f"    targets: {up} of {len(targets)} up")' >&2 || true
  else
    info "prometheus: stopped"
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
