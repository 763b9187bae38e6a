#!/usr/bin/env bash
# PostgreSQL, the database Backstage runs on in production, for the plugins' database tests
# and a portal booted against it. The machine's own server binaries (Debian's `postgresql`
# package, installed when missing), run as the `postgres` system user since PostgreSQL
# refuses to run as root, on 127.0.0.1 only, with password (SCRAM) authentication.
#
#   postgres.sh build    find the newest installed server; apt-get install it when there is none
#   postgres.sh start    initdb once, start on a free 127.0.0.1 port (the previous one when free),
#                        write postgres.json and app-config.postgres.yaml (the portal on it)
#   postgres.sh seed     nothing to seed: every test and every backend plugin creates its database
#   postgres.sh stop     fast shutdown: open connections are closed, the data is kept
#   postgres.sh status   what runs where
#   postgres.sh purge    stop, then delete the cluster's data
#
# postgres.json names the role `backstage`, which may create databases but is no superuser,
# as Backstage's role in production; `version` is the major version, so the id for
# Backstage's TestDatabases is POSTGRES_<version>. ML_POSTGRES_BINDIR picks another server.
source "$(dirname "$0")/lib.sh"

STATE="$ML_STATE/postgres"
LOG="$STATE/logs/postgres.log"
JSON="$ML_STATE/postgres.json"
APP_CONFIG="$ML_STATE/app-config.postgres.yaml"
OS_USER=postgres
ADMIN_ROLE=postgres
ROLE=backstage

# bindir: the newest PostgreSQL server installed, Debian's layout.
bindir() {
  if [ -n "${ML_POSTGRES_BINDIR:-}" ]; then echo "$ML_POSTGRES_BINDIR"; return; fi
  local newest
  newest="$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n1 || true)"
  [ -n "$newest" ] && dirname "$newest"
}

# The command prefix that runs a server program as the database's OS user: as root, drop to
# `postgres`; as anyone else, that user owns the data directory and runs the server.
as_db_user() {
  if [ "$(id -u)" = 0 ]; then
    echo setpriv --reuid="$OS_USER" --regid="$OS_USER" --init-groups --
  fi
}

# data_root: where the cluster lives. A server that runs as `postgres` must reach its data
# directory through every parent directory, and a checkout in a private home (mode 0700, as
# root's is) is out of its reach. So as root the cluster lives outside the checkout, in a
# directory of its own per state directory under /var/lib/ml-platform (ML_POSTGRES_DATA_ROOT),
# owned by `postgres`; $STATE/data points there. As anyone else the invoking user runs the
# server and the data stays in $STATE.
data_root() {
  if [ "$(id -u)" != 0 ]; then echo "$STATE"; return; fi
  local id
  id="$(realpath -m "$ML_STATE" | sha256sum | cut -c1-12)"
  echo "${ML_POSTGRES_DATA_ROOT:-/var/lib/ml-platform}/postgres-$id"
}
DATA_ROOT="$(data_root)"
DATA="$DATA_ROOT/data"

# prepare_data_root: the directory the server's user owns and reaches, with the link to it
# from the state directory. A cluster of the layout before, inside the state directory, is
# moved there.
prepare_data_root() {
  [ "$DATA_ROOT" = "$STATE" ] && return 0
  mkdir -p "$DATA_ROOT"
  chmod 711 "$(dirname "$DATA_ROOT")"
  chown "$OS_USER:" "$DATA_ROOT"
  chmod 700 "$DATA_ROOT"
  if [ -d "$STATE/data" ] && [ ! -L "$STATE/data" ]; then
    if [ -f "$DATA/PG_VERSION" ]; then rm -rf "$STATE/data"; else rm -rf "$DATA" && mv "$STATE/data" "$DATA"; fi
  fi
  ln -sfn "$DATA" "$STATE/data"
  # Fail now, not after initdb, if the server's user still cannot reach it.
  # shellcheck disable=SC2046 # as_db_user is a command prefix, split on purpose
  $(as_db_user) test -w "$DATA_ROOT" ||
    die "the $OS_USER user cannot write $DATA_ROOT: make its parent directories traversable (chmod o+x) or set ML_POSTGRES_DATA_ROOT"
}

ensure_os_user() {
  [ "$(id -u)" = 0 ] || return 0
  if ! id -u "$OS_USER" >/dev/null 2>&1; then
    step "creating the system user $OS_USER"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
      --shell /usr/sbin/nologin "$OS_USER"
  fi
}

