#!/usr/bin/env bash
# Starts the platform from a copy of this checkout in a private directory (mode 0700, as a home
# directory or a fresh temporary directory is), with the caches shared, then stops it and
# deletes its data: the platform must work from any checkout path the user can write to,
# whatever the permissions of its parents (a server that runs as another user cannot reach
# inside it). Copies the working tree as it is, so uncommitted changes are checked too.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

private="$(mktemp -d)"
chmod 700 "$private"
checkout="$private/checkout"
cleanup() {
  [ -x "$checkout/scripts/platform/down.sh" ] &&
    env -u ML_PLATFORM_STATE "$checkout/scripts/platform/down.sh" --purge >/dev/null 2>&1
  rm -rf "$private"
}
trap cleanup EXIT

step "starting the platform from a private checkout in $checkout"
mkdir -p "$checkout"
(cd "$ML_ROOT" && git ls-files -z --cached --others --exclude-standard |
  tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$checkout"
# The platform's scripts load the Kubernetes module from the workspace's installed packages;
# linking them keeps this a check of the directory's permissions, not a second yarn install.
ln -s "$ML_ROOT/node_modules" "$checkout/node_modules"
t0=$SECONDS
env -u ML_PLATFORM_STATE "$checkout/scripts/platform/up.sh" ||
  die "the platform did not start from a checkout in a private directory ($checkout)"
for c in postgres kube mlflow zenml lakefs; do
  env -u ML_PLATFORM_STATE "$checkout/scripts/platform/$c.sh" status ||
    die "$c is not running in the private checkout"
done
info "the platform started and answers from a private checkout, in $((SECONDS - t0))s"
