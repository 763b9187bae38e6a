#!/usr/bin/env bash
# Regenerates the model service's locks, skeleton/requirements.txt (the image)
# and skeleton/requirements-dev.txt (its tests), from the .in files next to
# them, with uv's resolver: every package pinned with the hashes of its wheels,
# resolved for the image's Python on Linux from binary wheels only, as the
# Dockerfile installs them (pip --require-hashes --only-binary=:all:).
#
#   templates/model-service/lock.sh
#
# To serve another format, add its package (pinned) to skeleton/requirements.in
# and run this again.
set -euo pipefail
source "$(dirname "$0")/../../scripts/platform/lib.sh"
cd "$ML_ROOT/templates/model-service/skeleton"
uv="$(uv_bin)"
for name in requirements requirements-dev; do
  step "locking skeleton/$name.txt" "10-30 s"
  "$uv" pip compile --quiet --generate-hashes --only-binary :all: \
    --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --custom-compile-command templates/model-service/lock.sh \
    "$name.in" -o "$name.txt"
done
