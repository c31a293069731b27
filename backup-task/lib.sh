# Shared by upload.sh, fetch.sh and report.sh (the aws-cli container). The component prepends it to
# each script; tests source it the same way. Storage and metrics go to AWS, or to a local directory
# and file when BACKUP_DESTINATION is file:// (tests, a dry run on a laptop).

fail() {
  echo "$SCRIPT_NAME failed: $*" >&2
  exit 1
}

# A string field of a manifest written by backup.sh (one field per line, by construction).
manifest_field() {
  sed -n "s/^  \"$2\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" "$1" | head -1
}

# A number field of a manifest.
manifest_number() {
  sed -n "s/^  \"$2\": \\([0-9][0-9]*\\),\\{0,1\\}\$/\\1/p" "$1" | head -1
}

manifest_list() {
  sed -n "s/^  \"$2\": \\[\\(.*\\)\\],\\{0,1\\}\$/\\1/p" "$1" | tr ',' '\n' | tr -d '"' | sed '/^$/d'
}

# put_object <local file> <key> [metadata k=v,...]
put_object() {
  local file="$1" key="$2" metadata="${3:-}"
  case "$BACKUP_DESTINATION" in
    s3://*)
      aws s3 cp "$file" "${BACKUP_DESTINATION%/}/$key" --only-show-errors --checksum-algorithm SHA256 \
        ${metadata:+--metadata "$metadata"}
      ;;
    file://*)
      local dir="${BACKUP_DESTINATION#file://}"
      mkdir -p "$(dirname "$dir/$key")"
      cp "$file" "$dir/$key.part" && mv "$dir/$key.part" "$dir/$key"
      if [[ -n "$metadata" ]]; then printf '%s\n' "$metadata" >"$dir/$key.metadata"; fi
      ;;
    *) fail "BACKUP_DESTINATION must be s3://<bucket> or file://<dir>, not \"$BACKUP_DESTINATION\"" ;;
  esac
}

# get_object <key> <local file>; fails when the object does not exist.
get_object() {
  local key="$1" file="$2"
  case "$BACKUP_DESTINATION" in
    s3://*) aws s3 cp "${BACKUP_DESTINATION%/}/$key" "$file" --only-show-errors ;;
    file://*) cp "${BACKUP_DESTINATION#file://}/$key" "$file" ;;
    *) fail "BACKUP_DESTINATION must be s3://<bucket> or file://<dir>, not \"$BACKUP_DESTINATION\"" ;;
  esac
}

# put_metric <name> <value> [unit]: one datapoint, dimension Environment=$BACKUP_NAME.
put_metric() {
  local name="$1" value="$2" unit="${3:-Count}"
  case "${BACKUP_METRICS:-cloudwatch}" in
    cloudwatch)
      aws cloudwatch put-metric-data --namespace "${BACKUP_METRIC_NAMESPACE:?}" --metric-name "$name" \
        --dimensions "Database=$BACKUP_NAME" --value "$value" --unit "$unit"
      ;;
    file:*) printf '%s %s %s\n' "$name" "$value" "$unit" >>"${BACKUP_METRICS#file:}" ;;
    off) ;;
    *) fail "BACKUP_METRICS must be cloudwatch, file:<path> or off" ;;
  esac
}

# put_job_result <failed 0|1>: the cron jobs' per-job Failure metric (namespace golive/cron,
# dimension Job), so the backup and the drill alarm like every other scheduled job (CRON-04).
put_job_result() {
  local failed="$1"
  case "${BACKUP_METRICS:-cloudwatch}" in
    cloudwatch)
      aws cloudwatch put-metric-data --namespace golive/cron --metric-name Failure \
        --dimensions "Job=${BACKUP_JOB:?}" --value "$failed" --unit Count
      ;;
    file:*) printf 'Failure %s Count Job=%s\n' "$failed" "${BACKUP_JOB:-}" >>"${BACKUP_METRICS#file:}" ;;
    off) ;;
    *) fail "BACKUP_METRICS must be cloudwatch, file:<path> or off" ;;
  esac
}
