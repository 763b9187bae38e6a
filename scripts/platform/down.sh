#!/usr/bin/env bash
# Stops every server of the local ML platform; leaves no process, port, mount, network
# namespace, interface, route or cgroup behind (node.sh says what the real node holds).
# Data stays in $ML_STATE for the next start; `down.sh --purge` deletes it too.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")"

for c in prometheus rollouts gateway node kube registry mlflow zenml lakefs postgres; do ./"$c".sh stop; done
if [ "${1:-}" = "--purge" ]; then
  # PostgreSQL's data may live outside the state directory (see postgres.sh).
  ./postgres.sh purge
  rm -rf "$ML_STATE"
  info "removed $ML_STATE"
fi
