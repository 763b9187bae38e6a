#!/usr/bin/env bash
# A real lakeFS server for the platform tests and the demo.
#
#   lakefs.sh build    build lakeFS from its Go module into $ML_CACHE/lakefs-<version>/ (cached)
#   lakefs.sh start    run it on 127.0.0.1 with local KV and blockstore under $ML_STATE/lakefs/
#   lakefs.sh seed     create the training-data repository and its dataset commits
#   lakefs.sh stop | status
#
# Environment: ML_LAKEFS_VERSION picks another release; LAKEFS_BIN uses an existing lakefs
# binary instead of building one; LAKEFS_UI=0 skips building the web UI (npm, 2-3 min), leaving an API-only server.
# shellcheck source=scripts/platform/lib.sh
source "$(dirname "$0")/lib.sh"

LAKEFS_MODULE=github.com/treeverse/lakefs
LAKEFS_DIR="$ML_STATE/lakefs"
LAKEFS_JSON="$ML_STATE/lakefs.json"
LAKEFS_LOG="$LAKEFS_DIR/lakefs.log"
LAKEFS_ADMIN="admin"
# Pinned like every other server, so a build is reproducible. The Go module proxy here
# refuses the version list of github.com/treeverse/* (403) but serves exact versions;
# v1.86.0 is the newest it served when checked (2026-11).
LAKEFS_VERSION="${ML_LAKEFS_VERSION:-v1.86.0}"

# gomod_of VERSION: path of that release's go.mod in the module cache (fetches only the .mod).
gomod_of() {
  (cd "$ML_CACHE" && go list -m -json "$LAKEFS_MODULE@$1") |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])'
}

# go_accepts GOMOD: whether the installed Go is at least the go.mod's go directive
# (a newer directive would make the go command fetch another toolchain, or fail).
go_accepts() {
  local want have
  want="$(go mod edit -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("Go") or "1.0")')"
  have="$(go env GOVERSION)"; have="${have#go}"
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" = "$want" ]
}

# lakefs_bin: the binary start uses: LAKEFS_BIN, else the build of LAKEFS_VERSION.
lakefs_bin() {
  if [ -n "${LAKEFS_BIN:-}" ]; then echo "$LAKEFS_BIN"; return; fi
  [ -x "$ML_CACHE/lakefs-$LAKEFS_VERSION/lakefs" ] && echo "$ML_CACHE/lakefs-$LAKEFS_VERSION/lakefs"
}

cmd_build() {
  if [ -n "${LAKEFS_BIN:-}" ]; then
    [ -x "$LAKEFS_BIN" ] || die "build: LAKEFS_BIN=$LAKEFS_BIN is not an executable"
    info "using LAKEFS_BIN=$LAKEFS_BIN, nothing to build"; return
  fi
  local version="$LAKEFS_VERSION" gomod
  [ -x "$ML_CACHE/lakefs-$version/lakefs" ] && { info "lakeFS $version already built: $ML_CACHE/lakefs-$version/lakefs"; return; }
  gomod="$(gomod_of "$version")" || die "build: cannot fetch $LAKEFS_MODULE@$version from the Go module proxy"
  go_accepts "$gomod" || die "build: lakeFS $version needs a newer Go than $(go env GOVERSION) ($gomod)"
  info "lakeFS $version"
  local out="$ML_CACHE/lakefs-$version"

  # A dependent module does not inherit lakeFS's replace directives (it swaps in
  # forks of some dependencies), so the wrapper module copies each of them.
  local src="$out/src"
  rm -rf "$src"; mkdir -p "$src"
  (cd "$src" && go mod init ml-platform.local/lakefs-build >/dev/null 2>&1)
  local replaces
  replaces="$(go mod edit -json "$gomod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    old, new = r["Old"], r["New"]
    if not new.get("Version"):
        sys.exit("replace of %s points into the lakeFS source tree (%s): not reproducible from the module" % (old["Path"], new["Path"]))
    o = old["Path"] + ("@" + old["Version"] if old.get("Version") else "")
    print("-replace=%s=%s@%s" % (o, new["Path"], new["Version"]))
')" || die "build: cannot copy the replace directives of $gomod"
  # shellcheck disable=SC2086 # one -replace flag per line
  [ -z "$replaces" ] || (cd "$src" && go mod edit $replaces)
  info "replace directives copied from lakeFS's go.mod:"; sed 's/^-replace=/      /' <<<"${replaces:-(none)}" >&2

  step "Downloading lakeFS $version and its dependencies" "1-3 min on a cold module cache"
  local moddir
  moddir="$(cd "$src" && go mod download -json "$LAKEFS_MODULE@$version" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')" \
    || die "build: cannot download $LAKEFS_MODULE@$version from the Go module proxy"
  # lakeFS's own go.sum pins the hashes of its dependencies. The checksum database
  # does not answer for its forks here (github.com/treeverse/delta-go and
  # secret-detector: 404), so without it go refuses them; with it they are still
  # verified, against the hashes lakeFS released with.
  cp "$moddir/go.sum" "$src/go.sum"; chmod u+w "$src/go.sum"
  run_logged "$out/get.log" bash -c "cd '$src' && go get '$LAKEFS_MODULE/cmd/lakefs@$version'"
  # The module ships webui/dist with only .gitkeep (lakeFS's release pipeline builds the
  # UI bundle with npm before compiling), so the UI is built here into a copy of the
  # module that the wrapper then compiles instead of the read-only module cache.
  if [ "${LAKEFS_UI:-1}" = 1 ] && build_ui "$moddir" "$out" "$version"; then
    (cd "$src" && go mod edit "-replace=$LAKEFS_MODULE=../lakefs-src")
  else
    echo "no UI: webui/dist has no built bundle; / shows lakeFS's 'UI Not Built' page, the API works" >"$out/ui-missing"
    info "WARNING: building lakeFS without its web UI ($(cat "$out/ui-missing"))"
  fi

  step "Compiling lakeFS $version" "8-15 min on 2 busy cores, less with a warm Go build cache"
  local started=$SECONDS
  run_logged "$out/build.log" bash -c "cd '$src' && go build -trimpath \
    -ldflags '-s -w -X $LAKEFS_MODULE/pkg/version.Version=${version#v}' \
    -o '$out/lakefs.tmp' '$LAKEFS_MODULE/cmd/lakefs'"
  mv "$out/lakefs.tmp" "$out/lakefs"
  # The module copy (~100 MB) is only needed for this compile.
  rm -rf "$out/lakefs-src"
  info "built $out/lakefs in $((SECONDS - started))s"
}

