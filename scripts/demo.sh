#!/usr/bin/env bash
# Sets everything up and starts the demo portal: frontend on :3000, backend on
# :7007 (in-memory SQLite), pointed at the local ML platform with its demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
source scripts/platform/lib.sh

scripts/platform/preflight.sh
export ML_PREFLIGHT_DONE=1
step "Installing JavaScript dependencies" "3-5 min the first time, seconds after"
yarn install
step "Starting the local ML platform" "40-80 min the first time for the Go builds, venvs and images, a few minutes after"
scripts/platform/up.sh
# Ctrl-C stops the platform too; its data stays for a fast next start.
trap 'scripts/platform/down.sh' EXIT

step "Starting the portal on http://localhost:3000"
yarn start --config "$PWD/app-config.yaml" --config "$ML_STATE/app-config.platform.yaml"
