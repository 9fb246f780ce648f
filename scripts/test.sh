#!/usr/bin/env bash
# Run the test suite with every service it uses: a throwaway PostgreSQL + PostGIS
# cluster on a loopback port (scripts/pg_test_cluster.sh), stopped and removed at
# the end whatever the outcome. Arguments go to pytest.
#
#   bash scripts/test.sh                          # everything (as CI runs it)
#   bash scripts/test.sh -m "not slow and not browser"   # the quick loop
#
# A server already running can be used instead: set MINEPLAN_TEST_PG to its URL.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${MINEPLAN_TEST_PG:-}" ]; then
  pgdir=$(mktemp -d /tmp/mineplan-pg.XXXXXX)
  trap 'bash scripts/pg_test_cluster.sh stop "$pgdir" || true' EXIT
  MINEPLAN_TEST_PG=$(bash scripts/pg_test_cluster.sh start "$pgdir")
  export MINEPLAN_TEST_PG
  echo "test: PostgreSQL + PostGIS for the store tests at $MINEPLAN_TEST_PG"
fi
.venv/bin/python -m pytest "$@"
