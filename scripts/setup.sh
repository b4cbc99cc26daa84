#!/usr/bin/env bash
# Shared by demo.sh and test.sh: a virtualenv in .venv with Rathaus installed.
# Usage: source scripts/setup.sh [extras]   (extras default: postgres,server)
#
# A second start does not reinstall: the install (editable, so code changes need
# none) is skipped while the stamp file of these extras holds the hash of
# pyproject.toml it was made from (RATHAUS_REINSTALL=1 forces an install).
set -euo pipefail
extras="${1:-postgres,server}"
stamp=".venv/.rathaus-installed-${extras//,/-}"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] \
    && [ "${RATHAUS_REINSTALL:-0}" != "1" ]; then
  # shellcheck disable=SC1091
  . .venv/bin/activate
else
  python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
  python -m pip install --quiet --upgrade pip
  python -m pip install --quiet -e ".[${extras}]"
  echo "$wanted" > "$stamp"
fi
