#!/usr/bin/env bash
# Sets everything up and runs every check and test: type check, lint,
# formatting, then all Jest suites (unit, plugin, the real backend booted, and
# the integration suites against the real local ML platform).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/platform/lib.sh

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
results="$ML_STATE/test-results.json"
serial="$ML_STATE/test-results-serial.json"
rm -f "$results" "$serial"
CI=true yarn test --json --outputFile="$results" || true

# Suites that stop and start the platform run alone, after everything else.
step "Tests that restart the platform"
(cd packages/platform-tests && CI=true yarn backstage-cli package test \
  --testPathIgnorePatterns=/node_modules/ --json --outputFile="$serial" \
  src/lifecycle.serial.test.ts) || true

trap - EXIT
scripts/platform/down.sh
node scripts/lib/test-summary.js "$results" "$serial"
