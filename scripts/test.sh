#!/usr/bin/env bash
# One command: set up and run the whole test suite (SQLite by default; PostgreSQL
# when RATHAUS_TEST_DATABASE_URL names a server). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh dev
# The browser tests drive Debian's Chromium (Playwright's own download does not work
# on closed networks); install it when missing and we are allowed to.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
exec python -m pytest -n "${RATHAUS_TEST_WORKERS:-auto}" "$@"
