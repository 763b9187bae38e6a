#!/usr/bin/env bash
# The verdicts benchmark: a bench MLflow of its own (apart from the demo one), seeded once with
# VERSIONS versions of the serialization corpus's real model files, then the backend's registry
# code judges them all from their bytes (first read, re-read after a restart, re-check).
#
#   bench/verdicts/run.sh                 VERSIONS=1000
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh
export VERSIONS="${VERSIONS:-1000}"
export ML_PLATFORM_STATE="${ML_PLATFORM_STATE:-${ML_PLATFORM_CACHE:-$HOME/.cache/ml-platform}/bench-verdicts}"
mkdir -p "$ML_PLATFORM_STATE"
scripts/platform/mlflow.sh start
python="$(scripts/corpus/corpus-venv.sh | tail -1)"
mlflow_env() {
  "$python" - "$ML_PLATFORM_STATE/mlflow.json" <<'PY'
import json, shlex, sys
d = json.load(open(sys.argv[1]))
print(f"export MLFLOW_TRACKING_URI={shlex.quote(d['url'])} MLFLOW_TRACKING_USERNAME={shlex.quote(d['username'])}"
      f" MLFLOW_TRACKING_PASSWORD={shlex.quote(d['password'])}")
PY
}
env_line="$(mlflow_env)" && eval "$env_line"
[ -n "${MLFLOW_TRACKING_URI:-}" ] || { echo "no MLflow address in $ML_PLATFORM_STATE/mlflow.json" >&2; exit 1; }
# The corpus files (only built, not logged: the models go in as bench versions).
"$python" scripts/corpus/build_corpus.py --out "$ML_PLATFORM_STATE/corpus" >/dev/null
PYTHONWARNINGS=ignore "$python" bench/verdicts/seed_versions.py --corpus "$ML_PLATFORM_STATE/corpus" --versions "$VERSIONS"
cd packages/backend
exec node --require "$(node -p "require.resolve('@backstage/cli-node/config/nodeTransform.cjs')")" --expose-gc "$ROOT/bench/verdicts/main.ts"
