#!/usr/bin/env bash
# Stops every server of the local ML platform; leaves no process or port behind.
# Data stays in $ML_STATE for the next start; `down.sh --purge` deletes it too.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")"

for c in kube mlflow zenml lakefs postgres; do ./"$c".sh stop; done
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$ML_STATE"
  info "removed $ML_STATE"
fi
