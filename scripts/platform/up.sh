#!/usr/bin/env bash
# Builds (cached), starts and seeds the local ML platform on 127.0.0.1: a real
# kube-apiserver with the Gateway API, Argo Rollouts and KServe CRDs, MLflow,
# ZenML and lakeFS, and PostgreSQL for the database tests. Reruns reuse the
# caches and the running servers.
# Writes $ML_STATE/<component>.json and $ML_STATE/app-config.platform.yaml.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")"

# Order matters for seeding: each seed links to what the previous ones made
# (MLflow runs name lakeFS commits and ZenML runs; Kubernetes names the tools' URLs).
# PostgreSQL seeds nothing and needs nothing: first, so it is up the soonest.
COMPONENTS=(postgres lakefs zenml mlflow kube)

started=$(date +%s)
for c in "${COMPONENTS[@]}"; do ./"$c".sh build; done
for c in "${COMPONENTS[@]}"; do ./"$c".sh start; done
for c in "${COMPONENTS[@]}"; do ./"$c".sh seed; done
python3 ./write_app_config.py "$ML_STATE" >"$ML_STATE/app-config.platform.yaml"
info "platform up in $(($(date +%s) - started))s; addresses and credentials in $ML_STATE/*.json"
