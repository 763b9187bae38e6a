#!/usr/bin/env bash
# The real MLflow tracking server and model registry, with basic auth, for tests and the demo.
#   build   virtualenv with the pinned MLflow and what the seed needs to train models
#   start   server on a free 127.0.0.1 port; writes $ML_STATE/mlflow.json (url and credentials)
#   seed    registers the models of demo-platform.json (needs zenml.sh seed first)
#   stop    stops the server and its workers
#   status  whether it runs, and where
source "$(dirname "$0")/lib.sh"

HERE="$ML_ROOT/scripts/platform"
LOCK="$HERE/requirements-mlflow.txt"
VERSION="$(sed -n 's/^mlflow==\([^ ]*\).*/\1/p' "$LOCK")"
DATA="$ML_STATE/mlflow"
JSON="$ML_STATE/mlflow.json"
LOG="$ML_STATE/logs/mlflow.log"
ADMIN_USER="admin"
# A user with no permission on anything (default_permission below), so tests can show that
# the server really authorizes and not only authenticates.
VIEWER_USER="viewer"

# MLflow would otherwise send usage telemetry, which cannot leave this machine anyway. Its job
# runner (eight huey consumers for GenAI judges and trace rollups) has no use for a model
# registry and would cost a 2-core machine a minute of imports at every start.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false
# Registry webhooks go to the portal on this machine: MLflow refuses http and loopback targets
# unless told otherwise, which is right for a shared server and wrong for this local one. It
# caches the webhooks of each event for 60 s by default; 1 s lets a webhook just registered (by
# the portal at startup, or a test) receive the very next event.
export MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true MLFLOW_WEBHOOK_CACHE_TTL=1

venv() { python_venv mlflow "$VERSION" "$LOCK"; }
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$JSON" "$1"; }

cmd_build() {
  local t0=$SECONDS dir
  dir="$(venv)"
  info "MLflow $VERSION virtualenv ready in $((SECONDS - t0))s: $dir"
}

