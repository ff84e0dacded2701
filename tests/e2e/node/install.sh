#!/bin/sh
# Installs the pinned npm dependencies of the e2e Node clients (package-lock.json) when node_modules is
# missing. Called from the Makefile; safe to re-run.
set -eu
cd "$(dirname "$0")"
if [ -d node_modules/openai ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "tests/e2e/node/install.sh: npm not found (install nodejs and npm)" >&2
    exit 1
fi
exec npm ci --no-audit --no-fund
