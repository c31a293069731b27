#!/usr/bin/env bash
# Runs the backup task once, on demand (the deploy workflow, before `pulumi up` on prod), waits for
# it and fails unless every container succeeded. The backup is kept under manual/ (BACKUP_TIER).
#
# Usage: run-on-demand.sh '<pulumi stack output backupTask --json>'
set -euo pipefail
spec="${1:?give the backupTask stack output as JSON}"
field() { node -e 'const v = JSON.parse(process.argv[1])[process.argv[2]]; console.log(Array.isArray(v) ? v.join(",") : v ?? "")' "$spec" "$1"; }
cluster="$(field cluster)"
definition="$(field taskDefinition)"
[[ -n "$cluster" && -n "$definition" ]] || { echo "the stack has no backup task (golive:database.backups.enabled is false?)" >&2; exit 1; }

task="$(aws ecs run-task --cluster "$cluster" --task-definition "$definition" --launch-type FARGATE \
  --network-configuration "awsvpcConfiguration={subnets=[$(field subnets)],securityGroups=[$(field securityGroups)],assignPublicIp=DISABLED}" \
  --overrides '{"containerOverrides":[{"name":"dump","environment":[{"name":"BACKUP_TIER","value":"manual"}]}]}' \
  --started-by golive-deploy --query 'tasks[0].taskArn' --output text)"
[[ "$task" == arn:* ]] || { echo "the backup task did not start" >&2; exit 1; }
echo "backup task $task started; waiting"
# `aws ecs wait tasks-stopped` gives up after 10 minutes; a large dump takes longer.
for _ in $(seq 1 240); do
  status="$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].lastStatus' --output text)"
  [[ "$status" == STOPPED ]] && break
  sleep 15
done
[[ "$status" == STOPPED ]] || { echo "the backup task is still $status after an hour" >&2; exit 1; }
codes="$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query 'tasks[0].containers[].[name,exitCode]' --output text)"
echo "$codes"
if awk '$2 != "0" { bad = 1 } END { exit !bad }' <<<"$codes"; then
  echo "the on-demand backup failed: not deploying prod" >&2
  exit 1
fi
echo "on-demand backup done"
