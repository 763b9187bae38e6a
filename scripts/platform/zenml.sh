#!/usr/bin/env bash
# The real ZenML server (REST API and dashboard), with password login, for tests and the demo.
#   build   virtualenv with the pinned zenml[server]
#   start   server on a free 127.0.0.1 port; writes $ML_STATE/zenml.json (url and credentials)
#   seed    runs one pipeline per model of demo-platform.json, one run per model version
#   stop    stops the server
#   status  whether it runs, and where
source "$(dirname "$0")/lib.sh"

HERE="$ML_ROOT/scripts/platform"
LOCK="$HERE/requirements-zenml.txt"
VERSION="$(sed -n 's/^zenml==\([^ ]*\).*/\1/p' "$LOCK")"
DATA="$ML_STATE/zenml"
JSON="$ML_STATE/zenml.json"
LOG="$ML_STATE/logs/zenml.log"
ADMIN_USER="admin"

# No analytics: nothing can leave this machine, and a blocked call only slows every command.
export ZENML_ANALYTICS_OPT_IN=false ZENML_LOGGING_COLORS_DISABLED=true

venv() { python_venv zenml "$VERSION" "$LOCK"; }

cmd_build() {
  local t0=$SECONDS dir
  dir="$(venv)"
  info "ZenML $VERSION virtualenv ready in $((SECONDS - t0))s: $dir"
}

json_url() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$JSON"; }

cmd_start() {
  if is_running zenml; then
    info "ZenML is already running at $(json_url)"
    return 0
  fi
  local dir port url password jwt_key t0=$SECONDS
  dir="$(venv)"
  mkdir -p "$DATA/server-config" "$DATA/local-stores"
  if [ -f "$DATA/zenml.db" ] && [ ! -s "$DATA/admin-password" ]; then
    die "$DATA/zenml.db exists but $DATA/admin-password is gone: remove $DATA to start over"
  fi
  password="$(secret_file "$DATA/admin-password")"
  # Signs the login tokens; kept so a token outlives a restart like it would in production.
  jwt_key="$(secret_file "$DATA/jwt-secret-key")"
  port="$(free_port)"
  url="http://127.0.0.1:$port"
  step "starting ZenML $VERSION on $url" "30 s"
  # What `zenml login --local` sets for its daemon, except that authentication stays on
  # (OAUTH2_PASSWORD_BEARER, ZenML's default for real deployments) and the data is ours:
  # - ZENML_SERVER_AUTO_ACTIVATE makes the first start create the admin user from
  #   ZENML_DEFAULT_USER_NAME/PASSWORD instead of waiting for someone to activate the
  #   server in the dashboard; later starts ignore both.
  # - ZENML_LOCAL_STORES_PATH holds the default stack's local artifact store, which the seed's
  #   pipelines (local orchestrator, same machine) write to and the dashboard reads from,
  #   hence ZENML_SERVER_ALLOW_LOCAL_FILE_ACCESS.
  # - no update and announcement widgets: the dashboard would fetch them from the internet.
  start_daemon zenml "$LOG" env \
    ZENML_SERVER=true \
    ZENML_STORE_TYPE=sql \
    ZENML_STORE_URL="sqlite:///$DATA/zenml.db" \
    ZENML_CONFIG_PATH="$DATA/server-config" \
    ZENML_LOCAL_STORES_PATH="$DATA/local-stores" \
    ZENML_SERVER_ALLOW_LOCAL_FILE_ACCESS=true \
    ZENML_SERVER_AUTH_SCHEME=OAUTH2_PASSWORD_BEARER \
    ZENML_SERVER_AUTO_ACTIVATE=true \
    ZENML_DEFAULT_USER_NAME="$ADMIN_USER" \
    ZENML_DEFAULT_USER_PASSWORD="$password" \
    ZENML_SERVER_JWT_SECRET_KEY="$jwt_key" \
    ZENML_SERVER_SERVER_URL="$url" \
    ZENML_SERVER_DASHBOARD_URL="$url" \
    ZENML_SERVER_DISPLAY_UPDATES=false \
    ZENML_SERVER_DISPLAY_ANNOUNCEMENTS=false \
    "$dir/bin/uvicorn" zenml.zen_server.zen_server_api:app --host 127.0.0.1 --port "$port" --workers 1
  if ! wait_daemon_http zenml "$url/health" 300; then
    is_running zenml || die "ZenML exited while starting (log: $LOG):$(echo; tail -n 20 "$LOG")"
    stop_daemon zenml
    die "ZenML did not answer $url/health within 300 s (log: $LOG):$(echo; tail -n 20 "$LOG")"
  fi
  curl -fsS -o /dev/null --data-urlencode "username=$ADMIN_USER" --data-urlencode "password=$password" \
    "$url/api/v1/login" \
    || { stop_daemon zenml; die "ZenML rejects the admin password in $DATA/admin-password (log: $LOG)"; }
  (umask 077; python3 - "$JSON" "$url" "$ADMIN_USER" "$password" <<'EOF'
import json, sys
path, url, user, password = sys.argv[1:]
json.dump({"url": url, "username": user, "password": password, "dashboardUrl": url},
          open(path, "w"), indent=2)
EOF
  )
  info "ZenML is up at $url after $((SECONDS - t0))s (credentials in $JSON, log $LOG)"
}