cmd_build() {
  local dir
  dir="$(bindir)"
  if [ -z "$dir" ] || [ ! -x "$dir/postgres" ]; then
    [ -z "${ML_POSTGRES_BINDIR:-}" ] || die "no postgres in ML_POSTGRES_BINDIR=$ML_POSTGRES_BINDIR"
    [ "$(id -u)" = 0 ] || die "no PostgreSQL server in /usr/lib/postgresql: install Debian's postgresql package (or set ML_POSTGRES_BINDIR)"
    step "installing Debian's PostgreSQL server: apt-get install -y --no-install-recommends postgresql" "1 min"
    run_logged "$ML_CACHE/logs/postgres-apt.log" \
      sh -c 'apt-get install -y --no-install-recommends postgresql || { apt-get update && apt-get install -y --no-install-recommends postgresql; }' \
      || die "installing postgresql failed (log: $ML_CACHE/logs/postgres-apt.log)"
    grep -E '^(Setting up|Unpacking) ' "$ML_CACHE/logs/postgres-apt.log" | sed 's/^/    /' >&2 || true
    dir="$(bindir)"
    [ -n "$dir" ] || die "apt-get installed postgresql, but no server is in /usr/lib/postgresql"
  fi
  ensure_os_user
  info "$("$dir/postgres" --version) in $dir"
}

# init_cluster BINDIR: a new cluster, made aside and moved into place, so an initdb that
# fails half-way is retried instead of leaving a data directory that never starts.
init_cluster() {
  local bin="$1" tmp="$DATA_ROOT/data.init" pwfile="$DATA_ROOT/data.init.pw"
  [ -f "$DATA/PG_VERSION" ] && return 0
  step "creating a PostgreSQL cluster in $DATA" "5 s"
  rm -rf "$tmp" "$pwfile"
  mkdir -p "$tmp"
  (umask 077; cat "$STATE/admin-password" >"$pwfile")
  if [ "$(id -u)" = 0 ]; then chown "$OS_USER:" "$tmp" "$pwfile"; fi
  chmod 700 "$tmp"
  # shellcheck disable=SC2046 # as_db_user is a command prefix, split on purpose
  run_logged "$STATE/logs/initdb.log" $(as_db_user) "$bin/initdb" -D "$tmp" -U "$ADMIN_ROLE" \
    --pwfile="$pwfile" --auth=scram-sha-256 --encoding=UTF8 --locale=C \
    || { rm -f "$pwfile"; die "initdb failed (log: $STATE/logs/initdb.log)"; }
  rm -f "$pwfile"
  mv "$tmp" "$DATA"
}

# Only TCP on 127.0.0.1, only with a password; the server has no Unix socket at all.
write_hba() {
  cat >"$DATA/pg_hba.conf" <<'EOF'
# Written by scripts/platform/postgres.sh start.
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  scram-sha-256
EOF
  if [ "$(id -u)" = 0 ]; then chown "$OS_USER:" "$DATA/pg_hba.conf"; fi
  chmod 600 "$DATA/pg_hba.conf"
}

port() { cat "$STATE/port"; }
ready() { "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$(port)" -t 2; }

# admin_psql ARGS...: psql as the superuser, the password from the environment rather than
# the command line, so it shows in no process list.
admin_psql() {
  PGPASSWORD="$(cat "$STATE/admin-password")" "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$(port)" -U "$ADMIN_ROLE" -d postgres "$@"
}

