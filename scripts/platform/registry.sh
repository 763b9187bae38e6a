#!/usr/bin/env bash
# The platform's images: an OCI registry of this instance on 127.0.0.1, a base image built
# from Debian packages, the real node's sandbox image, and the demo's service images built
# with buildah from the scaffolder templates (no Docker engine, no public image).
#
#   registry.sh build    the base image (debootstrap bookworm: Python 3.11) and the pause
#                        binary, cached in $ML_CACHE by what they are made of
#   registry.sh start    run Debian's docker-registry (distribution) on a free 127.0.0.1 port,
#                        push the base and pause images to it; write registry.json
#   registry.sh seed     build and push the demo's model and processing service images
#                        (build_images.py; needs MLflow seeded); write images.json
#   registry.sh build-image DIR NAME TAG   build one rendered template output (DIR) as
#                        ml/NAME:TAG and push it: the platform's builder, as the tests use it;
#                        prints the image reference, or the loader's refusal (exit 1)
#   registry.sh stop | status
#
# Instance safety: the registry's data, buildah's storage and the images are this
# instance's (in its state dir); only the base image archive and the pause binary are
# shared, in $ML_CACHE, written once by rename. ML_PLATFORM_SERVING=off: nothing to do.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gobuild.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
STATE="$ML_STATE/registry"
JSON="$ML_STATE/registry.json"
BASE_IMAGE=docker.io/library/python:3.11-slim
# What the base image is made of; its hash names the cached archive.
BASE_SUITE=bookworm
BASE_PACKAGES=python3,python3-venv,python-is-python3,ca-certificates,passwd
BASE_KEY="$(printf '%s %s v2' "$BASE_SUITE" "$BASE_PACKAGES" | sha256sum | cut -c1-10)"
BASE_ARCHIVE="$ML_CACHE/base-image-$BASE_SUITE-$BASE_KEY/image.tar"
BUILDAH=(buildah --root "$STATE/buildah/storage" --runroot "$STATE/buildah/run" --storage-driver overlay)

