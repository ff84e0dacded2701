#!/usr/bin/env bash
# Runs the integration tier (ctest label "integration") on the ASan build. Tests that need PostgreSQL or
# Redis get them from tests/scripts/services.sh once cluster mode lands; today the tier has no such
# tests, which is reported rather than treated as a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=$(ctest --preset integration -N | sed -n 's/^Total Tests: //p')
if [ "${n:-0}" -eq 0 ]; then
  echo "integration: no integration tests in this build yet (they arrive with cluster mode)"
  exit 0
fi
ctest --preset integration
