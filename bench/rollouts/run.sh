#!/usr/bin/env bash
# The rollouts benchmark: latency from the API call to the changed object per router, and
# throughput of rollouts over 200 models without a lost update. See bench/README.md.
#
#   bench/rollouts/run.sh                         200 models, 50 sequential rollouts per router
#   MODELS=60 SEQUENTIAL=20 bench/rollouts/run.sh  a quick run
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh

# A platform instance of its own; the apiserver alone (no controllers, no fake pods).
export ML_KUBE_WORKLOADS=off
export ML_PLATFORM_STATE="${ML_PLATFORM_STATE:-${ML_PLATFORM_CACHE:-$HOME/.cache/ml-platform}/bench-rollouts-state}"
stop() {
  scripts/platform/mlflow.sh stop || true
  scripts/platform/kube.sh stop || true
}
trap stop EXIT
scripts/platform/kube.sh start
scripts/platform/mlflow.sh start
node bench/rollouts/src/main.mjs