cmd_seed() {
  is_running zenml || die "ZenML is not running: run $0 start first"
  local dir t0=$SECONDS
  dir="$(venv)"
  mkdir -p "$DATA/client-config"
  step "seeding ZenML from demo-platform.json" "2 min"
  # The seed is a ZenML client of its own (config dir apart from the server's), logged in
  # with the admin password through the REST store; its pipelines run in this process with
  # the server's default stack (local orchestrator and artifact store). uv on PATH lets ZenML
  # record each run's installed packages quickly (it tries `uv pip freeze` before pip).
  # The password is exported rather than passed through `env`, so that a failure message
  # (which shows the command) does not print it.
  (
    export ZENML_STORE_PASSWORD
    ZENML_STORE_PASSWORD="$(cat "$DATA/admin-password")"
    run_logged "$ML_STATE/logs/zenml-seed.log" env \
      PATH="$ML_CACHE/uv-$ML_UV_VERSION/bin:$PATH" \
      ZENML_CONFIG_PATH="$DATA/client-config" \
      ZENML_LOCAL_STORES_PATH="$DATA/local-stores" \
      ZENML_STORE_URL="$(json_url)" \
      ZENML_STORE_USERNAME="$ADMIN_USER" \
      ZENML_ENABLE_REPO_INIT_WARNINGS=false \
      "$dir/bin/python" "$HERE/seed_zenml.py" --spec "$HERE/demo-platform.json" --state "$ML_STATE"
  ) || die "seeding ZenML failed (log: $ML_STATE/logs/zenml-seed.log)"
  grep '^seed:' "$ML_STATE/logs/zenml-seed.log" | sed 's/^seed: /    /' >&2 || true
  info "ZenML seeded in $((SECONDS - t0))s ($ML_STATE/zenml-seed.json)"
}

cmd_stop() {
  if is_running zenml; then
    step "stopping ZenML"
    stop_daemon zenml
  else
    rm -f "$ML_STATE/zenml.pid"
    info "ZenML is not running"
  fi
  rm -f "$JSON"
}

cmd_status() {
  if is_running zenml; then
    info "ZenML is running (pid $(cat "$ML_STATE/zenml.pid")): $(json_url)"
  else
    info "ZenML is not running"
    return 1
  fi
}

case "${1:-}" in
  build | start | seed | stop | status) "cmd_$1" ;;
  *) die "usage: $0 build|start|seed|stop|status" ;;
esac
