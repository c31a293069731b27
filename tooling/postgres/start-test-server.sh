#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the backup and restore-drill tests, from the
# distribution's packages (Debian: apt-get install postgresql). Prints the superuser URL on stdout;
# stop it with stop-test-server.sh <data dir>. Run as root, it runs the server as the postgres user
# (initdb refuses root); otherwise as the caller.
#
# Usage: start-test-server.sh [port]   (default 54329)
set -euo pipefail
port="${1:-54329}"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$bindir/initdb" ]] || {
  echo "no PostgreSQL server found under /usr/lib/postgresql: apt-get install -y postgresql" >&2
  exit 1
}
datadir="$(mktemp -d /tmp/golive-pg.XXXXXX)"
as_owner=()
if [[ "$(id -u)" == 0 ]]; then
  chown postgres: "$datadir"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bindir/initdb" --pgdata="$datadir/data" --username=postgres --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$datadir/initdb.log"
# statement_timeout: the same limit per statement as golive db check's default (60s), so a migration
# that loops or sleeps fails the round trip with "canceling statement due to statement timeout"
# instead of hanging it (pg_dump and pg_restore set their own, unlimited).
"${as_owner[@]}" "$bindir/pg_ctl" --pgdata="$datadir/data" --log="$datadir/server.log" --wait \
  --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$datadir -c statement_timeout=60s" start >/dev/null
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $datadir" >&2
echo "postgres://postgres@127.0.0.1:$port/postgres"