# build_ui MODDIR OUT VERSION: copies the lakeFS module to OUT/lakefs-src and builds its
# web UI there with npm (Node from scripts/lib/toolchain.sh). Fails softly: the caller
# builds an API-only binary when this returns non-zero.
build_ui() {
  local moddir="$1" out="$2" version="$3" copy="$2/lakefs-src"
  step "Building the lakeFS web UI with npm" "2-3 min"
  rm -rf "$copy"
  cp -r "$moddir" "$copy" && chmod -R u+w "$copy" || return 1
  # --ignore-scripts: no install script is needed for a vite build (esbuild and rollup
  # come as per-platform npm packages), and none may download anything.
  run_logged "$out/ui.log" bash -c "source '$ML_ROOT/scripts/lib/toolchain.sh' && cd '$copy/webui' \
    && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error \
    && VERSION='${version#v}' npm run build" || return 1
  [ -f "$copy/webui/dist/index.html" ] || { info "npm run build made no webui/dist/index.html; log: $out/ui.log"; return 1; }
  rm -rf "$copy/webui/node_modules"
  rm -f "$out/ui-missing"
}

url_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$LAKEFS_JSON"; }

cmd_start() {
  if is_running lakefs; then
    info "lakeFS already running at $(url_of) (pid $(cat "$ML_STATE/lakefs.pid"))"; return
  fi
  local bin
  bin="$(lakefs_bin || true)"
  if [ -z "$bin" ] || [ ! -x "$bin" ]; then die "start: no lakeFS binary: run '$0 build' first (or set LAKEFS_BIN)"; fi

  mkdir -p "$LAKEFS_DIR/data/block" "$LAKEFS_DIR/data/cache" "$LAKEFS_DIR/metadata"
  # The KV store keeps credentials encrypted with this key: it must outlive restarts.
  local keyfile="$LAKEFS_DIR/encrypt.key"
  if [ ! -s "$keyfile" ]; then (umask 077; random_secret >"$keyfile"); fi

  local port
  port="$(free_port)"
  # An explicit config file, so lakeFS never picks up a stray ./config.yaml,
  # ~/.lakefs/config.yaml or /etc/lakefs; nothing may call home (no internet here).
  (umask 077; cat >"$LAKEFS_DIR/config.yaml" <<EOF
listen_address: "127.0.0.1:$port"
database:
  type: local
  local:
    path: "$LAKEFS_DIR/metadata"
blockstore:
  type: local
  local:
    path: "$LAKEFS_DIR/data/block"
committed:
  local_cache:
    dir: "$LAKEFS_DIR/data/cache"
    size_bytes: 268435456
auth:
  encrypt:
    secret_key: "$(cat "$keyfile")"
stats:
  enabled: false
email_subscription:
  enabled: false
security:
  check_latest_version: false
  # A released build checks this URL for security advisories at start and daily, with
  # no switch to turn it off: a closed loopback port makes it fail at once, offline.
  audit_check_url: "http://127.0.0.1:9/audit"
EOF
  )

  step "Starting lakeFS on 127.0.0.1:$port" "a few seconds"
  local started=$SECONDS url="http://127.0.0.1:$port"
  start_daemon lakefs "$LAKEFS_LOG" "$bin" run --config "$LAKEFS_DIR/config.yaml"
  if ! wait_http "$url/api/v1/healthcheck" 60; then
    stop_daemon lakefs
    echo "ERROR: start: lakeFS did not answer $url/api/v1/healthcheck within 60s; log: $LAKEFS_LOG" >&2
    tail -n 25 "$LAKEFS_LOG" >&2
    exit 1
  fi
  info "healthy after $((SECONDS - started))s"

  # First start: the setup endpoint creates the admin user and returns its generated
  # key pair, which is shown only once, so it is kept for later starts.
  local creds="$LAKEFS_DIR/credentials.json"
  local state
  state="$(curl -fsS "$url/api/v1/setup_lakefs" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("state",""))')" \
    || { stop_daemon lakefs; die "start: GET $url/api/v1/setup_lakefs failed; log: $LAKEFS_LOG"; }
  if [ "$state" != initialized ]; then
    info "setting up lakeFS with a generated admin key"
    (umask 077; curl -fsS -X POST -H 'Content-Type: application/json' \
      -d "{\"username\":\"$LAKEFS_ADMIN\"}" "$url/api/v1/setup_lakefs" >"$creds.tmp") \
      || { stop_daemon lakefs; die "start: POST $url/api/v1/setup_lakefs failed; log: $LAKEFS_LOG"; }
    mv "$creds.tmp" "$creds"
  elif [ ! -s "$creds" ]; then
    stop_daemon lakefs
    die "start: lakeFS in $LAKEFS_DIR is set up but $creds is gone; remove $LAKEFS_DIR to start afresh"
  fi

  (umask 077; python3 - "$creds" "$url" >"$LAKEFS_JSON" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
url = sys.argv[2]
print(json.dumps({"url": url, "accessKeyId": c["access_key_id"],
                  "secretAccessKey": c["secret_access_key"], "uiUrl": url}, indent=2))
EOF
  )
  # The key pair must actually authenticate before anyone relies on lakefs.json.
  local id secret
  id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessKeyId"])' "$LAKEFS_JSON")"
  secret="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secretAccessKey"])' "$LAKEFS_JSON")"
  curl -fsS -o /dev/null -u "$id:$secret" "$url/api/v1/user" \
    || { stop_daemon lakefs; die "start: the stored admin key is rejected by lakeFS ($creds); log: $LAKEFS_LOG"; }
  if [ -f "$(dirname "$bin")/ui-missing" ]; then info "note: this build has $(cat "$(dirname "$bin")/ui-missing")"; fi
  info "lakeFS $("$bin" --version 2>/dev/null | awk '{print $NF}') up at $url in $((SECONDS - started))s; credentials in $LAKEFS_JSON"
}

