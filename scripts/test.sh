#!/usr/bin/env bash
# Sets everything up and runs every check and test: type check, lint,
# formatting, then all Jest suites (unit, plugin, the real backend booted, and
# the integration suites against the real local ML platform).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/platform/lib.sh
source scripts/lib/chromium.sh

step "Installing JavaScript dependencies" "3-5 min the first time, seconds after"
yarn install --immutable
step "Type check"
yarn tsc
step "Lint"
yarn lint:all
step "Formatting"
yarn prettier:check

step "Starting the local ML platform" "20-40 min the first time for the Go builds and venvs, under a minute after"
scripts/platform/up.sh
trap 'scripts/platform/down.sh' EXIT

step "Tests"
results=()
run_jest() { # run_jest NAME DIR JEST_ARGS...: one Jest run, its JSON results kept for the summary
  local out="$ML_STATE/test-results-$1.json" dir="$2"; shift 2
  rm -f "$out"; results+=("$out")
  (cd "$dir" && CI=true yarn backstage-cli "$@" --json --outputFile="$out") || true
}
run_jest all . repo test

step "End-to-end tests in Chromium" "3-5 min: the portal starts and builds the frontend"
ensure_chromium
results+=("$ML_STATE/test-results-e2e.json")
rm -f "$ML_STATE/test-results-e2e.json" && rm -rf e2e-test-report/screenshots
PLAYWRIGHT_JSON_OUTPUT_NAME="$ML_STATE/test-results-e2e.json" \
  yarn playwright test --reporter=list,json || true
info "screenshots: e2e-test-report/screenshots/"

# Suites that change what other suites read (a model registered in MLflow, the
# whole platform restarted) run alone, after everything else; the restart last.
step "Tests that change the shared platform"
# (The file comes first: --testPathIgnorePatterns takes every value after it.)
run_jest portal packages/backend package test src/backend.platform.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest templates packages/backend package test src/templates.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest webhooks plugins/ml-platform-backend package test src/services/Webhooks/MlflowWebhooks.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
# The production bundle (built once per source change, ~1 min; its production
# install is cached per lockfile, ~4 min the first time) as two replicas.
run_jest production packages/backend package test src/production.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest outage packages/backend package test src/backend.outage.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest lifecycle packages/platform-tests package test src/lifecycle.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/

trap - EXIT
scripts/platform/down.sh
node scripts/lib/test-summary.js "${results[@]}"