cmd_start() {
  # postgres.json is written last, so without it an earlier start did not finish.
  if is_running postgres && [ -f "$JSON" ] && ready; then
    info "PostgreSQL is already running on 127.0.0.1:$(port) (connection: $JSON)"
    return 0
  fi
  stop_server
  local bin port password t0=$SECONDS
  bin="$(bindir)"
  if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then cmd_build; bin="$(bindir)"; fi
  ensure_os_user
  mkdir -p "$STATE/logs"
  chmod 700 "$STATE"
  prepare_data_root
  secret_file "$STATE/admin-password" >/dev/null
  password="$(secret_file "$STATE/password")"
  init_cluster "$bin"
  write_hba
  port="$(kept_port "$STATE/port")"
  step "starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data: $DATA)" "5 s"
  trap 'stop_server' EXIT
  # synchronous_commit=off: a crash may lose the last commits, never corrupts the cluster,
  # and the tests' many small transactions stop waiting for the disk. Each test creates its
  # own databases, and several test runs may share the server: hence the connection limit.
  # shellcheck disable=SC2046 # as_db_user is a command prefix, split on purpose
  start_daemon postgres "$LOG" $(as_db_user) "$bin/postgres" -D "$DATA" \
    -c listen_addresses=127.0.0.1 -c port="$port" -c unix_socket_directories= \
    -c max_connections=300 -c synchronous_commit=off
  local i
  for ((i = 0; i < 120; i++)); do
    ready && break
    is_running postgres || die "PostgreSQL exited while starting (log: $LOG):$(echo; tail -n 20 "$LOG")"
    sleep 0.5
  done
  ready || die "PostgreSQL did not accept connections on 127.0.0.1:$port within 60 s (log: $LOG)"
  # The application's role: may create the databases Backstage makes per plugin, nothing more.
  admin_psql -v role="$ROLE" -v password="$password" >/dev/null <<'SQL' \
    || die "creating the role $ROLE failed (log: $LOG)"
SELECT format('CREATE ROLE %I', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE PASSWORD :'password';
SQL
  (umask 077; python3 - "$JSON.tmp" "$APP_CONFIG" "$port" "$ROLE" "$password" "$ADMIN_ROLE" \
    "$(cat "$STATE/admin-password")" "$(cat "$DATA/PG_VERSION")" "$("$bin/postgres" --version | awk '{print $3}')" <<'EOF'
import json, sys
path, app_config, port, user, password, admin, admin_password, major, version = sys.argv[1:]
connection = {"host": "127.0.0.1", "port": int(port), "user": user, "password": password}
# YAML is a superset of JSON: the overlay that puts the portal's plugins on this server.
json.dump({"backend": {"database": {"client": "pg", "connection": connection}}},
          open(app_config, "w"), indent=2)
# The passwords are URL-safe tokens, so the connection string needs no escaping.
json.dump({**connection, "database": "postgres",
           "connectionString": f"postgresql://{user}:{password}@127.0.0.1:{port}/postgres",
           "version": major, "serverVersion": version,
           "admin": {"user": admin, "password": admin_password}},
          open(path, "w"), indent=2)
EOF
  )
  mv "$JSON.tmp" "$JSON"
  trap - EXIT
  info "PostgreSQL is up on 127.0.0.1:$port after $((SECONDS - t0))s (connection: $JSON, log: $LOG)"
}

cmd_seed() {
  { is_running postgres && [ -f "$JSON" ]; } || die "PostgreSQL is not running: run $0 start first"
  info "PostgreSQL: nothing to seed (each test and each backend plugin creates its own database)"
}

# stop_server: a fast shutdown (clients are disconnected, everything is flushed), then
# whatever is left of the process group.
stop_server() {
  if is_running postgres && [ -f "$DATA/postmaster.pid" ]; then
    # shellcheck disable=SC2046 # as_db_user is a command prefix, split on purpose
    (cd "$DATA_ROOT" && $(as_db_user) "$(bindir)/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null 2>&1) || true
  fi
  stop_daemon postgres
  # Gone with the server: a stale postgres.json would point tests at a closed port.
  rm -f "$JSON" "$APP_CONFIG"
}

cmd_stop() {
  if is_running postgres; then
    step "stopping PostgreSQL"
    stop_server
    info "PostgreSQL stopped (data kept in $DATA)"
  else
    stop_server
    info "PostgreSQL is not running"
  fi
}

cmd_status() {
  if ! is_running postgres; then
    info "PostgreSQL is not running"
    return 1
  fi
  if ready; then
    info "PostgreSQL is running (pid $(cat "$ML_STATE/postgres.pid")) on 127.0.0.1:$(port), data $DATA; connection: $JSON"
  else
    info "PostgreSQL (pid $(cat "$ML_STATE/postgres.pid")) does NOT accept connections on 127.0.0.1:$(port) (log: $LOG)"
    return 1
  fi
}

cmd_purge() {
  stop_server
  rm -rf "$STATE"
  [ "$DATA_ROOT" = "$STATE" ] || rm -rf "$DATA_ROOT"
  info "PostgreSQL's data deleted"
}

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

main() {
  case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    seed) cmd_seed ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    purge) cmd_purge ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

# One compound command, parsed whole before it runs, so editing this file while it runs
# cannot make bash read half-changed lines afterwards.
{ main "$@"; exit $?; }
