#!/usr/bin/env bash
# One command: set up, fill the demo data and run the platform on SQLite at
# http://127.0.0.1:5000 (the demo logins are printed and kept in instance/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh postgres,server
# Fictional operator details for the imprint and privacy pages ([legal]).
instance="${RATHAUS_INSTANCE_PATH:-instance}"
if [ ! -e "$instance/rathaus.toml" ]; then
  mkdir -p "$instance" && cp docs/rathaus.demo.toml "$instance/rathaus.toml"
fi
rathaus db upgrade
rathaus demo
exec rathaus serve --host "${RATHAUS_HOST:-127.0.0.1}" --port "${RATHAUS_PORT:-5000}"
