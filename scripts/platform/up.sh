#!/usr/bin/env bash
# Builds (cached), starts and seeds the local ML platform on 127.0.0.1: a real
# kube-apiserver with the Gateway API, Argo Rollouts and KServe CRDs, MLflow,
# ZenML and lakeFS, PostgreSQL for the database tests, and serving: a real node
# with containers, an image registry, Traefik as the gateway, the Argo Rollouts
# controller and Prometheus (ML_PLATFORM_SERVING=off leaves serving out, and the
# demo's pods to kwok's fake nodes). Reruns reuse the caches and the running servers.
# Writes $ML_STATE/<component>.json and $ML_STATE/app-config.platform.yaml.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")"

# Order matters for seeding: each seed links to what the previous ones made
# (MLflow runs name lakeFS commits and ZenML runs; Kubernetes names the tools' URLs).
# PostgreSQL seeds nothing and needs nothing: first, so it is up the soonest. The registry
# builds the service images from MLflow's versions before kube seeds the pods that run
# them; the node, gateway, controller and Prometheus start next to the apiserver.
COMPONENTS=(postgres lakefs zenml mlflow registry kube node gateway rollouts prometheus)

# One compound command, parsed whole before it runs, so editing this file while a long
# build runs cannot make bash read half-changed lines afterwards.
{
  started=$(date +%s)
  # What this machine lacks is said before any build; test.sh and demo.sh have asked already.
  [ -n "${ML_PREFLIGHT_DONE:-}" ] || ./preflight.sh
  # The kube scripts run the Kubernetes client of plugins/ml-platform-node from node_modules:
  # said now rather than after the builds.
  node_modules_ready || die "$NODE_MODULES_MISSING"
  # PostgreSQL runs as another user: it starts before the long builds, so a checkout it
  # cannot work in fails in seconds.
  ./postgres.sh build
  ./postgres.sh start
  for c in "${COMPONENTS[@]}"; do ./"$c".sh build; done
  for c in "${COMPONENTS[@]}"; do ./"$c".sh start; done
  for c in "${COMPONENTS[@]}"; do ./"$c".sh seed; done
  python3 ./write_app_config.py "$ML_STATE" >"$ML_STATE/app-config.platform.yaml"
  info "platform up in $(($(date +%s) - started))s; addresses and credentials in $ML_STATE/*.json"
  exit 0
}
