#!/usr/bin/env bash
# The client in plugins/ml-platform-common/src/schema/openapi/generated is what
# Backstage's generator makes of the backend's openapi.yaml: regenerates it and
# fails when the checked-in copy differs (a spec change without `yarn api:generate`).
# Needs Java; the generator's jar comes from Maven Central once per install.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v java >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "ERROR: the API client check needs Java: sudo apt-get install default-jre-headless" >&2; exit 1; }
  apt-get install -y -qq default-jre-headless >/dev/null
fi
generated=plugins/ml-platform-common/src/schema/openapi/generated
yarn api:generate >/dev/null
if ! git diff --quiet --exit-code -- "$generated" || [ -n "$(git ls-files --others --exclude-standard -- "$generated")" ]; then
  git status --short -- "$generated"
  echo "ERROR: $generated differs from what openapi.yaml generates; run 'yarn api:generate' and commit it" >&2
  exit 1
fi
echo "API client matches openapi.yaml"
