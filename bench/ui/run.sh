#!/usr/bin/env bash
# The Models-page UI benchmark: the portal (real packages/backend serving a production build of
# packages/app) on the backend benchmark's platform instance (N models x M versions), measured
# in headless Chromium against Backstage's catalog index page. See bench/README.md.
#
#   bench/ui/run.sh               N=2000 M=5, 10 cold loads per page
#   LOADS=20 bench/ui/run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh

export N="${N:-2000}" M="${M:-5}"
export ML_KUBE_WORKLOADS=off
export ML_PLATFORM_STATE="${ML_PLATFORM_STATE:-${ML_PLATFORM_CACHE:-$HOME/.cache/ml-platform}/bench-state-${N}x${M}}"
if [[ ! -f "$ML_PLATFORM_STATE/bench-seed.json" ]]; then
  echo "no seeded bench instance in $ML_PLATFORM_STATE: run N=$N M=$M bench/run.sh first" >&2
  exit 1
fi

# The backend serves packages/app/dist when it exists, also under `yarn start`: it lives only
# as long as this run.
DIST=packages/app/dist
cleanup() {
  rm -rf "$DIST"
  scripts/platform/kube.sh stop || true
  scripts/platform/mlflow.sh stop || true
}
trap cleanup EXIT

scripts/platform/kube.sh start
scripts/platform/mlflow.sh start
if [[ ! -f "$DIST/index.html" ]]; then
  echo "==> building the frontend for production (packages/app/dist)"
  yarn workspace app build >"$ML_PLATFORM_STATE/logs/bench-ui-build.log" 2>&1 ||
    { tail -30 "$ML_PLATFORM_STATE/logs/bench-ui-build.log" >&2; exit 1; }
fi
node bench/ui/src/main.mjs
