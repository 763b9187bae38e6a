#!/usr/bin/env bash
# The README's install guide, run as an adopter runs it, twice: in a new app from the newest
# @backstage/create-app (new frontend system) and in a `--legacy` one. Every step of "Install the
# plugins into your Backstage app" (the blocks marked `<!-- install-check: <id> -->`, taken from
# the README as printed, in its order), then each app booted on the local platform and looked at
# in Chromium. Anything an app needs beyond those steps is a failure of the README.
#
# The one departure: the clone comes from this checkout, not from GitHub, so what is checked is
# what is committed here. The apps' clusters and registries are the local platform's (an adopter
# writes their own, see "Configuration"). Needs the platform up (scripts/platform/up.sh).
#
# Usage: scripts/check-install.sh [work dir]   (default: a new temporary directory, removed after)
source "$(dirname "${BASH_SOURCE[0]}")/platform/lib.sh"
source "$ML_ROOT/scripts/lib/toolchain.sh" >&2 # create-app asks for Node 22 or 24 and Yarn
source "$ML_ROOT/scripts/lib/chromium.sh"

[ -f "$ML_STATE/app-config.platform.yaml" ] || die "start the platform first: scripts/platform/up.sh"
# An adopter's `yarn install`, `yarn add` and `yarn up` write the app's lockfile; under CI=true
# Yarn would refuse to (immutable installs), and create-app's first install with it.
export YARN_ENABLE_IMMUTABLE_INSTALLS=false
NODE="$(node_bin)"
readme() { "$NODE" "$ML_ROOT/scripts/install-check/readme.mjs" "$@"; }

work="${1:-}" keep_work=true
[ -n "$work" ] || { work="$(mktemp -d)" keep_work=false; }
mkdir -p "$work"
backend=""
stop_backend() {
  [ -z "$backend" ] || { kill -- -"$backend" 2>/dev/null || true; wait "$backend" 2>/dev/null || true; }
  backend=""
}
cleanup() {
  stop_backend
  $keep_work || rm -rf "$work"
}
trap cleanup EXIT
logs="$ML_STATE/logs/install-check"
rm -rf "$logs" && mkdir -p "$logs"
t0=$SECONDS

# run_block ID DIR: the README's shell block ID, as printed, in DIR.
run_block() {
  local id="$1" dir="$2" script
  script="$(readme block "$id")" || exit 1
  info "README step '$id', in ${dir#"$work"/}:"
  sed 's/^/      $ /' <<<"$script" >&2
  (cd "$dir" && run_logged "$logs/$id-$(basename "$dir").log" bash -euo pipefail -c "$script")
}

# create_app DIR [--legacy]: a new app, as create-app makes it.
create_app() {
  local dir="$1"; shift
  step "a new Backstage app ($(basename "$dir")) with the newest @backstage/create-app ${*:-}" "3-5 min"
  (cd "$work" && run_logged "$logs/create-app-$(basename "$dir").log" bash -c \
    "echo $(basename "$dir") | npm exec --yes @backstage/create-app@latest -- --path $(basename "$dir") $*")
  info "create-app $(npm view @backstage/create-app@latest version 2>/dev/null), Backstage $("$NODE" -p 'require(process.argv[1]).version' "$dir/backstage.json")"
}

# The steps every app takes once the packages are packed, in the README's order.
install_into() {
  local app="$1"
  run_block vendor "$app"
  readme merge resolutions "$app/package.json" >&2
  run_block add "$app"
  readme backend backend "$app/packages/backend/src/index.ts" >&2
  run_block add-optional "$app"
  readme backend backend-optional "$app/packages/backend/src/index.ts" >&2
  readme merge actions-config "$app/app-config.yaml" >&2
}

install_templates() {
  local app="$1"
  run_block templates "$app"
  readme merge templates-config "$app/app-config.yaml" >&2
}

# The platform's clusters and registries, without the demo portal's webhook.
"$NODE" -e '
  const config = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const r of config.mlPlatform.registries.mlflow) delete r.webhook;
  console.log(JSON.stringify(config, null, 2));
' "$ML_STATE/app-config.platform.yaml" >"$work/app-config.platform.yaml"

# build_and_look APP: the app's own checks, then its backend on the platform, serving the
# app's frontend, looked at in Chromium.
build_and_look() {
  local app="$1" name port
  name="$(basename "$app")"
  step "$name: the app's type check and its frontend's production build" "1-3 min"
  (cd "$app" && run_logged "$logs/tsc-$name.log" yarn tsc)
  (cd "$app" && run_logged "$logs/build-$name.log" yarn --cwd packages/app build)

  step "$name: its backend on the local platform, serving its frontend"
  port="$(free_port)"
  printf 'app:\n  baseUrl: http://localhost:%s\nbackend:\n  baseUrl: http://localhost:%s\n  listen:\n    port: %s\n' \
    "$port" "$port" "$port" >"$work/app-config.port.yaml"
  (cd "$app/packages/backend" && exec setsid yarn start --config ../../app-config.yaml \
    --config "$work/app-config.platform.yaml" --config "$work/app-config.port.yaml") \
    >"$logs/backend-$name.log" 2>&1 </dev/null &
  backend=$!
  wait_http "http://localhost:$port/api/ml-platform/health" 180 ||
    { tail -n 30 "$logs/backend-$name.log" >&2; die "$name: the backend did not answer in 180 s (log: $logs/backend-$name.log)"; }
  info "answers on http://localhost:$port (log: $logs/backend-$name.log)"

  step "$name, looked at: routes, the sidebar's Models page, the Model tab, the template form field"
  "$NODE" "$ML_ROOT/scripts/install-check/look-at-app.mjs" "http://localhost:$port" "$logs/screenshots-$name" ||
    die "$name is not as the README says (screenshots: $logs/screenshots-$name, log: $logs/backend-$name.log)"
  stop_backend
  # The dev backend colours its log levels.
  if sed 's/\x1b\[[0-9;]*m//g' "$logs/backend-$name.log" | grep -n " error " >"$logs/backend-errors-$name.txt"; then
    head -n 20 "$logs/backend-errors-$name.txt" >&2
    die "$name: the backend logged errors (all: $logs/backend-errors-$name.txt)"
  fi
}

ensure_chromium

app="$work/app"
create_app "$app"
step "app: the README's install steps"
run_block bump "$app"
# "From tarballs": the clone from this checkout.
readme block pack | sed "s#https://github.com/mlplatform/backstage-plugins#$ML_ROOT#" >"$work/pack.sh"
info "README step 'pack' (the clone from $ML_ROOT), in $work:"
sed 's/^/      $ /' "$work/pack.sh" >&2
(cd "$work" && run_logged "$logs/pack.log" bash -euo pipefail "$work/pack.sh")
install_into "$app"
install_templates "$app"
build_and_look "$app"

legacy="$work/legacy-app"
create_app "$legacy" --legacy
step "legacy-app: the README's install steps, with those of the legacy frontend system"
run_block bump "$legacy"
install_into "$legacy"
run_block legacy-scaffolder-react "$legacy"
for id in legacy-scaffolder-route legacy-pages legacy-sidebar legacy-model-tab legacy-tool-card; do
  readme edit "$id" "$legacy" >&2
done
install_templates "$legacy"
build_and_look "$legacy"

info "both apps installed from the README alone, in $((SECONDS - t0))s; screenshots in $logs/screenshots-*"
