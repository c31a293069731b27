#!/usr/bin/env bash
# npm run test:postgres: start a throwaway PostgreSQL on loopback, run the tests that need one, stop it.
set -euo pipefail
cd "$(dirname "$0")/../.."
url="$(tooling/postgres/start-test-server.sh "${GOLIVE_TEST_POSTGRES_PORT:-54329}")"
trap 'tooling/postgres/stop-test-server.sh "$url"' EXIT
GOLIVE_TEST_POSTGRES_URL="$url" npx vitest run test/backup-task.postgres.test.ts