cmd_start() {
  if is_running mlflow; then
    info "MLflow is already running at $(json_field url)"
    return 0
  fi
  local dir port url password viewer_password secret_key t0=$SECONDS
  dir="$(venv)"
  mkdir -p "$DATA/artifacts"
  if [ -f "$DATA/basic_auth.db" ] && [ ! -s "$DATA/admin-password" ]; then
    die "$DATA/basic_auth.db exists but $DATA/admin-password is gone: remove $DATA to start over"
  fi
  password="$(secret_file "$DATA/admin-password")"
  viewer_password="$(secret_file "$DATA/viewer-password")"
  # Signs the CSRF tokens of the auth app's forms; has to be the same in every worker.
  secret_key="$(secret_file "$DATA/flask-secret-key")"
  # Webhook secrets are stored encrypted with this Fernet key; without one MLflow draws a new
  # key at every start and can no longer sign deliveries with the secrets it stored before.
  if [ ! -s "$DATA/webhook-encryption-key" ]; then
    (umask 077; python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' \
      >"$DATA/webhook-encryption-key")
  fi
  export MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY
  MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY="$(cat "$DATA/webhook-encryption-key")"
  # The auth app reads its settings only from an ini file; its users live in a sqlite DB of
  # their own next to the tracking DB. NO_PERMISSIONS: a user sees only what was granted.
  # The credential cache spares each request a PBKDF2 check (~0.5 s on a busy 2-core machine,
  # the seed makes hundreds); with a single worker a password change still applies at once.
  cat >"$DATA/basic_auth.ini" <<EOF
[mlflow]
default_permission = NO_PERMISSIONS
database_uri = sqlite:///$DATA/basic_auth.db
admin_username = $ADMIN_USER
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
auth_cache_ttl_seconds = 300
EOF
  # The same port as last time, so a portal configured before a restart still finds it.
  port="$(kept_port "$DATA/port")"
  url="http://127.0.0.1:$port"
  step "starting MLflow $VERSION on $url" "15 s"
  # One worker: its thread pool serves the tests and the demo, and each worker costs ~20 s of
  # CPU to import MLflow on a busy 2-core machine. The admin password is
  # used only the first time, when the auth DB is created.
  start_daemon mlflow "$LOG" env MLFLOW_AUTH_CONFIG_PATH="$DATA/basic_auth.ini" \
    MLFLOW_AUTH_ADMIN_PASSWORD="$password" MLFLOW_FLASK_SERVER_SECRET_KEY="$secret_key" "$dir/bin/mlflow" server --app-name basic-auth \
    --backend-store-uri "sqlite:///$DATA/mlflow.db" --artifacts-destination "$DATA/artifacts" \
    --host 127.0.0.1 --port "$port" --workers 1
  if ! wait_daemon_http mlflow "$url/health" 300; then
    is_running mlflow || die "MLflow exited while starting (log: $LOG):$(echo; tail -n 20 "$LOG")"
    stop_daemon mlflow
    die "MLflow did not answer $url/health within 300 s (log: $LOG):$(echo; tail -n 20 "$LOG")"
  fi
  curl -fsS -o /dev/null -u "$ADMIN_USER:$password" "$url/api/2.0/mlflow/users/get?username=$ADMIN_USER" \
    || { stop_daemon mlflow; die "MLflow rejects the admin password in $DATA/admin-password (log: $LOG)"; }
  # users/get answers 404 for an unknown user; create the viewer only then.
  if ! curl -fs -o /dev/null -u "$ADMIN_USER:$password" "$url/api/2.0/mlflow/users/get?username=$VIEWER_USER"; then
    curl -fsS -o /dev/null -u "$ADMIN_USER:$password" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$VIEWER_USER\",\"password\":\"$viewer_password\"}" "$url/api/2.0/mlflow/users/create" \
      || { stop_daemon mlflow; die "creating the MLflow user '$VIEWER_USER' failed (log: $LOG)"; }
  fi
  (umask 077; python3 - "$JSON" "$url" "$ADMIN_USER" "$password" "$VIEWER_USER" "$viewer_password" <<'EOF'
import json, sys
path, url, user, password, viewer, viewer_password = sys.argv[1:]
json.dump({"url": url, "username": user, "password": password, "uiUrl": url,
           "viewer": {"username": viewer, "password": viewer_password}},
          open(path, "w"), indent=2)
EOF
  )
  info "MLflow is up at $url after $((SECONDS - t0))s (credentials in $JSON, log $LOG)"
}

cmd_seed() {
  is_running mlflow || die "MLflow is not running: run $0 start first"
  [ -f "$ML_STATE/zenml-seed.json" ] \
    || die "$ML_STATE/zenml-seed.json is missing: the MLflow runs link to ZenML runs, run scripts/platform/zenml.sh seed first"
  local dir t0=$SECONDS
  dir="$(venv)"
  step "seeding MLflow from demo-platform.json" "1 min"
  # The client takes the server and its basic-auth credentials from the environment; exported
  # rather than passed through `env` so a failure message does not print the password.
  (
    export MLFLOW_TRACKING_URI MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD
    MLFLOW_TRACKING_URI="$(json_field url)"
    MLFLOW_TRACKING_USERNAME="$(json_field username)"
    MLFLOW_TRACKING_PASSWORD="$(json_field password)"
    run_logged "$ML_STATE/logs/mlflow-seed.log" \
      "$dir/bin/python" "$HERE/seed_mlflow.py" --spec "$HERE/demo-platform.json" --state "$ML_STATE"
  ) || die "seeding MLflow failed (log: $ML_STATE/logs/mlflow-seed.log)"
  grep '^seed:' "$ML_STATE/logs/mlflow-seed.log" | sed 's/^seed: /    /' >&2 || true
  info "MLflow seeded in $((SECONDS - t0))s"
}

cmd_stop() {
  if is_running mlflow; then
    step "stopping MLflow"
    stop_daemon mlflow
  else
    rm -f "$ML_STATE/mlflow.pid"
    info "MLflow is not running"
  fi
  rm -f "$JSON"
}

cmd_status() {
  if is_running mlflow; then
    info "MLflow is running (pid $(cat "$ML_STATE/mlflow.pid")): $(json_field url)"
  else
    info "MLflow is not running"
    return 1
  fi
}

case "${1:-}" in
  build | start | seed | stop | status) "cmd_$1" ;;
  *) die "usage: $0 build|start|seed|stop|status" ;;
esac