cmd_seed() {
  is_running lakefs || die "seed: lakeFS is not running: run '$0 start' first"
  step "Seeding lakeFS from scripts/platform/demo-platform.json"
  python3 "$(dirname "$0")/seed_lakefs.py" \
    --spec "$(dirname "$0")/demo-platform.json" \
    --server "$LAKEFS_JSON" \
    --out "$ML_STATE/lakefs-seed.json" \
    || die "seed: seed_lakefs.py failed (server log: $LAKEFS_LOG)"
}

cmd_stop() {
  if ! [ -f "$ML_STATE/lakefs.pid" ]; then info "lakeFS is not running"; return; fi
  stop_daemon lakefs
  rm -f "$LAKEFS_JSON"
  info "lakeFS stopped"
}

cmd_status() {
  if is_running lakefs; then
    local url
    url="$(url_of)"
    if curl -fsS -o /dev/null "$url/api/v1/healthcheck"; then
      echo "lakeFS running at $url (pid $(cat "$ML_STATE/lakefs.pid"))"
    else
      echo "lakeFS process $(cat "$ML_STATE/lakefs.pid") alive but $url/api/v1/healthcheck fails; log: $LAKEFS_LOG"
      return 1
    fi
  else
    echo "lakeFS not running"
    return 1
  fi
}

case "${1:-}" in
  build) cmd_build ;;
  start) cmd_start ;;
  seed) cmd_seed ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: $0 build|start|seed|stop|status" ;;
esac
