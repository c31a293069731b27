#!/usr/bin/env bash
# Stops a cluster started by start-test-server.sh and removes its directory.
# Usage: stop-test-server.sh <url printed by start-test-server.sh>
set -euo pipefail
port="$(sed -n 's/.*:\([0-9]*\)\/.*/\1/p' <<<"$1")"
datadir="$(grep -l "port=$port" /tmp/golive-pg.*/data/postmaster.opts 2>/dev/null | head -1 | xargs -r dirname | xargs -r dirname)"
[[ -n "$datadir" ]] || { echo "no test server on port $port" >&2; exit 1; }
bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_owner=()
[[ "$(id -u)" == 0 ]] && as_owner=(runuser -u postgres --)
"${as_owner[@]}" "$bindir/pg_ctl" --pgdata="$datadir/data" --mode=fast --wait stop >/dev/null
rm -rf "$datadir"
