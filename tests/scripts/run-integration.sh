#!/usr/bin/env bash
# Runs the integration tier (ctest label "integration") on the ASan build. Tests that need PostgreSQL or
# Redis get them from tests/scripts/services.sh once cluster mode lands; today the tier has no such
# tests, which is reported rather than treated as a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
ctest --preset integration
