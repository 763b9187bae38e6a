#!/usr/bin/env bash
# The serving benchmark, on the demo platform (scripts/platform/up.sh, serving on):
# requests per second and p50/p99 latency through the gateway for one model version,
# and the time from a weight change made in the portal to the new share observed at the
# gateway. See bench/README.md.
#
#   bench/serving/run.sh                          2,000 requests, 20 weight changes
#   REQUESTS=500 CHANGES=5 bench/serving/run.sh   a quick run
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
source scripts/lib/toolchain.sh
scripts/platform/up.sh
exec node bench/serving/src/main.mjs
