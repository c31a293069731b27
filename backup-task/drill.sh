#!/usr/bin/env bash
# Restore drill, step 2 (official postgres image): verify the fetched backup and restore it into a
# throwaway Postgres (the task's sidecar), then check what came back:
#   - the dump's SHA-256 equals the manifest's (a changed or truncated file fails);
#   - pg_restore can read the archive;
#   - every table the manifest lists exists after the restore, every table that had rows has rows,
#     and the restore brought back at least one row (a drill that restores nothing fails);
#   - every table in an exposed schema has row level security enabled (DB-01, as golive db check).
# Writes "ok: ..." or "failed: ..." to $BACKUP_WORKDIR/drill-result and exits non-zero on failure.
#
# Environment:
#   DRILL_DATABASE_URL      the throwaway server, e.g. postgres://postgres@localhost:5432/postgres
#   DRILL_EXPOSED_SCHEMAS   space-separated schemas the Data API exposes (default: public)
#   BACKUP_WORKDIR          where fetch.sh put db.dump and manifest.json
set -euo pipefail

workdir="${BACKUP_WORKDIR:-/backup}"
result="$workdir/drill-result"
target="${DRILL_DATABASE_URL:?DRILL_DATABASE_URL is not set}"
exposed="${DRILL_EXPOSED_SCHEMAS:-public}"
manifest="$workdir/manifest.json"
dump="$workdir/db.dump"

fail() {
  echo "failed: $*" >"$result"
  echo "restore drill failed: $*" >&2
  exit 1
}
field() { sed -n "s/^  \"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" "$manifest" | head -1; }
list() { sed -n "s/^  \"$1\": \\[\\(.*\\)\\],\\{0,1\\}\$/\\1/p" "$manifest" | tr ',' '\n' | tr -d '"' | sed '/^$/d'; }
sql() { psql --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 --dbname="$target" "$@"; }

rm -f "$result"
[[ -s "$manifest" ]] || fail "no manifest to verify against ($manifest)"
[[ -s "$dump" ]] || fail "the backup file is missing or empty ($dump): there is nothing to restore"

expected="$(field sha256)"
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail "the manifest has no SHA-256 checksum"
actual="$(sha256sum "$dump" | cut -d' ' -f1)"
[[ "$actual" == "$expected" ]] ||
  fail "checksum mismatch: the backup's SHA-256 is $actual, its manifest says $expected (corrupted or truncated in storage)"

pg_restore --list "$dump" >/dev/null 2>"$workdir/toc-errors" ||
  fail "pg_restore cannot read the backup: $(head -c 300 "$workdir/toc-errors")"

mapfile -t tables < <(list tables)
mapfile -t with_rows < <(list tablesWithRows)
((${#tables[@]} > 0)) || fail "the manifest lists no tables: the backup restores nothing"

# Wait for the sidecar, then give it the roles Supabase dumps refer to (policies name them).
for _ in $(seq 1 60); do
  pg_isready --dbname="$target" --quiet && break
  sleep 1
done
pg_isready --dbname="$target" --quiet || fail "the throwaway Postgres did not start"
sql <<'SQL' || fail "cannot prepare the throwaway database"
do $$
declare r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin',
    'supabase_auth_admin', 'supabase_storage_admin', 'dashboard_user'] loop
    if not exists (select from pg_roles where rolname = r) then execute format('create role %I nologin', r); end if;
  end loop;
end $$;
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
SQL

# Objects of extensions a plain Postgres lacks (pg_graphql, pgsodium...) fail to restore; they
# are reported, and the checks below decide whether the data came back.
restore_errors=0
if ! pg_restore --no-owner --no-privileges --dbname="$target" "$dump" 2>"$workdir/restore-errors"; then
  restore_errors="$(sed -n 's/.*errors ignored on restore: \([0-9]*\).*/\1/p' "$workdir/restore-errors" | tail -1)"
  [[ -n "$restore_errors" ]] || fail "pg_restore failed: $(head -c 300 "$workdir/restore-errors")"
  echo "pg_restore ignored $restore_errors errors (objects of extensions the throwaway Postgres lacks):" >&2
  grep -m 5 'ERROR' "$workdir/restore-errors" >&2 || true
fi

# One query for every table: present after the restore, and whether it has a row.
table_list="$(IFS=,; echo "${tables[*]}")"
mapfile -t states < <(sql --set=tables="$table_list" <<'SQL'
select t || '|' || (c.oid is not null) || '|' || coalesce(case when c.oid is not null then
  (xpath('/row/c/text()', query_to_xml(format('select exists (select from %I.%I) as c', n.nspname, c.relname),
    false, true, '')))[1]::text = 'true' end, false)
from unnest(string_to_array(:'tables', ',')) as t
left join pg_namespace n on n.nspname = split_part(t, '.', 1)
left join pg_class c on c.relnamespace = n.oid and c.relname = substr(t, length(split_part(t, '.', 1)) + 2)
  and c.relkind in ('r', 'p')
SQL
)
missing=()
empty=()
rows_total=0
for state in "${states[@]}"; do
  IFS='|' read -r table present has_rows <<<"$state"
  if [[ "$present" != true ]]; then
    missing+=("$table")
  elif [[ "$has_rows" == true ]]; then
    rows_total=$((rows_total + 1))
  elif printf '%s\n' "${with_rows[@]}" | grep -qxF "$table"; then
    empty+=("$table")
  fi
done
((${#missing[@]} == 0)) || fail "${#missing[@]} of ${#tables[@]} tables are missing after the restore: ${missing[*]}"
((${#empty[@]} == 0)) || fail "${#empty[@]} tables had rows when dumped but are empty after the restore: ${empty[*]}"
((rows_total > 0)) || fail "the restore brought back no rows in any of ${#tables[@]} tables: the backup is of an empty database"

schema_list=""
for schema in $exposed; do schema_list+="${schema_list:+,}'$schema'"; done
mapfile -t without_rls < <(sql --command="
  select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ($schema_list) and c.relkind in ('r', 'p') and not c.relrowsecurity order by 1")
((${#without_rls[@]} == 0)) ||
  fail "row level security is off on ${#without_rls[@]} exposed tables after the restore: ${without_rls[*]}"

summary="${#tables[@]} tables restored, $rows_total with rows, RLS on every table in: $exposed; sha256 $actual; $restore_errors restore errors ignored"
echo "ok: $summary" >"$result"
echo "restore drill passed: $summary"
