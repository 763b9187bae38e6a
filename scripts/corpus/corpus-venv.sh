#!/usr/bin/env bash
# Prints the Python of the corpus virtualenv (requirements-corpus.txt), built once in the
# platform's cache and reused by every later run.
set -euo pipefail
source "$(dirname "$0")/../platform/lib.sh"
venv="$(python_venv corpus 1 "$(dirname "$0")/requirements-corpus.txt")"
echo "$venv/bin/python"
