# Uploads what backup.sh wrote (run in the aws-cli image after it succeeded): the dump under each
# of its keys with its SHA-256 and table count as object metadata, the manifest beside each, and
# latest.json last, so a reader never finds a pointer to a dump that is not there. Then publishes
# BackupSucceeded (the freshness alarm's metric), the size and the duration.
#
# It starts whatever the dump step's outcome, so a failed dump is a Failure datapoint too.
#
# Environment: BACKUP_WORKDIR, BACKUP_DESTINATION (s3://bucket or file://dir), BACKUP_NAME,
# BACKUP_JOB (the schedule's name), BACKUP_METRICS (cloudwatch | file:<path> | off),
# BACKUP_METRIC_NAMESPACE.
set -euo pipefail
SCRIPT_NAME=upload
trap 'status=$?; if ((status != 0)); then put_job_result 1 || true; fi' EXIT
workdir="${BACKUP_WORKDIR:-/backup}"
: "${BACKUP_DESTINATION:?BACKUP_DESTINATION is not set}"
: "${BACKUP_NAME:?BACKUP_NAME is not set}"
manifest="$workdir/manifest.json"
dump="$workdir/db.dump"
[[ -s "$manifest" ]] || fail "no manifest in $workdir: the dump step did not finish"
[[ -s "$dump" ]] || fail "no dump in $workdir: the dump step did not finish"

expected="$(manifest_field "$manifest" sha256)"
actual="$(sha256sum "$dump" | cut -d' ' -f1)"
[[ "$expected" == "$actual" ]] || fail "the dump's SHA-256 is $actual, the manifest says $expected"
tables="$(manifest_list "$manifest" tables | wc -l)"

mapfile -t keys < <(manifest_list "$manifest" keys)
((${#keys[@]} > 0)) || fail "the manifest lists no keys"
for key in "${keys[@]}"; do
  put_object "$dump" "$key" "sha256=$actual,tables=$tables,format=golive-backup/1"
  put_object "$manifest" "${key%.dump}.manifest.json"
done
put_object "$manifest" "latest.json"

put_metric BackupSucceeded 1
put_job_result 0
put_metric BackupSizeBytes "$(manifest_number "$manifest" sizeBytes)" Bytes
put_metric BackupDurationSeconds "$(manifest_number "$manifest" durationSeconds)" Seconds
echo "uploaded ${keys[*]} ($tables tables) to $BACKUP_DESTINATION"
