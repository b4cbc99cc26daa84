#!/usr/bin/env bash
# Shared by demo.sh and test.sh: a virtualenv in .venv with Rathaus installed.
# Usage: source scripts/setup.sh [extras]   (extras default: postgres,server)
set -euo pipefail
extras="${1:-postgres,server}"
python3 -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[${extras}]"
