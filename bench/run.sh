#!/usr/bin/env bash
# The model-catalog backend benchmark: starts a bench instance of the local platform
# (kube-apiserver + etcd, MLflow; apart from the demo one), seeds it once, boots the real
# packages/backend against it and measures. N models x M versions; see bench/README.md.
#
#   bench/run.sh                  N=2000 M=5
#   N=50 bench/run.sh             a quick smoke run (its own platform instance)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh

export N="${N:-2000}" M="${M:-5}"
# The apiserver alone: the 2 x N x M pods of a full control plane would only cost CPU.
export ML_KUBE_WORKLOADS=off
export ML_PLATFORM_STATE="${ML_PLATFORM_STATE:-${ML_PLATFORM_CACHE:-$HOME/.cache/ml-platform}/bench-state-${N}x${M}}"
scripts/platform/kube.sh start
scripts/platform/mlflow.sh start
exec node bench/src/main.mjs
