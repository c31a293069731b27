#!/usr/bin/env bash
# Logical backup of the Supabase database, run in the official postgres image (pg_dump of the
# project's major version). Writes into $BACKUP_WORKDIR:
#   db.dump        pg_dump custom format
#   manifest.json  what the uploader and the restore drill need: keys, SHA-256, size, table list
# The uploader (upload.sh, in the aws-cli image) sends both off-site.
#
# Environment:
#   DATABASE_URL        postgres:// URL (injected by ECS from Secrets Manager, never in the task definition)
#   BACKUP_WORKDIR      shared volume (default /backup)
#   BACKUP_NAME         object name stem, e.g. dirt-free-crm-prod
#   BACKUP_EXCLUDE_SCHEMAS  space-separated schemas not to dump: the ones Supabase manages and
#                       recreates (default below); app schemas, auth and storage are dumped
#   BACKUP_TIER         "scheduled" (daily/weekly/monthly by date) or "manual" (on demand, before a deploy)
#   BACKUP_WEEKLY_DAY   day of week (0 = Sunday) whose backup is also kept as the weekly copy (default 0)
#   BACKUP_RETRIES      extra attempts of pg_dump after a failure (default 2)
#   BACKUP_NOW          UTC time to name the backup by (tests); default now
set -euo pipefail

fail() {
  echo "backup failed: $*" >&2
  exit 1
}

: "${DATABASE_URL:?DATABASE_URL is not set: the task reads it from the environment secret}"
workdir="${BACKUP_WORKDIR:-/backup}"
name="${BACKUP_NAME:?BACKUP_NAME is not set}"
excluded="${BACKUP_EXCLUDE_SCHEMAS-extensions graphql graphql_public net pgbouncer pgsodium pgsodium_masks realtime _realtime supabase_functions supabase_migrations vault cron pgtle _analytics}"
tier="${BACKUP_TIER:-scheduled}"
weekly_day="${BACKUP_WEEKLY_DAY:-0}"
retries="${BACKUP_RETRIES:-2}"
now="${BACKUP_NOW:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"

case "$tier" in scheduled | manual) ;; *) fail "BACKUP_TIER must be scheduled or manual, not \"$tier\"" ;; esac
mkdir -p "$workdir"
rm -f "$workdir/db.dump" "$workdir/db.toc" "$workdir/manifest.json"

# Supavisor's transaction mode (port 6543) cannot serve pg_dump (it needs one session for its
# snapshot); session mode on the same host is port 5432.
url="$DATABASE_URL"
if [[ "$url" =~ ^(postgres(ql)?://[^@]+@[^/:]+\.pooler\.supabase\.com):6543(/.*)?$ ]]; then
  url="${BASH_REMATCH[1]}:5432${BASH_REMATCH[3]}"
  echo "using the pooler's session mode (port 5432) for pg_dump"
fi

schema_args=()
for schema in $excluded; do schema_args+=("--exclude-schema=$schema"); done

stamp="$(date -u -d "$now" +%Y%m%dT%H%M%SZ)"
started="$(date +%s)"
attempt=0
until pg_dump --format=custom --compress=6 --no-password --file="$workdir/db.dump" \
  "${schema_args[@]}" --dbname="$url"; do
  attempt=$((attempt + 1))
  if ((attempt > retries)); then fail "pg_dump failed $attempt times"; fi
  echo "pg_dump failed (attempt $attempt), retrying in $((attempt * 30)) s" >&2
  sleep "$((attempt * 30))"
done
duration=$(($(date +%s) - started))

# Reading the archive's table of contents proves it is complete and readable.
pg_restore --list "$workdir/db.dump" >"$workdir/db.toc" || fail "pg_restore cannot read the dump it just wrote"
# TOC lines: "3375; 0 16390 TABLE DATA public todos postgres"
mapfile -t tables < <(awk '$4 == "TABLE" && $5 == "DATA" { print $6 "." $7 }' "$workdir/db.toc" | sort -u)
if ((${#tables[@]} == 0)); then fail "the dump holds no tables (schemas not dumped: ${excluded:-none}); is this the right database?"; fi

# Tables that had rows when dumped: the drill requires rows in exactly these.
quoted=""
for table in "${tables[@]}"; do quoted+="${quoted:+,}'$table'"; done
mapfile -t with_rows < <(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$url" --command="
  select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname || '.' || c.relname in ($quoted) and c.relkind in ('r', 'p')
    and (xpath('/row/c/text()', query_to_xml(format('select exists (select from %I.%I) as c', n.nspname, c.relname), false, true, '')))[1]::text = 'true'
  order by 1")

sha256="$(sha256sum "$workdir/db.dump" | cut -d' ' -f1)"
size="$(stat -c %s "$workdir/db.dump")"
server_version="$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" --command='show server_version' | head -1)"
dump_version="$(pg_dump --version | awk '{print $3}')"

# Keys: <tier>/YYYY/MM/DD/<name>-<stamp>.dump; a scheduled backup on the weekly day or the 1st of
# the month is also kept under weekly/ or monthly/, whose lifecycle rules keep them longer.
day_path="$(date -u -d "$now" +%Y/%m/%d)"
keys=()
if [[ "$tier" == manual ]]; then
  keys+=("manual/$day_path/$name-$stamp.dump")
else
  keys+=("daily/$day_path/$name-$stamp.dump")
  if [[ "$(date -u -d "$now" +%w)" == "$weekly_day" ]]; then keys+=("weekly/$day_path/$name-$stamp.dump"); fi
  if [[ "$(date -u -d "$now" +%d)" == "01" ]]; then keys+=("monthly/$day_path/$name-$stamp.dump"); fi
fi

json_list() {
  local out="" item
  for item in "$@"; do out+="${out:+,}\"$item\""; done
  printf '[%s]' "$out"
}

cat >"$workdir/manifest.json" <<JSON
{
  "format": "golive-backup/1",
  "name": "$name",
  "createdAt": "$(date -u -d "$now" +%Y-%m-%dT%H:%M:%SZ)",
  "tier": "$tier",
  "keys": $(json_list "${keys[@]}"),
  "sha256": "$sha256",
  "sizeBytes": $size,
  "durationSeconds": $duration,
  "serverVersion": "$server_version",
  "pgDumpVersion": "$dump_version",
  "excludedSchemas": $(json_list $excluded),
  "tables": $(json_list "${tables[@]}"),
  "tablesWithRows": $(json_list "${with_rows[@]}")
}
JSON
echo "dumped ${#tables[@]} tables (${#with_rows[@]} with rows), $size bytes, sha256 $sha256, in $duration s"
