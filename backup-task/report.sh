# Restore drill, last step (aws-cli image, runs whatever the drill step's outcome): publishes
# RestoreDrillSucceeded 1 or 0 from the drill's result file, so a failed or missing verification
# is a datapoint the drill alarm sees. Exits non-zero on a failed drill, so the task fails too.
#
# Environment: BACKUP_WORKDIR, BACKUP_NAME, BACKUP_JOB, BACKUP_METRICS, BACKUP_METRIC_NAMESPACE.
set -euo pipefail
SCRIPT_NAME=report
workdir="${BACKUP_WORKDIR:-/backup}"
: "${BACKUP_NAME:?BACKUP_NAME is not set}"
result="$(cat "$workdir/drill-result" 2>/dev/null || echo "failed: the drill step wrote no result")"
if [[ "$result" == ok* ]]; then
  put_metric RestoreDrillSucceeded 1
  put_job_result 0
  echo "restore drill passed: $result"
else
  put_metric RestoreDrillSucceeded 0
  put_job_result 1
  fail "restore drill $result"
fi
