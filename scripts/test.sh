#!/usr/bin/env bash
# Sets everything up and runs every check and test: type check, lint, the API
# reports, formatting, the unit lane (every test that needs no platform), then
# the local ML platform and the integration lane against it (`*.integration.test.ts`),
# the end-to-end tests in Chromium, and the suites that change or restart the
# shared platform (`*.serial.test.ts`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/platform/lib.sh
source scripts/lib/chromium.sh

# What the machine lacks is said now, not after the builds.
scripts/platform/preflight.sh --tests
export ML_PREFLIGHT_DONE=1

step "Installing JavaScript dependencies" "3-5 min the first time, seconds after"
yarn install --immutable
step "Type check"
yarn tsc
step "Lint"
yarn lint:all
# Each published package's API (report.api.md) and database schema (report.sql.md)
# as checked in: a change to either without its updated report fails here
# (`yarn build:api-reports` writes them, from declarations it emits afresh: an
# incremental `yarn tsc` may print an inferred union in another order).
yarn build:api-reports --ci
# The one API client (plugins/ml-platform-common) is generated from openapi.yaml:
# a spec change without the regenerated client fails here.
scripts/check-api-client.sh
# Exports nothing imports (knip.json): dead code, or a barrel that says more than is used.
yarn knip
step "Formatting"
yarn prettier:check

results=()
run_jest() { # run_jest NAME DIR COMMAND...: one Jest run (a yarn command), its JSON results kept for the summary
  local out="$ML_STATE/test-results-$1.json" dir="$2"; shift 2
  rm -f "$out"; results+=("$out")
  (cd "$dir" && CI=true yarn "$@" --json --outputFile="$out") || true
}

run_check() { # run_check NAME WHAT COMMAND...: a check script, counted in the summary as one test
  local out="$ML_STATE/test-results-check-$1.json" what="$2" passed=1; shift 2
  results+=("$out")
  "$@" || { passed=0; echo "FAILED: $what (see above)"; }
  printf '{"numPassedTests":%d,"numFailedTests":%d,"numPendingTests":0,"numTodoTests":0,"testResults":[]}\n' \
    "$passed" "$((1 - passed))" >"$out"
}

# PostgreSQL first: it takes seconds, it is the part that runs as another user,
# and the unit lane's database tests run on it as well as on SQLite. Nothing
# else of the platform runs yet, so the unit lane shows that it needs none.
step "Starting PostgreSQL"
scripts/platform/postgres.sh build
scripts/platform/postgres.sh start
trap 'scripts/platform/down.sh' EXIT
step "Unit tests (yarn test)" "3-6 min"
run_jest unit . test

step "Starting the local ML platform" "40-80 min the first time for the Go builds, venvs and images, a few minutes after"
scripts/platform/up.sh

step "Integration tests against the local platform (yarn test:integration)"
run_jest integration . test:integration

step "End-to-end tests in Chromium" "3-5 min: the portal starts and builds the frontend"
ensure_chromium
results+=("$ML_STATE/test-results-e2e.json")
rm -f "$ML_STATE/test-results-e2e.json" && rm -rf e2e-test-report/screenshots
PLAYWRIGHT_JSON_OUTPUT_NAME="$ML_STATE/test-results-e2e.json" \
  yarn playwright test --reporter=list,json || true
info "screenshots: e2e-test-report/screenshots/"

# The README's install section, line by line, in a new app from the newest create-app,
# booted on the platform and looked at in Chromium.
step "The README's install guide in a new Backstage app (scripts/check-install.sh)" "8-15 min"
run_check install "the plugins do not install into a new Backstage app as the README says" \
  scripts/check-install.sh

# Suites that change what other suites read (a model registered in MLflow, the
# whole platform restarted) run alone, after everything else; the restart last.
step "Tests that change the shared platform"
# (The file comes first: --testPathIgnorePatterns takes every value after it.)
run_jest portal packages/backend backstage-cli package test src/backend.platform.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest templates packages/backend backstage-cli package test src/templates.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest model-requirements packages/backend backstage-cli package test src/templates/modelRequirements.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest webhooks plugins/ml-platform-backend backstage-cli package test src/services/Webhooks/MlflowWebhooks.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
# Rollouts from the portal's API counted at the real gateway; puts the demo's traffic back.
run_jest serving plugins/ml-platform-backend backstage-cli package test src/plugin.serving.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
# Builds the serialization corpus (its venv cached like the platform's) and
# registers its models in MLflow once.
run_jest corpus plugins/ml-platform-backend backstage-cli package test src/services/SerializationSafety/corpus.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
# The production bundle (built once per source change, ~1 min; its production
# install is cached per lockfile, ~4 min the first time) as two replicas.
run_jest production packages/backend backstage-cli package test src/production.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
# A second apiserver and MLflow of its own next to the platform's (~25 s to start).
run_jest two-platforms packages/backend backstage-cli package test src/backend.twoPlatforms.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest outage packages/backend backstage-cli package test src/backend.outage.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/
run_jest lifecycle packages/platform-tests backstage-cli package test src/lifecycle.serial.test.ts \
  --testPathIgnorePatterns=/node_modules/

trap - EXIT
scripts/platform/down.sh

# Last, with the caches built: the platform from a checkout in a private
# directory, as a newcomer's clone in their home directory is.
step "The platform from a checkout in a private directory" "2-4 min"
run_check private-checkout "the platform does not start from a checkout in a private directory" \
  scripts/platform/check-private-checkout.sh
node scripts/lib/test-summary.js "${results[@]}"
