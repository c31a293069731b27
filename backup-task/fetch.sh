# Restore drill, step 1 (aws-cli image): download the newest backup named by latest.json, and its
# manifest, into $BACKUP_WORKDIR. The drill step verifies them; this one only fetches.
#
# Environment: BACKUP_WORKDIR, BACKUP_DESTINATION (s3://bucket or file://dir).
set -euo pipefail
SCRIPT_NAME=fetch
workdir="${BACKUP_WORKDIR:-/backup}"
: "${BACKUP_DESTINATION:?BACKUP_DESTINATION is not set}"
mkdir -p "$workdir"
rm -f "$workdir/db.dump" "$workdir/manifest.json" "$workdir/drill-result"

get_object latest.json "$workdir/manifest.json" ||
  fail "no latest.json in $BACKUP_DESTINATION: no backup has completed yet"
key="$(manifest_list "$workdir/manifest.json" keys | head -1)"
[[ -n "$key" ]] || fail "latest.json names no dump key"
get_object "$key" "$workdir/db.dump" || fail "latest.json names $key, which cannot be read"
echo "fetched $key ($(stat -c %s "$workdir/db.dump") bytes)"