# The Debian mirror the machine's apt uses, so the image gets the same packages.
debian_mirror() {
  local uri
  uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  [ -n "$uri" ] || uri="$(awk '$1 == "deb" && $3 ~ /^bookworm/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

# shellcheck disable=SC2329 # called through run_logged
make_base_image() {
  local work="$1" ctr mnt
  rm -rf "$work"; mkdir -p "$work"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" "$BASE_SUITE" "$work/rootfs" "$(debian_mirror)"
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
  # pip (the upstream one a venv gets) trusts the system's CA store, as Debian's own does,
  # so a build can trust the machine's (mounted at build time, see build_images.py).
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$work/rootfs/etc/pip.conf"
  ctr="$("${BUILDAH[@]}" from scratch)"
  mnt="$("${BUILDAH[@]}" mount "$ctr")"
  cp -a "$work/rootfs/." "$mnt/"
  "${BUILDAH[@]}" umount "$ctr"
  "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd python3 --label "org.opencontainers.image.description=Debian $BASE_SUITE with Python 3.11" "$ctr"
  "${BUILDAH[@]}" commit --rm "$ctr" "oci-archive:$work/image.tar:$BASE_IMAGE"
  rm -rf "$work/rootfs"
}

build_base_image() {
  local dir
  dir="$(dirname "$BASE_ARCHIVE")"
  if [ -f "$BASE_ARCHIVE" ]; then info "base image ($BASE_SUITE, Python 3.11): cached in $dir"; return; fi
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap buildah"
  step "building the base image from Debian $BASE_SUITE packages (log: $dir.log)" "2-5 min, once"
  run_logged "$dir.log" make_base_image "$dir.tmp" || die "building the base image failed (log: $dir.log)"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

# Debian's packages the serving scripts run (lib.sh SERVING_PACKAGES); installed when
# missing, as postgres.sh does.
install_packages() {
  local missing=() p
  for p in "${SERVING_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  step "installing Debian packages: ${missing[*]}" "1-2 min"
  run_logged "$ML_CACHE/logs/serving-apt.log" sh -c \
    "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${missing[*]}" \
    || die "apt-get install ${missing[*]} failed (log: $ML_CACHE/logs/serving-apt.log)"
}

cmd_build() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no images"; return; }
  install_packages
  mkdir -p "$STATE"
  build_base_image
  go_tool pause >/dev/null
}

registry_ready() { curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$(registry_port)/v2/"; }

# The base image, from its archive into buildah's storage (the builds' FROM) and the registry.
push_base() {
  "${BUILDAH[@]}" pull -q "oci-archive:$BASE_ARCHIVE" >/dev/null
  "${BUILDAH[@]}" push -q --tls-verify=false "$BASE_IMAGE" "docker://127.0.0.1:$(registry_port)/library/python:3.11-slim" >/dev/null
}

push_pause() {
  local ctr
  ctr="$("${BUILDAH[@]}" from scratch)"
  "${BUILDAH[@]}" copy -q "$ctr" "$(go_tool pause)" /pause >/dev/null
  "${BUILDAH[@]}" config --entrypoint '["/pause"]' "$ctr"
  "${BUILDAH[@]}" commit -q --rm "$ctr" "$PAUSE_IMAGE" >/dev/null
  "${BUILDAH[@]}" push -q --tls-verify=false "$PAUSE_IMAGE" "docker://127.0.0.1:$(registry_port)/${PAUSE_IMAGE#*/}" >/dev/null
}

write_connection_file() {
  local base_id
  base_id="$("${BUILDAH[@]}" inspect --type image --format '{{.FromImageID}}' "$BASE_IMAGE")"
  python3 - "$JSON" "$(registry_port)" "$REGISTRY_HOST" "$base_id" "${BUILDAH[@]:1}" <<'PY'
import json, os, sys
out, port, host, base_id, *buildah_args = sys.argv[1:]
info = {"url": f"http://127.0.0.1:{port}", "port": int(port), "host": host, "baseImageId": base_id,
        "buildahArgs": buildah_args}
with open(out + ".tmp", "w") as f:
    json.dump(info, f, indent=2)
os.replace(out + ".tmp", out)
PY
}

cmd_start() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no registry"; return; }
  if is_running registry && [ -f "$JSON" ] && registry_ready; then
    info "already running: registry on http://127.0.0.1:$(registry_port)"; return
  fi
  [ -f "$BASE_ARCHIVE" ] || cmd_build
  local port t0=$SECONDS
  mkdir -p "$STATE/data" "$STATE/logs"
  stop_daemon registry
  port="$(kept_port "$STATE/registry.port")"
  cat >"$STATE/config.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $STATE/data}
  delete: {enabled: true}
http: {addr: "127.0.0.1:$port"}
YAML
  start_daemon registry "$STATE/logs/registry.log" docker-registry serve "$STATE/config.yml"
  wait_daemon_http registry "http://127.0.0.1:$port/v2/" 30 \
    || die "the registry did not answer on 127.0.0.1:$port within 30s (log: $STATE/logs/registry.log)"
  push_base || die "pushing the base image failed"
  push_pause || die "pushing the pause image failed"
  write_connection_file
  info "registry on http://127.0.0.1:$port ($REGISTRY_HOST), base and pause images pushed in $((SECONDS - t0))s"
}

cmd_seed() {
  serving_on || return 0
  [ -f "$JSON" ] || die "the registry is not running: run $0 start first"
  [ -f "$ML_STATE/mlflow.json" ] || die "MLflow is not running: run mlflow.sh start and seed first"
  local log="$STATE/logs/images.log" t0=$SECONDS summary
  step "building the demo's service images from the templates (log: $log)" "5-10 min the first time, seconds after"
  summary="$(python3 "$HERE/build_images.py" "$HERE/demo-platform.json" "$ML_STATE" 2>"$log")" \
    || { tail -n 15 "$log" >&2; die "building the service images failed (log: $log)"; }
  grep -E 'no image|built and pushed' "$log" >&2 || true
  info "$summary in $((SECONDS - t0))s"
}

# cmd_build_image DIR NAME TAG: the platform's builder for one rendered template output.
cmd_build_image() {
  [ -f "$JSON" ] || die "the registry is not running: run $0 start first"
  python3 "$HERE/build_images.py" one "$ML_STATE" "$@"
}

unmount_buildah() {
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
    awk -v s="$STATE/buildah/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

cmd_stop() {
  stop_daemon registry
  rm -f "$JSON"
  unmount_buildah
  info "registry stopped (images kept in $STATE/data)"
}

cmd_status() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no registry"; return; }
  if is_running registry; then
    info "registry: running, pid $(cat "$ML_STATE/registry.pid"), http://127.0.0.1:$(registry_port) ($REGISTRY_HOST)"
    curl -fsS "http://127.0.0.1:$(registry_port)/v2/_catalog" 2>/dev/null | sed 's/^/    repositories: /' >&2 || true
  else
    info "registry: stopped"
  fi
}

main() {
  case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    seed) cmd_seed ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    build-image) shift; cmd_build_image "$@" ;;
    -h | --help | help) sed -n '2,19s/^# \{0,1\}//p' "$0" ;;
    *) sed -n '2,19s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
}

{ main "$@"; exit $?; }
